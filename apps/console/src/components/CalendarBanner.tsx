import { Alert } from 'antd';
import { useEffect, useState } from 'react';
import { send } from '../api/client';

interface Warning {
  message: string;
}

const REFRESH_MS = 10 * 60_000;

/**
 * Loud until confirmed: while next year's holiday arrangement is missing or provisional (from
 * 1 November) or a published one differs from the confirmed one, rectification warns
 * (GET /calendar/warnings, as its readiness does), and every console page shows it on top — deadlines
 * then rest on provisional days.
 */
export function CalendarBanner() {
  const [warnings, setWarnings] = useState<Warning[]>([]);
  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        // The API, not /health: intake's proxy serves the services' /api/v1 only.
        const body = (await send('rectification', 'GET', '/api/v1/calendar/warnings')) as { warnings?: Warning[] };
        if (live) setWarnings(body.warnings ?? []);
      } catch {
        // unreachable or signed out: the pages say so themselves
      }
    };
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (warnings.length === 0) return null;
  return (
    <div role="status" aria-live="polite">
      {warnings.map((w) => (
        <Alert key={w.message} type="warning" showIcon banner title="工作日历待确认" description={w.message} />
      ))}
    </div>
  );
}
