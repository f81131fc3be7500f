/**
 * The account rules in one place, free of Nest and TypeORM: the password policy, the lockout after
 * repeated failures, and how long tokens live.
 */

/** A password is 10–128 characters, mixes at least three of lower case, upper case, digits and other characters, and is not built on the username. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_MIN_CLASSES = 3;

/** Consecutive failed logins that lock an account, and for how long. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;

/** Access tokens are short-lived; refresh tokens last a working day and are rotated on every use. */
export const ACCESS_TOKEN_TTL_S = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 12 * 60 * 60_000;

/** Reasons a password is refused, in the words the console shows (zh-CN). */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH) problems.push(`密码至少 ${PASSWORD_MIN_LENGTH} 个字符`);
  if (password.length > PASSWORD_MAX_LENGTH) problems.push(`密码最多 ${PASSWORD_MAX_LENGTH} 个字符`);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < PASSWORD_MIN_CLASSES) problems.push('密码须包含小写字母、大写字母、数字、符号中的至少三类');
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) problems.push('密码不能包含用户名');
  return problems;
}

export interface LockoutState {
  failedAttempts: number;
  lockedUntil: Date | null;
}

export function isLocked(state: LockoutState, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

/**
 * The state after a failed login. A lock that has run out starts a fresh count; the
 * MAX_FAILED_LOGINS-th consecutive failure locks the account for LOCKOUT_MS.
 */
export function afterFailedLogin(state: LockoutState, now: Date): LockoutState & { lockedNow: boolean } {
  const expired = state.lockedUntil !== null && state.lockedUntil.getTime() <= now.getTime();
  const failedAttempts = (expired ? 0 : state.failedAttempts) + 1;
  if (failedAttempts >= MAX_FAILED_LOGINS) {
    return { failedAttempts, lockedUntil: new Date(now.getTime() + LOCKOUT_MS), lockedNow: true };
  }
  return { failedAttempts, lockedUntil: null, lockedNow: false };
}

export const AFTER_SUCCESSFUL_LOGIN: LockoutState = { failedAttempts: 0, lockedUntil: null };
