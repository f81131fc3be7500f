import { DateTime } from 'luxon';
import { CHINA_ZONE } from '#libs/common';

/** A Shanghai calendar day, `YYYY-MM-DD`. */
export type IsoDate = string;

/** The exceptions to the Mon–Fri rule: statutory holidays (off) and 调休 make-up weekend days (on). */
export interface WorkingCalendarData {
  holidays: ReadonlySet<IsoDate> | readonly IsoDate[];
  makeUpWorkdays: ReadonlySet<IsoDate> | readonly IsoDate[];
  /**
   * Years whose days come from the statutory rules (`provisionalYear`), not from a published
   * arrangement: a deadline that walks through one of their days is provisional.
   */
  provisionalYears?: ReadonlySet<number> | readonly number[];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` string; pure UTC arithmetic, so the server's TZ never matters. */
function dayNumber(date: IsoDate): number {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`Not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    throw new RangeError(`Not a calendar date: ${date}`);
  }
  return ms / DAY_MS;
}

function isoOfDayNumber(days: number): IsoDate {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

function assertInstant(instant: Date, what: string): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError(`${what} is not a valid instant`);
}

/** The Shanghai calendar day of an instant. */
export function shanghaiDayOf(instant: Date): IsoDate {
  assertInstant(instant, 'instant');
  return DateTime.fromMillis(instant.getTime(), { zone: CHINA_ZONE }).toISODate()!;
}

/** 23:59:59.999 Asia/Shanghai of a calendar day. */
export function endOfShanghaiDay(date: IsoDate): Date {
  dayNumber(date);
  return DateTime.fromISO(date, { zone: CHINA_ZONE }).endOf('day').toJSDate();
}

/** Adds calendar days to a `YYYY-MM-DD` date. */
export function addCalendarDays(date: IsoDate, days: number): IsoDate {
  return isoOfDayNumber(dayNumber(date) + days);
}

/** ISO weekday of a `YYYY-MM-DD` date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  return ((((dayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/**
 * The mainland China working-day calendar: Mon–Fri work, Sat/Sun off, statutory holidays off,
 * 调休 make-up days on. Every answer is about Asia/Shanghai calendar days, whatever the server's TZ.
 */
export class WorkingCalendar {
  private readonly holidays: ReadonlySet<IsoDate>;
  private readonly makeUpWorkdays: ReadonlySet<IsoDate>;
  readonly provisionalYears: ReadonlySet<number>;

  constructor(data: WorkingCalendarData) {
    this.holidays = new Set(data.holidays);
    this.makeUpWorkdays = new Set(data.makeUpWorkdays);
    this.provisionalYears = new Set(data.provisionalYears ?? []);
    for (const date of this.holidays) dayNumber(date);
    for (const date of this.makeUpWorkdays) {
      dayNumber(date);
      if (this.holidays.has(date)) throw new RangeError(`${date} cannot be both a holiday and a make-up working day`);
    }
  }

  /** A calendar from several years' rows (e.g. the `calendar_days` table or `seedYearsFromChineseDays()`). */
  static fromYears(
    years: ReadonlyArray<{ year?: number; holidays: readonly IsoDate[]; makeUpWorkdays: readonly IsoDate[]; provisional?: boolean }>,
  ): WorkingCalendar {
    return new WorkingCalendar({
      holidays: years.flatMap((y) => y.holidays),
      makeUpWorkdays: years.flatMap((y) => y.makeUpWorkdays),
      provisionalYears: years.filter((y) => y.provisional && y.year !== undefined).map((y) => y.year!),
    });
  }

  /** Whether the day belongs to a provisional year (derived from the statutory rules, not yet published or confirmed). */
  isProvisional(date: IsoDate): boolean {
    return this.provisionalYears.has(Number(date.slice(0, 4)));
  }

  /**
   * Whether counting working days from `from` to `to` (the Shanghai days d with day(from) < d ≤ day(to),
   * the days a deadline computation looks at) touches a provisional year.
   */
  spanIsProvisional(from: Date, to: Date): boolean {
    if (this.provisionalYears.size === 0) return false;
    const first = Number(addCalendarDays(shanghaiDayOf(from), 1).slice(0, 4));
    const last = Number(shanghaiDayOf(to).slice(0, 4));
    for (let year = first; year <= last; year += 1) if (this.provisionalYears.has(year)) return true;
    return false;
  }

  isWorkingDay(date: IsoDate): boolean {
    if (this.makeUpWorkdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    return isoWeekday(date) <= 5;
  }

  /** The n-th working day strictly after `date` (n ≥ 1). */
  nthWorkingDayAfter(date: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
    let day = date;
    let remaining = n;
    while (remaining > 0) {
      day = addCalendarDays(day, 1);
      if (this.isWorkingDay(day)) remaining -= 1;
    }
    return day;
  }

  /**
   * "n working days after T": 23:59:59.999 Asia/Shanghai of the n-th working day after T's
   * Shanghai calendar day (T's own day never counts, even when it is a working day).
   */
  addWorkingDays(instant: Date, n: number): Date {
    return endOfShanghaiDay(this.nthWorkingDayAfter(shanghaiDayOf(instant), n));
  }

  /**
   * Working days d with day(from) < d ≤ day(to), in Shanghai calendar days; negative when `to`
   * is before `from`. So `workingDaysBetween(t, addWorkingDays(t, n)) === n`.
   */
  workingDaysBetween(from: Date, to: Date): number {
    const start = dayNumber(shanghaiDayOf(from));
    const end = dayNumber(shanghaiDayOf(to));
    const [low, high, sign] = start <= end ? [start, end, 1] : [end, start, -1];
    let count = 0;
    for (let d = low + 1; d <= high; d += 1) if (this.isWorkingDay(isoOfDayNumber(d))) count += 1;
    return sign * count;
  }
}
