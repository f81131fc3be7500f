import { DomainError, ErrorCode } from '#libs/common';

/**
 * What the console's proxy may forward: the other services' API (`/api/v1/...`) and nothing
 * else — not their /metrics, /docs, /docs-json or /health, and no path that a URL parser
 * along the way could resolve somewhere else.
 *
 * The target is judged as sent (raw, before any decoding): it is a path of plain segments;
 * each segment, once percent-decoded, holds no slash, backslash, percent
 * sign (a double-encoded `%252e`), control character or NUL, and does not start with a dot
 * (`.`, `..`, `..;`: no route of the services has such a segment). A well-formed target outside the
 * API is not found (404); a malformed one is refused (400). Both are problem+json.
 */

/** Characters a path segment may hold as sent (RFC 3986 pchar, percent-escapes included). */
const SEGMENT_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%]*$/;
/** Decoded, a segment must not hold these: separators, a second encoding layer, control characters. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const FORBIDDEN_DECODED = /[/\\%\u0000-\u001f\u007f]/;
const API_PREFIX = ['api', 'v1'];
/** Operational paths, never the API, whatever prefix a service may also answer them under. */
const OPERATIONAL = new Set(['health', 'metrics', 'docs', 'docs-json']);

/** The refusal for a target path (after the `/console/svc/<service>` prefix, query excluded), or null when it may pass. */
export function proxyTargetRefusal(rawPath: string): DomainError | null {
  const malformed = (message: string) =>
    DomainError.validation([{ field: 'path', message }], 'The console proxy forwards only well-formed /api/v1/ paths.');
  const notApi = () => new DomainError(ErrorCode.NotFound, 'The console proxy serves only the /api/v1/ paths of the services.');
  if (rawPath === '' || rawPath === '/') return notApi();
  if (!rawPath.startsWith('/')) return malformed('must start with /');
  const segments = rawPath.slice(1).split('/');
  for (const [i, segment] of segments.entries()) {
    if (segment === '' && i < segments.length - 1) return malformed('must not hold an empty segment');
    if (!SEGMENT_CHARS.test(segment)) return malformed('holds a character that is not allowed in a path');
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return malformed('is not valid percent-encoded UTF-8');
    }
    if (decoded.startsWith('.')) return malformed('must not hold a segment starting with a dot (., .., ..;)');
    if (FORBIDDEN_DECODED.test(decoded)) return malformed('must not hold encoded separators, percent signs or control characters');
  }
  const isApi =
    segments.length > API_PREFIX.length &&
    API_PREFIX.every((part, i) => segments[i] === part) &&
    !OPERATIONAL.has(decodeURIComponent(segments[API_PREFIX.length]!));
  if (!isApi) return notApi();
  return null;
}
