import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageSecurityHeaders } from '#libs/platform';

/**
 * Public answers may be cached by browsers and the portal's proxies for 5 minutes (a published
 * quarter's figures are frozen; an example a unit withdraws disappears within that time), and are
 * revalidated cheaply with their ETag.
 */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=600';

/** Pages and JSON load nothing from elsewhere: no scripts, styles inline, charts inline SVG. */
export const PUBLIC_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors *";

export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Sends `body` with the public caching headers, or 304 when the caller already has it. */
export function sendPublic(req: FastifyRequest, reply: FastifyReply, body: string, contentType: string, status = 200): FastifyReply {
  const etag = etagOf(body);
  void reply
    .header('Cache-Control', status === 200 ? PUBLIC_CACHE_CONTROL : 'public, max-age=60')
    .header('ETag', etag)
    .headers(pageSecurityHeaders(PUBLIC_CSP))
    .header('Access-Control-Allow-Origin', '*');
  const match = req.headers['if-none-match'];
  if (status === 200 && typeof match === 'string' && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    return reply.status(304).send();
  }
  return reply.status(status).type(contentType).send(body);
}
