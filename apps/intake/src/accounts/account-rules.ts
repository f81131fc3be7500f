/**
 * The account rules in one place, free of Nest and TypeORM: the password policy, the throttle of
 * failed logins, and how long tokens live.
 */

/** A password is 10–128 characters, mixes at least three of lower case, upper case, digits and other characters, and is not built on the username. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_MIN_CLASSES = 3;

/**
 * Failed logins are throttled per (username, client address) and per client address, each in a fixed
 * window: a stranger's guesses lock only the stranger's own address, never the owner signing in from
 * elsewhere, and unknown names are throttled exactly like real ones (nothing to tell them apart).
 */
export const MAX_FAILED_LOGINS = 5;
export const MAX_FAILED_LOGINS_PER_ADDRESS = 50;
export const LOGIN_THROTTLE_MS = 15 * 60_000;

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

/** The refusal of a throttled login, in the words the console shows: until when, in Beijing time. */
export function throttledMessage(until: Date): string {
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(until);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const at = `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
  return `登录失败次数过多，请于北京时间 ${at} 之后再试`;
}
