import { AFTER_SUCCESSFUL_LOGIN, afterFailedLogin, isLocked, LOCKOUT_MS, MAX_FAILED_LOGINS, passwordProblems } from './account-rules.js';

describe('password policy', () => {
  it('accepts a long password of three character classes', () => {
    expect(passwordProblems('Wuxi-hall-2024', 'zhang.san')).toEqual([]);
    expect(passwordProblems('correcthorse42!', 'li')).toEqual([]);
  });

  it('names every problem of a bad password', () => {
    expect(passwordProblems('abc', 'zhang')).toEqual(['密码至少 10 个字符', '密码须包含小写字母、大写字母、数字、符号中的至少三类']);
    expect(passwordProblems('aaaaaaaaaaaa', 'zhang')).toEqual(['密码须包含小写字母、大写字母、数字、符号中的至少三类']);
    expect(passwordProblems('Zhang.San-2024', 'zhang.san')).toEqual(['密码不能包含用户名']);
    expect(passwordProblems(`Aa1${'x'.repeat(130)}`, 'zhang')).toEqual(['密码最多 128 个字符']);
  });
});

describe('lockout after repeated failures', () => {
  const now = new Date('2024-11-20T09:00:00Z');
  const later = (ms: number) => new Date(now.getTime() + ms);

  it(`locks on the ${MAX_FAILED_LOGINS}th consecutive failure, for ${LOCKOUT_MS / 60_000} minutes`, () => {
    let state = { ...AFTER_SUCCESSFUL_LOGIN };
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) {
      const next = afterFailedLogin(state, now);
      expect(next).toEqual({ failedAttempts: i, lockedUntil: null, lockedNow: false });
      state = next;
    }
    const locked = afterFailedLogin(state, now);
    expect(locked).toEqual({ failedAttempts: MAX_FAILED_LOGINS, lockedUntil: later(LOCKOUT_MS), lockedNow: true });
    expect(isLocked(locked, later(LOCKOUT_MS - 1))).toBe(true);
    expect(isLocked(locked, later(LOCKOUT_MS))).toBe(false);
  });

  it('counts afresh once a lock has run out', () => {
    const expired = { failedAttempts: MAX_FAILED_LOGINS, lockedUntil: now };
    expect(afterFailedLogin(expired, later(1))).toEqual({ failedAttempts: 1, lockedUntil: null, lockedNow: false });
  });

  it('a success clears the count', () => {
    expect(isLocked(AFTER_SUCCESSFUL_LOGIN, now)).toBe(false);
    expect(AFTER_SUCCESSFUL_LOGIN).toEqual({ failedAttempts: 0, lockedUntil: null });
  });
});
