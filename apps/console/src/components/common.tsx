import { App as AntApp, Tag } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { beijingTime, ERROR_CODE, fieldMessage, STATUS } from '../labels';

export const SHANGHAI = 'Asia/Shanghai';

/** An instant in Beijing time, whatever the browser's zone. */
export function formatTime(iso: string | null | undefined): string {
  return iso ? beijingTime(iso) : '—';
}

/** Time left until a deadline, ticking; red once passed. */
export function Countdown({ deadline, done }: { deadline: string; done?: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const ms = new Date(deadline).getTime() - now;
  const label = formatTime(deadline);
  if (done) return <span title={label}>{label}</span>;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const span = days > 0 ? `${days}天${hours}小时` : hours > 0 ? `${hours}小时${minutes}分` : `${minutes}分钟`;
  const color = ms < 0 ? 'red' : ms < 8 * 3_600_000 ? 'orange' : 'green';
  return (
    <Tag color={color} title={`期限 ${label}`}>
      {ms < 0 ? `已超期 ${span}` : `剩余 ${span}`}
    </Tag>
  );
}

export function StatusTag({ status }: { status: string }) {
  const s = STATUS[status] ?? { text: status, color: 'default' };
  return <Tag color={s.color}>{s.text}</Tag>;
}

/** The Chinese message of a failed call. */
export function problemMessage(err: unknown): string {
  if (err instanceof ApiError) {
    // A refusal that says in Chinese until when (a throttled login) is shown as it is.
    if (err.problem.code === 'RATE_LIMITED' && /[\u4e00-\u9fff]/.test(err.problem.detail)) return err.problem.detail;
    // In Chinese only: the code's wording and the fields' messages (Beijing times), never the services' English.
    const chinese = /[\u4e00-\u9fff]/.test(err.problem.detail) && !/[A-Za-z]{4,}/.test(err.problem.detail);
    const known =
      ERROR_CODE[err.problem.code] ??
      (chinese ? err.problem.detail : err.problem.status >= 500 ? '服务暂时不可用，请稍后再试' : '操作未成功');
    const fields = [...new Set(err.problem.errors?.map((e) => fieldMessage(e.message)) ?? [])].join('；');
    return [known, fields].filter(Boolean).join('：');
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Submits a form. A problem+json with field errors shows each message under its field (the
 * contract's validation messages, through `field(name)` on the Form.Item) and the whole problem at
 * the top of the page; anything else only at the top.
 */
export function useSubmit<T>(action: (values: T) => Promise<unknown>, success?: string) {
  const { message } = AntApp.useApp();
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const submit = useCallback(
    async (values: T) => {
      setBusy(true);
      setFieldErrors({});
      try {
        await action(values);
        if (success) void message.success(success);
        return true;
      } catch (err) {
        const byField: Record<string, string[]> = {};
        for (const e of err instanceof ApiError ? (err.problem.errors ?? []) : []) (byField[e.field] ??= []).push(fieldMessage(e.message));
        setFieldErrors(byField);
        void message.error(problemMessage(err));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [action, success, message],
  );
  /** Form.Item props showing the server's messages for a field (or for `aliases` of it, e.g. citizen.phone). */
  const field = useCallback(
    (name: string, ...aliases: string[]): { validateStatus?: 'error'; help?: string } => {
      const messages = [name, ...aliases].flatMap((n) => fieldErrors[n] ?? []);
      return messages.length ? { validateStatus: 'error', help: messages.join('；') } : {};
    },
    [fieldErrors],
  );
  return { submit, busy, field };
}

/** Loads data and reloads it every `intervalMs` while the tab is visible (the live case list). */
export function usePolling<T>(load: () => Promise<T>, deps: unknown[], intervalMs = 10_000) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    try {
      setData(await loadRef.current());
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    setLoading(true);
    void reload();
    if (!intervalMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, intervalMs);
    return () => clearInterval(timer);
  }, deps);
  return { data, error, loading, reload };
}
