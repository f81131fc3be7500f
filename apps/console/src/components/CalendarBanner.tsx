import { Alert, App as AntApp, Button } from 'antd';
import { useEffect, useState } from 'react';
import { must, rectification } from '../api/client';
import { problemMessage } from './common';

interface Warning {
  year: number;
  status: 'PROVISIONAL' | 'MISSING' | 'PUBLISHED_DIFFERS';
}

const REFRESH_MS = 10 * 60_000;

/** What the banner says of a year, in plain Chinese. */
export function calendarWarningText(w: Warning): string {
  switch (w.status) {
    case 'PROVISIONAL':
      return `${w.year} 年节假日安排尚未确认，办理期限暂按法定节假日计算（不含调休）。请核对后确认，或在“工作日历”中修改。`;
    case 'MISSING':
      return `${w.year} 年没有节假日数据，办理期限暂按周一至周五计算。请在“工作日历”中录入并确认。`;
    case 'PUBLISHED_DIFFERS':
      return `${w.year} 年国家公布的节假日安排与已确认的不一致，目前仍按已确认的执行。请在“工作日历”中核对。`;
  }
}

function calendarWarningTitle(w: Warning): string {
  return w.status === 'PUBLISHED_DIFFERS' ? `${w.year} 年工作日历需核对` : `${w.year} 年工作日历待确认`;
}

/**
 * Loud until confirmed, for the one who can act on it: while a year's holiday arrangement is missing or provisional
 * (next year's from 1 November), rectification warns (GET /calendar/warnings) and an admin's pages show it on top,
 * with 确认 to confirm the year as it stands (POST /calendar/{year}/confirm). Operators and supervisors see no banner:
 * their deadlines carry 期限暂定 where it matters.
 */
export function CalendarBanner() {
  const [warnings, setWarnings] = useState<Warning[]>([]);
  const [busy, setBusy] = useState<number | null>(null);
  const { message } = AntApp.useApp();
  const load = async () => {
    try {
      const body = await must(rectification.GET('/api/v1/calendar/warnings'));
      setWarnings(body.warnings.map((w) => ({ year: w.year, status: w.status })));
    } catch {
      // unreachable or signed out: the pages say so themselves
    }
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const confirm = async (year: number) => {
    setBusy(year);
    try {
      await must(rectification.POST('/api/v1/calendar/{year}/confirm', { params: { path: { year } } }));
      void message.success(`${year} 年工作日历已确认`);
      await load();
    } catch (err) {
      void message.error(problemMessage(err));
    } finally {
      setBusy(null);
    }
  };
  if (warnings.length === 0) return null;
  return (
    <div role="status" aria-live="polite">
      {warnings.map((w) => (
        <Alert
          key={`${w.year}-${w.status}`}
          type="warning"
          showIcon
          banner
          title={calendarWarningTitle(w)}
          description={calendarWarningText(w)}
          action={
            w.status === 'PROVISIONAL' ? (
              <Button
                size="small"
                type="primary"
                loading={busy === w.year}
                onClick={() => void confirm(w.year)}
                aria-label={`确认 ${w.year} 年工作日历`}
              >
                确认
              </Button>
            ) : undefined
          }
        />
      ))}
    </div>
  );
}
