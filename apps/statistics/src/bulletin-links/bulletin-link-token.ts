/**
 * Shareable bulletin links (issue #23): a signed, expiring token that opens one quarter's 通报 without a bearer token.
 * Plain functions, no framework.
 *
 * A token is `<payload>.<signature>`, both base64url: the payload is the JSON of {@link BulletinLinkGrant} (what it opens
 * and until when — never a phone, a name or an account id), the signature HMAC-SHA256 of the payload's text under a key
 * derived from a server secret. Whoever holds the address can read that bulletin until it expires, and nothing else.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCode } from '#libs/common';

/** How long a link opens its bulletin. */
export const BULLETIN_LINK_TTL_DAYS = 7;

/** What a link opens: one quarter's bulletin (the district's, or one unit's), official (frozen once published) or live. */
export interface BulletinLinkScope {
  year: number;
  quarter: number;
  /** A unit's bulletin, or absent for the whole district's. */
  unitCode?: string;
  /** The live figures even for a published quarter (else: the frozen ones once published, live before). */
  live: boolean;
}

export interface BulletinLinkGrant extends BulletinLinkScope {
  /** Random id of the link (for the audit log and per-link read limits). */
  id: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

/** Tokens longer than this are not ours (a grant is well under 200 characters). */
export const MAX_TOKEN_LENGTH = 512;

/** The signing key for links: derived from the configured secret for this one purpose, so it never equals the JWT key. */
export function bulletinLinkKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('gov-review/bulletin-link/v1').digest();
}

const sign = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest();

/** A new link's grant for a scope, valid BULLETIN_LINK_TTL_DAYS from `now`. */
export function newGrant(scope: BulletinLinkScope, now: Date): BulletinLinkGrant {
  return {
    id: randomBytes(12).toString('base64url'),
    year: scope.year,
    quarter: scope.quarter,
    ...(scope.unitCode !== undefined ? { unitCode: scope.unitCode } : {}),
    live: scope.live,
    exp: Math.floor(now.getTime() / 1000) + BULLETIN_LINK_TTL_DAYS * 86_400,
  };
}

export function issueToken(key: Buffer, grant: BulletinLinkGrant): string {
  const payload = Buffer.from(
    JSON.stringify({ v: 1, id: grant.id, y: grant.year, q: grant.quarter, u: grant.unitCode, l: grant.live, exp: grant.exp }),
  ).toString('base64url');
  return `${payload}.${sign(key, payload).toString('base64url')}`;
}

const invalid = () =>
  new DomainError(ErrorCode.BulletinLinkInvalid, 'This bulletin link is not valid (it was altered or cut short): ask for a new one.');

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The grant a token carries, once its signature (compared in constant time) and its expiry hold:
 * altered, truncated or foreign → 401 BULLETIN_LINK_INVALID; past `exp` → 401 BULLETIN_LINK_EXPIRED.
 */
export function verifyToken(key: Buffer, token: string, now: Date): BulletinLinkGrant {
  if (token.length > MAX_TOKEN_LENGTH) throw invalid();
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0 || !BASE64URL.test(payload) || !BASE64URL.test(signature)) throw invalid();
  const expected = sign(key, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  const grant = parseGrant(Buffer.from(payload, 'base64url').toString('utf8'));
  if (!grant) throw invalid();
  if (now.getTime() >= grant.exp * 1000) {
    throw new DomainError(
      ErrorCode.BulletinLinkExpired,
      `This bulletin link expired at ${new Date(grant.exp * 1000).toISOString()}: ask for a new one.`,
    );
  }
  return grant;
}

function parseGrant(text: string): BulletinLinkGrant | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  if (raw === null || typeof raw !== 'object' || raw.v !== 1 || typeof raw.id !== 'string') return null;
  if (!int(raw.y) || !int(raw.q) || !int(raw.exp) || typeof raw.l !== 'boolean') return null;
  if (raw.u !== undefined && typeof raw.u !== 'string') return null;
  return {
    id: raw.id,
    year: raw.y,
    quarter: raw.q,
    ...(raw.u !== undefined ? { unitCode: raw.u as string } : {}),
    live: raw.l,
    exp: raw.exp,
  };
}

/**
 * A link opens exactly the bulletin it was made for: the address's year, quarter, unit and live choice must be the
 * grant's (else 403 BULLETIN_LINK_MISMATCH — a link of Q3 does not open Q4, a district link does not open a unit's).
 */
export function assertCovers(grant: BulletinLinkGrant, asked: BulletinLinkScope): void {
  const same =
    grant.year === asked.year && grant.quarter === asked.quarter && grant.unitCode === asked.unitCode && grant.live === asked.live;
  if (!same) {
    throw new DomainError(
      ErrorCode.BulletinLinkMismatch,
      `This link opens the bulletin of ${grant.year}-Q${grant.quarter}${grant.unitCode ? ` (${grant.unitCode})` : ''}${grant.live ? ' (live)' : ''} only.`,
    );
  }
}

/** The bulletin's address (relative to the service) that a grant's token opens. */
export function bulletinLinkPath(grant: BulletinLinkGrant, token: string): string {
  const params = new URLSearchParams({ year: String(grant.year), quarter: String(grant.quarter) });
  if (grant.unitCode !== undefined) params.set('unitCode', grant.unitCode);
  if (grant.live) params.set('live', 'true');
  params.set('link', token);
  return `/api/v1/reports/quarterly/bulletin?${params.toString()}`;
}
