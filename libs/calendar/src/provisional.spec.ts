import chineseDays from 'chinese-days';
import { createRequire } from 'node:module';
import { isoWeekday, WorkingCalendar } from './calendar.js';
import { seedYearsFromChineseDays } from './chinese-days-seed.js';
import { computeDeadlines, deadlineMissed, recomputeDeadlines } from './deadlines.js';
import { madeUpDaysOff, provisionalYear, statutoryDaysOff } from './provisional.js';

const published = (year: number) => seedYearsFromChineseDays().find((s) => s.year === year)!;
const weekdays = (dates: readonly string[]) => dates.filter((d) => isoWeekday(d) <= 5);
const minus = (a: readonly string[], b: readonly string[]) => a.filter((d) => !b.includes(d)).sort();
/** The 调休 shifted days off as chinese-days itself marks them (`inLieuDays`): an independent cross-check. */
const inLieu = (year: number) =>
  Object.keys((createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as { inLieuDays: Record<string, string> }).inLieuDays)
    .filter((d) => d.startsWith(`${year}-`))
    .sort();

/**
 * What the State Council's published arrangement adds to the regulation, year by year: the 调休
 * shifts, weekdays given off in exchange for make-up working days (chinese-days marks them as
 * `inLieuDays`), and the make-up working days themselves. Neither can be known in advance, so the
 * provisional year has none of them — and these are the only differences. (补假, the weekday off
 * for a statutory day that fell on a weekend, is the regulation's own rule: the provisional year has it.)
 */
