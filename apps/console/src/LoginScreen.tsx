import { cloneElement, type FormEvent, type InputHTMLAttributes, type ReactElement, useState } from 'react';
import { ERROR_CODE, fieldMessage } from './labels';
import { session, type TokenResponse } from './session';
import './login.css';

interface Problem {
  status?: number;
  code?: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

class Refused extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? '');
  }
}

/** A sign-in call: the tokens, or the problem+json it answered with. */
async function post(path: string, body: unknown): Promise<TokenResponse> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const payload = (await response.json().catch(() => ({}))) as unknown;
  if (!response.ok) throw new Refused({ status: response.status, ...(payload as Problem) });
  return payload as TokenResponse;
}

/** In Chinese, as the console says it elsewhere (components/common.tsx problemMessage): the code's wording, or a throttle's own. */
function messageOf(err: unknown): string {
  if (!(err instanceof Refused)) return '网络不通，请稍后再试';
  const { code = '', detail = '', status = 0 } = err.problem;
  if (code === 'RATE_LIMITED' && /[\u4e00-\u9fff]/.test(detail)) return detail;
  return ERROR_CODE[code as keyof typeof ERROR_CODE] ?? (status >= 500 ? '服务暂时不可用，请稍后再试' : '登录未成功');
}

const POLICY = '至少 10 个字符，包含小写字母、大写字母、数字、符号中的至少三类，且不含用户名';

/**
 * Sign-in, and the new password a one-time password (first login, reset by an admin) must be replaced with. Plain
 * React and CSS, none of the console's component library: this is the first thing a visitor downloads, so it shows at
 * once, and the console behind it loads while the person types (main.tsx).
 */
export function LoginScreen() {
  const [credentials, setCredentials] = useState({ username: '', password: '' });
  const [changing, setChanging] = useState(false);
  const [passwords, setPasswords] = useState({ newPassword: '', confirm: '' });
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [policyErrors, setPolicyErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  async function signIn(event: FormEvent) {
    event.preventDefault();
    const gaps = {
      ...(credentials.username.trim() ? {} : { username: '请输入用户名' }),
      ...(credentials.password ? {} : { password: '请输入密码' }),
    };
    setMissing(gaps);
    if (Object.keys(gaps).length) return;
    setBusy(true);
    setError(null);
    try {
      session.signedIn(await post('/api/v1/auth/login', credentials));
    } catch (err) {
      if (err instanceof Refused && err.problem.code === 'PASSWORD_CHANGE_REQUIRED') setChanging(true);
      else setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function changePassword(event: FormEvent) {
    event.preventDefault();
    const gaps = {
      ...(passwords.newPassword ? {} : { newPassword: '请输入新密码' }),
      ...(!passwords.confirm
        ? { confirm: '请再次输入新密码' }
        : passwords.confirm !== passwords.newPassword
          ? { confirm: '两次输入的密码不一致' }
          : {}),
    };
    setMissing(gaps);
    if (Object.keys(gaps).length) return;
    setBusy(true);
    setError(null);
    setPolicyErrors([]);
    try {
      const body = { username: credentials.username, currentPassword: credentials.password, newPassword: passwords.newPassword };
      session.signedIn(await post('/api/v1/auth/password', body));
    } catch (err) {
      const fieldErrors = err instanceof Refused ? (err.problem.errors ?? []).filter((e) => e.field === 'newPassword') : [];
      setPolicyErrors(fieldErrors.map((e) => fieldMessage(e.message)));
      if (!fieldErrors.length) setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  const field = (
    id: string,
    label: string,
    input: ReactElement<InputHTMLAttributes<HTMLInputElement>>,
    hint?: string,
    problems: string[] = [],
  ) => {
    const all = [...(missing[id] ? [missing[id]] : []), ...problems];
    const described = [hint ? `${id}-hint` : '', all.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
    return (
      <div className="login-field">
        <label htmlFor={`login-${id}`}>{label}</label>
        {cloneElement(input, { id: `login-${id}`, 'aria-invalid': all.length > 0, 'aria-describedby': described })}
        {hint && (
          <p id={`${id}-hint`} className="login-hint">
            {hint}
          </p>
        )}
        {all.length > 0 && (
          <p id={`${id}-error`} className="login-field-error">
            {all.join('；')}
          </p>
        )}
      </div>
    );
  };

  return (
    <main className="login">
      <section className="login-card" aria-labelledby="login-title">
        <h1 id="login-title">政务服务“好差评”管理平台</h1>
        {error && (
          <p role="alert" className="login-alert">
            {error}
          </p>
        )}
        {!changing ? (
          <form noValidate onSubmit={(e) => void signIn(e)}>
            {field(
              'username',
              '用户名',
              <input
                autoComplete="username"
                autoFocus
                value={credentials.username}
                onChange={(e) => setCredentials({ ...credentials, username: e.target.value })}
              />,
            )}
            {field(
              'password',
              '密码',
              <input
                type="password"
                autoComplete="current-password"
                value={credentials.password}
                onChange={(e) => setCredentials({ ...credentials, password: e.target.value })}
              />,
            )}
            <button type="submit" className="login-submit" disabled={busy} aria-busy={busy}>
              登录
            </button>
          </form>
        ) : (
          <form noValidate onSubmit={(e) => void changePassword(e)}>
            <p className="login-note">首次登录（或密码已被重置），请设置新密码</p>
            {field(
              'newPassword',
              '新密码',
              <input
                type="password"
                autoComplete="new-password"
                autoFocus
                value={passwords.newPassword}
                onChange={(e) => setPasswords({ ...passwords, newPassword: e.target.value })}
              />,
              POLICY,
              policyErrors,
            )}
            {field(
              'confirm',
              '确认新密码',
              <input
                type="password"
                autoComplete="new-password"
                value={passwords.confirm}
                onChange={(e) => setPasswords({ ...passwords, confirm: e.target.value })}
              />,
            )}
            <button type="submit" className="login-submit" disabled={busy} aria-busy={busy}>
              修改密码并登录
            </button>
          </form>
        )}
      </section>
    </main>
  );
}
