import { DateTime } from 'luxon';

/**
 * How far ahead of server time a client's clock may run for an instant it reports (ratedAt,
 * transferredAt, contactedAt): 300 s, as for request signatures (API.md).
 */
export const CLIENT_CLOCK_TOLERANCE_MS = 300_000;

/** All calendar logic (quarters, working days, report ranges) is in this zone, whatever the server's TZ. */
export const CHINA_ZONE = 'Asia/Shanghai';

/** The Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(instant: Date | string): string {
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant, { setZone: true }) : DateTime.fromJSDate(instant);
  return dt.setZone(CHINA_ZONE).toISODate()!;
}

export interface Quarter {
  year: number;
  quarter: 1 | 2 | 3 | 4;
}

export function quarterOf(instant: Date | string): Quarter {
  const [year, month] = shanghaiDate(instant).split('-').map(Number) as [number, number];
  return { year, quarter: (Math.floor((month - 1) / 3) + 1) as Quarter['quarter'] };
}

export function quarterLabel(q: Quarter): string {
  return `${q.year}-Q${q.quarter}`;
}

/** First and last Shanghai calendar day of a quarter, inclusive. */
export function quarterRange(q: Quarter): { from: string; to: string } {
  const start = DateTime.fromObject({ year: q.year, month: (q.quarter - 1) * 3 + 1, day: 1 }, { zone: CHINA_ZONE });
  return { from: start.toISODate()!, to: start.plus({ months: 3 }).minus({ days: 1 }).toISODate()! };
}

export function previousQuarter(q: Quarter): Quarter {
  return q.quarter === 1 ? { year: q.year - 1, quarter: 4 } : { year: q.year, quarter: (q.quarter - 1) as Quarter['quarter'] };
}

/** The instant a Shanghai calendar day starts. */
export function startOfShanghaiDay(date: string): Date {
  return DateTime.fromISO(date, { zone: CHINA_ZONE }).startOf('day').toJSDate();
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A calendar day `YYYY-MM-DD` that exists (read in Asia/Shanghai). */
export function isShanghaiDay(value: string): boolean {
  return ISO_DAY.test(value) && DateTime.fromISO(value, { zone: CHINA_ZONE }).isValid;
}

/**
 * One end of an inclusive date filter (GET /cases, the reports): a calendar day `YYYY-MM-DD` means
 * that whole day in Asia/Shanghai — `from` its first instant, `to` up to (not including) the next
 * day's first instant — and an ISO-8601 instant with an offset means exactly that instant. Null when
 * the value is neither.
 */
export function rangeBound(value: string, edge: 'from' | 'to'): { at: Date; exclusive: boolean } | null {
  if (isShanghaiDay(value)) {
    const day = DateTime.fromISO(value, { zone: CHINA_ZONE }).startOf('day');
    return edge === 'from' ? { at: day.toJSDate(), exclusive: false } : { at: day.plus({ days: 1 }).toJSDate(), exclusive: true };
  }
  if (!ISO_INSTANT_WITH_OFFSET.test(value)) return null;
  const instant = DateTime.fromISO(value, { setZone: true });
  return instant.isValid ? { at: instant.toJSDate(), exclusive: false } : null;
}
