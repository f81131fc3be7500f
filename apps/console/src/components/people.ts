import { useEffect, useState } from 'react';
import { intake, must, statistics } from '../api/client';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The display names of the accounts among `ids` (GET /people/names): who acted on a case is shown by name. An id
 * that is no console account (a system job, an external identity) has no name here; the caller words it by role.
 */
export function usePeopleNames(ids: Array<string | null | undefined>): Map<string, string> {
  const wanted = [...new Set(ids.filter((i): i is string => !!i && UUID.test(i)))].sort();
  const key = wanted.join(',');
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    if (!key) return;
    let live = true;
    void must(intake.GET('/api/v1/people/names', { params: { query: { ids: key } } }))
      .then((body) => {
        if (live) setNames(new Map(body.names.map((n) => [n.id, n.displayName])));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}

/**
 * The names of the units, for pages whose rows carry only a unit's code: the quarter's report lists every registered
 * unit with its name, and any signed-in supervisor reads it (an operator reads only its own unit's).
 */
export function useUnitNames(): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    const now = new Date(Date.now() + 8 * 3_600_000);
    const query = { year: now.getUTCFullYear(), quarter: Math.floor(now.getUTCMonth() / 3) + 1 };
    void must(statistics.GET('/api/v1/reports/quarterly', { params: { query } }))
      .then((report) => {
        const units = (report as unknown as { units: Array<{ unitCode: string; unitName: string }> }).units;
        if (live) setNames(new Map(units.map((u) => [u.unitCode, u.unitName])));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return names;
}
