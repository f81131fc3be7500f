import chineseDays from 'chinese-days';
import { addCalendarDays, type IsoDate, isoWeekday } from './calendar.js';
import type { CalendarYearSeed } from './chinese-days-seed.js';

/**
 * A provisional year: the days off of the national holiday regulation
 * (《全国年节及纪念日放假办法》, as in force since 2025-01-01) for a year whose arrangement
 * (国务院办公厅 节假日安排) has not been published yet. Only what the regulation itself fixes:
 * the 调休 shifts and make-up working days of a published arrangement cannot be known in advance,
 * so a provisional year has no make-up working days.
 *
 *   元旦 1 day (1月1日) · 春节 4 days (农历除夕, 正月初一–初三) · 清明节 1 day (the 清明 solar term)
 *   劳动节 2 days (5月1日–2日) · 端午节 1 day (农历五月初五) · 中秋节 1 day (农历八月十五)
 *   国庆节 3 days (10月1日–3日)
 *   补假 (第六条): a statutory day that falls on a Saturday or Sunday is made up on a working day, the
 *   first weekday after it that is not already off — so deadlines are never earlier than the rules allow.
 *
 * Lunar and solar-term dates come from chinese-days' own functions.
 */
export const STATUTORY_RULES_SINCE = '2025-01-01';

const pad = (n: number): string => String(n).padStart(2, '0');
const iso = (year: number, month: number, day: number): IsoDate => `${year}-${pad(month)}-${pad(day)}`;

/**
 * chinese-days reads and writes dates through the host's local time. A lunar date given as a
 * local-noon Date is read back as that same calendar day in any time zone, and its answer is a
 * local calendar day too, so the lunar conversion is zone-proof this way.
 */
function solarOfLunar(year: number, month: number, day: number): IsoDate {
  return chineseDays.getSolarDateFromLunar(new Date(year, month - 1, day, 12)).date;
}

/**
 * The day of the 清明 solar term. chinese-days builds it as UTC midnight of the day and formats it
 * in local time, which west of UTC reads as the day before; that shift is measured and undone.
 */
function qingmingDay(year: number): IsoDate {
  const answered = chineseDays.getSolarTermDate(year, 4, 'pure_brightness');
  const [y, m, d] = answered.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  const behind = probe.getUTCDate() !== probe.getDate(); // west of UTC the answer is a day behind
  const day = addCalendarDays(iso(y, m, d), behind ? 1 : 0);
  if (!/^\d{4}-04-0[3-6]$/.test(day)) throw new RangeError(`chinese-days gave an implausible 清明 date for ${year}: ${answered}`);
  return day;
}

/** The statutory days off of a year, by festival, from the regulation in force since 2025-01-01. */
export function statutoryDaysOff(year: number): Record<IsoDate, string> {
  if (!Number.isInteger(year) || year < 2025 || year > 2099) {
    throw new RangeError(
      `A provisional year is derived for 2025–2099 (the regulation in force since ${STATUTORY_RULES_SINCE}), not ${year}`,
    );
  }
  const springFestival = solarOfLunar(year, 1, 1);
  const days: Array<[IsoDate, string]> = [
    [iso(year, 1, 1), '元旦'],
    [addCalendarDays(springFestival, -1), '春节'], // 除夕: the day before 正月初一, whether 腊月 has 29 or 30 days
    [springFestival, '春节'],
    [addCalendarDays(springFestival, 1), '春节'],
    [addCalendarDays(springFestival, 2), '春节'],
    [qingmingDay(year), '清明节'],
    [iso(year, 5, 1), '劳动节'],
    [iso(year, 5, 2), '劳动节'],
    [solarOfLunar(year, 5, 5), '端午节'],
    [solarOfLunar(year, 8, 15), '中秋节'],
    [iso(year, 10, 1), '国庆节'],
    [iso(year, 10, 2), '国庆节'],
    [iso(year, 10, 3), '国庆节'],
  ];
  // 中秋 may fall inside 国庆 (e.g. 2025-10-06 is outside, 2020-10-01 was inside): one entry per date.
  const byDate: Record<IsoDate, string> = {};
  for (const [date, name] of days) {
    if (date.slice(0, 4) !== String(year)) continue; // 除夕 of a 春节 on 1 January would belong to the year before
    byDate[date] = byDate[date] ? `${byDate[date]}、${name}` : name;
  }
  return byDate;
}

/** 补假: for each statutory day on a weekend, in date order, the first later weekday that is not off yet. */
export function madeUpDaysOff(statutory: Record<IsoDate, string>): Record<IsoDate, string> {
  const off = new Set(Object.keys(statutory));
  const madeUp: Record<IsoDate, string> = {};
  for (const date of Object.keys(statutory).sort()) {
    if (isoWeekday(date) <= 5) continue;
    let day = addCalendarDays(date, 1);
    while (isoWeekday(day) > 5 || off.has(day)) day = addCalendarDays(day, 1);
    off.add(day);
    madeUp[day] = `${statutory[date]}补假`;
  }
  return madeUp;
}

const memo = new Map<number, CalendarYearSeed>();

/** A provisional year in the shape of a published one: statutory days and their 补假, no make-up working days. Fresh copy per call. */
export function provisionalYear(year: number): CalendarYearSeed {
  let seed = memo.get(year);
  if (!seed) {
    const statutory = statutoryDaysOff(year);
    const names = { ...statutory, ...madeUpDaysOff(statutory) };
    seed = { year, holidays: Object.keys(names).sort(), makeUpWorkdays: [], names };
    memo.set(year, seed);
  }
  return { year, holidays: [...seed.holidays], makeUpWorkdays: [], names: { ...seed.names } };
}
