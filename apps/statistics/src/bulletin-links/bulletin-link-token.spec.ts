import { createHmac } from 'node:crypto';
import { DomainError } from '#libs/common';
import {
  assertCovers,
  BULLETIN_LINK_TTL_DAYS,
  bulletinLinkKey,
  bulletinLinkPath,
  issueToken,
  newGrant,
  verifyToken,
} from './bulletin-link-token.js';

const codeOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as DomainError).code;
  }
};

describe('bulletin link tokens', () => {
  const key = bulletinLinkKey('a-server-secret-of-at-least-32-characters');
  const now = new Date('2025-01-03T02:00:00.000Z');
  const scope = { year: 2024, quarter: 4, live: false };
  const grant = newGrant(scope, now);
  const token = issueToken(key, grant);

  it('opens for 7 days and carries only what it opens: the quarter, unit, live choice, an id and the expiry', () => {
    expect(BULLETIN_LINK_TTL_DAYS).toBe(7);
    expect(grant.exp * 1000).toBe(Date.parse('2025-01-10T02:00:00.000Z'));
    expect(grant.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(newGrant(scope, now).id).not.toBe(grant.id);
    const payload = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['exp', 'id', 'l', 'q', 'v', 'y']);
    expect(payload).toMatchObject({ v: 1, y: 2024, q: 4, l: false, exp: grant.exp });
    expect(verifyToken(key, token, now)).toEqual(grant);
    expect(verifyToken(key, token, new Date(grant.exp * 1000 - 1))).toEqual(grant);
  });

  it('is expired from its expiry on', () => {
    expect(codeOf(() => verifyToken(key, token, new Date(grant.exp * 1000)))).toBe('BULLETIN_LINK_EXPIRED');
  });

  it('refuses an altered, cut or foreign token as invalid', () => {
    const [payload, signature] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ v: 1, id: grant.id, y: 2024, q: 3, l: false, exp: grant.exp })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BA' : 'AA');
    const otherKey = issueToken(bulletinLinkKey('another-server-secret-of-32-characters!!'), grant);
    for (const bad of [
      `${forged}.${signature}`,
      `${payload}.${flipped}`,
      `${payload}.`,
      payload,
      `${token}.x`,
      otherKey,
      `${payload}.${signature.slice(0, 20)}`,
      'x'.repeat(600),
      '%%%.***',
    ]) {
      expect([bad, codeOf(() => verifyToken(key, bad, now))]).toEqual([bad, 'BULLETIN_LINK_INVALID']);
    }
    // A signed payload that is not a grant (signed with the right key, so only the shape is at fault).
    const notGrant = Buffer.from(JSON.stringify({ v: 2, y: 2024 })).toString('base64url');
    const signed = `${notGrant}.${createHmac('sha256', key).update(notGrant).digest('base64url')}`;
    expect(codeOf(() => verifyToken(key, signed, now))).toBe('BULLETIN_LINK_INVALID');
  });

  it('opens exactly its own bulletin: another quarter, year, unit or live choice is a mismatch', () => {
    expect(codeOf(() => assertCovers(grant, scope))).toBeNull();
    for (const asked of [
      { ...scope, quarter: 3 },
      { ...scope, year: 2025 },
      { ...scope, unitCode: 'CN-01' },
      { ...scope, live: true },
    ]) {
      expect(codeOf(() => assertCovers(grant, asked))).toBe('BULLETIN_LINK_MISMATCH');
    }
    const unitGrant = newGrant({ ...scope, unitCode: 'CN-01', live: true }, now);
    expect(codeOf(() => assertCovers(unitGrant, { ...scope, unitCode: 'CN-01', live: true }))).toBeNull();
    expect(codeOf(() => assertCovers(unitGrant, { ...scope, live: true }))).toBe('BULLETIN_LINK_MISMATCH');
  });

  it('addresses the bulletin with the query the link was made for', () => {
    expect(bulletinLinkPath(grant, 'T.S')).toBe('/api/v1/reports/quarterly/bulletin?year=2024&quarter=4&link=T.S');
    const unitGrant = newGrant({ ...scope, unitCode: 'CN 01', live: true }, now);
    expect(bulletinLinkPath(unitGrant, 'T.S')).toBe(
      '/api/v1/reports/quarterly/bulletin?year=2024&quarter=4&unitCode=CN+01&live=true&link=T.S',
    );
  });

  it('derives its key for this purpose only: not the secret itself', () => {
    const secret = 'a-server-secret-of-at-least-32-characters';
    expect(bulletinLinkKey(secret).equals(Buffer.from(secret))).toBe(false);
    expect(bulletinLinkKey(secret)).toHaveLength(32);
  });
});