const KNOWN_ARRANGEMENT_DAYS: Record<number, { shiftedOff: string[]; madeUp: string[]; makeUpWorkdays: string[] }> = {
  2025: {
    shiftedOff: [
      '2025-02-03', // 春节 extended to 初七
      '2025-02-04',
      '2025-05-05', // 劳动节 5 days
      '2025-10-07', // 国庆·中秋 8 days
      '2025-10-08',
    ],
    madeUp: ['2025-06-02'], // 端午 fell on Sat 05-31
    makeUpWorkdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    shiftedOff: [
      '2026-01-02', // 元旦 3 days
      '2026-02-20', // 春节 9 days
      '2026-02-23',
      '2026-05-05',
      '2026-10-06',
      '2026-10-07',
    ],
    madeUp: ['2026-04-06', '2026-05-04', '2026-10-05'], // 清明 fell on Sun 04-05, 劳动节's 05-02 and 国庆's 10-03 on Saturdays
    makeUpWorkdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
};

describe('provisional year from the statutory rules (in force since 2025-01-01)', () => {
  describe.each([2025, 2026])('against the published %i arrangement', (year) => {
    const provisional = provisionalYear(year);
    const actual = published(year);
    const known = KNOWN_ARRANGEMENT_DAYS[year]!;

    it('has 13 statutory days, their 补假, and no make-up working days', () => {
      expect(Object.keys(statutoryDaysOff(year))).toHaveLength(13);
      expect(Object.keys(madeUpDaysOff(statutoryDaysOff(year))).sort()).toEqual(known.madeUp);
      expect(provisional.holidays).toHaveLength(13 + known.madeUp.length);
      expect(provisional.makeUpWorkdays).toEqual([]);
    });

    it('every provisional day off, 补假 included, is a day off in the published arrangement', () => {
      expect(minus(provisional.holidays, actual.holidays)).toEqual([]);
    });

    it('the published weekdays off are exactly the provisional ones plus the known 调休 days', () => {
      expect(minus(weekdays(actual.holidays), weekdays(provisional.holidays))).toEqual([...known.shiftedOff].sort());
      expect(minus(weekdays(provisional.holidays), weekdays(actual.holidays))).toEqual([]);
    });

    it('the known 调休 days are the ones chinese-days marks as shifted (inLieuDays); the 补假 days are not shifts', () => {
      expect([...known.shiftedOff].sort()).toEqual(inLieu(year));
      for (const date of known.madeUp) expect(chineseDays.isInLieu(date)).toBe(false);
    });

    it('the published make-up working days are the known ones, which the provisional year cannot know', () => {
      expect(actual.makeUpWorkdays).toEqual(known.makeUpWorkdays);
    });

    it('gives every working day the published calendar gives, but the known differences', () => {
      const prov = WorkingCalendar.fromYears([{ ...provisional, provisional: true }]);
      const pub = WorkingCalendar.fromYears([actual]);
      const differing: string[] = [];
      for (let m = 0; m < 12; m += 1) {
        for (let d = 1; d <= 31; d += 1) {
          const date = `${year}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          const real = new Date(`${date}T00:00:00Z`);
          if (real.toISOString().slice(0, 10) !== date) continue;
          if (prov.isWorkingDay(date) !== pub.isWorkingDay(date)) differing.push(date);
        }
      }
      expect(differing.sort()).toEqual([...known.shiftedOff, ...known.makeUpWorkdays].sort());
    });
  });

  it('derives 2027 from the lunar calendar and the 清明 term (chinese-days 1.5.7 has no 2027 arrangement)', () => {
    expect(published(2027)).toBeUndefined();
    expect(statutoryDaysOff(2027)).toEqual({
      '2027-01-01': '元旦',
      '2027-02-05': '春节', // 除夕 (腊月廿九: 腊月 2026 has 29 days)
      '2027-02-06': '春节', // 正月初一
      '2027-02-07': '春节',
      '2027-02-08': '春节',
      '2027-04-05': '清明节',
      '2027-05-01': '劳动节',
      '2027-05-02': '劳动节',
      '2027-06-09': '端午节',
      '2027-09-15': '中秋节',
      '2027-10-01': '国庆节',
      '2027-10-02': '国庆节',
      '2027-10-03': '国庆节',
    });
  });

  it("makes up 2027's weekend statutory days on the next free weekdays (春节 02-06/07, 劳动节, 国庆)", () => {
    expect(madeUpDaysOff(statutoryDaysOff(2027))).toEqual({
      '2027-02-09': '春节补假', // 初一 Sat 02-06 → Tue (Mon 02-08 is 初三)
      '2027-02-10': '春节补假', // 初二 Sun 02-07
      '2027-05-03': '劳动节补假',
      '2027-05-04': '劳动节补假',
      '2027-10-04': '国庆节补假',
      '2027-10-05': '国庆节补假',
    });
  });

  it('names a day that two festivals share once, with both names (中秋 on 国庆, e.g. 2031-10-01)', () => {
    const days = statutoryDaysOff(2031);
    expect(Object.keys(days)).toHaveLength(12);
    expect(days['2031-10-01']).toBe('中秋节、国庆节');
  });

  it('refuses years the regulation does not cover and returns fresh copies', () => {
    expect(() => provisionalYear(2024)).toThrow(RangeError);
    expect(() => provisionalYear(2100)).toThrow(RangeError);
    provisionalYear(2027).holidays.push('1999-01-01');
    expect(provisionalYear(2027).holidays).not.toContain('1999-01-01');
  });
});

describe('deadlines across the year boundary with 2027 provisional', () => {
  const y2026 = published(2026);
  const calendar = WorkingCalendar.fromYears([y2026, { ...provisionalYear(2027), provisional: true }]);
  const opened = new Date('2026-12-28T10:00:00+08:00'); // a Monday

  it('a case opened Mon 2026-12-28 is due on the 5th working day skipping 元旦 2027-01-01: Tue 01-05, provisional', () => {
    const deadlines = computeDeadlines(calendar, opened);
    expect(deadlines.responseDueAt.toISOString()).toBe('2026-12-29T15:59:59.999Z');
    expect(deadlines.rectifyDueAt.toISOString()).toBe('2027-01-05T15:59:59.999Z');
    expect(deadlines.provisional).toBe(true);
    // Without the provisional year 元旦 would count as a working day: the deadline would be a day early.
    expect(computeDeadlines(WorkingCalendar.fromYears([y2026]), opened).rectifyDueAt.toISOString()).toBe('2027-01-04T15:59:59.999Z');
  });

  it('is not provisional when no computed deadline reaches into the provisional year', () => {
    expect(computeDeadlines(calendar, new Date('2026-12-01T10:00:00+08:00')).provisional).toBe(false);
    // A hotline dueAt is the 12345 centre's date: only the 1-day response deadline is computed.
    expect(computeDeadlines(calendar, opened, new Date('2027-01-20T23:59:59+08:00')).provisional).toBe(false);
    expect(computeDeadlines(calendar, new Date('2026-12-31T10:00:00+08:00'), new Date('2027-01-20T23:59:59+08:00')).provisional).toBe(true);
    expect(calendar.isProvisional('2027-03-01')).toBe(true);
    expect(calendar.isProvisional('2026-12-31')).toBe(false);
  });

  it('recomputes under a confirmed 2027 and keeps the dates nobody computed (hotline dueAt, approved extension)', () => {
    const confirmed = WorkingCalendar.fromYears([
      y2026,
      { year: 2027, holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04'], makeUpWorkdays: ['2027-01-09'] },
    ]);
    const again = recomputeDeadlines(confirmed, { openedAt: opened });
    expect(again.rectifyDueAt.toISOString()).toBe('2027-01-06T15:59:59.999Z');
    expect(again.provisional).toBe(false);
    const extended = new Date('2027-01-12T15:59:59.999Z');
    expect(recomputeDeadlines(calendar, { openedAt: opened, extendedUntil: extended })).toEqual({
      responseDueAt: new Date('2026-12-29T15:59:59.999Z'),
      rectifyDueAt: extended,
      provisional: false,
    });
    const hotline = new Date('2027-01-20T15:59:59.000Z');
    expect(recomputeDeadlines(confirmed, { openedAt: opened, hotlineDueAt: hotline }).rectifyDueAt).toBe(hotline);
  });

  it('deadlineMissed: passed and not met by the deadline', () => {
    const due = new Date('2027-01-06T15:59:59.999Z');
    expect(deadlineMissed(due, null, new Date('2027-01-06T15:00:00Z'))).toBe(false);
    expect(deadlineMissed(due, null, new Date('2027-01-06T16:00:00Z'))).toBe(true);
    expect(deadlineMissed(due, new Date('2027-01-06T10:00:00Z'), new Date('2027-01-08T00:00:00Z'))).toBe(false);
    expect(deadlineMissed(due, new Date('2027-01-07T10:00:00Z'), new Date('2027-01-08T00:00:00Z'))).toBe(true);
  });
});
