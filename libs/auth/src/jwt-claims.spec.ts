import { DomainError } from '#libs/common';
import { typedClaims } from './jwt-auth.guard.js';

describe('typed JWT claims: a console login names its login and session version', () => {
  const sub = '7d3f5b1e-8a4c-4f0e-9b2d-1c6e8f0a2b3c';
  const sid = '0b9e2c4d-6f8a-4b1c-8d3e-5f7a9b1c3d5e';
  const base = { sub, role: 'supervisor', exp: 2_000_000_000 };
  const detail = (raw: Record<string, unknown>) => {
    try {
      typedClaims(raw);
      return null;
    } catch (err) {
      return (err as DomainError).detail;
    }
  };

  it('passes an external issuer’s token without a session, and a console login’s with one', () => {
    expect(typedClaims(base)).toEqual({ sub, role: 'supervisor' });
    expect(typedClaims({ ...base, sid, sv: 3 })).toEqual({ sub, role: 'supervisor', session: { sid, sv: 3 } });
  });

  it('refuses a half or malformed session claim as a bad token', () => {
    expect(detail({ ...base, sid })).toBe('The bearer token is invalid: sv must be a session version.');
    expect(detail({ ...base, sv: 1 })).toBe('The bearer token is invalid: sid must be a login id.');
    expect(detail({ ...base, sid: 'login-1', sv: 1 })).toBe('The bearer token is invalid: sid must be a login id.');
    expect(detail({ ...base, sub: 'sso:li.si', sid, sv: 1 })).toBe('The bearer token is invalid: sid must be a login id.');
    for (const sv of [-1, 1.5, '2', 2 ** 31])
      expect(detail({ ...base, sid, sv })).toBe('The bearer token is invalid: sv must be a session version.');
  });

  it('carries the display name when the token has one; a malformed one is a bad token', () => {
    expect(typedClaims({ ...base, name: ' 王督查 ' })).toEqual({ sub, role: 'supervisor', name: '王督查' });
    expect(typedClaims({ ...base, name: '  ' })).toEqual({ sub, role: 'supervisor' });
    for (const name of [42, ['王'], 'a\u0000b', 'x'.repeat(129)])
      expect(detail({ ...base, name })).toBe('The bearer token is invalid: name must be a plain string.');
  });
});
