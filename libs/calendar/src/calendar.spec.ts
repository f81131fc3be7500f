import chineseDays from 'chinese-days';
import { Settings } from 'luxon';
import { DomainError, ErrorCode } from '#libs/common';
import { addCalendarDays, endOfShanghaiDay, isoWeekday, shanghaiDayOf, WorkingCalendar } from './calendar.js';
import { seedYearsFromChineseDays } from './chinese-days-seed.js';
import { checkExtension, computeDeadlines, maxExtensionUntil, validateExtension } from './deadlines.js';

/** The real State Council arrangements, typed in by hand (not from the package) for the spans the tests use. */
const HAND_CALENDAR = new WorkingCalendar({
  holidays: [
    '2024-09-15', '2024-09-16', '2024-09-17', // 中秋 2024
    '2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-05', '2024-10-06', '2024-10-07', // 国庆 2024
    '2025-01-01', // 元旦 2025
    '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04', // 春节 2025
  ], // prettier-ignore
  makeUpWorkdays: ['2024-09-14', '2024-09-29', '2024-10-12', '2025-01-26', '2025-02-08'],
});
const SEEDED_CALENDAR = WorkingCalendar.fromYears(seedYearsFromChineseDays());
const CALENDARS = [
  ['hand-typed 2024/2025 data', HAND_CALENDAR],
  ['chinese-days seed', SEEDED_CALENDAR],
] as const;

const at = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();

describe('calendar day helpers', () => {
  it('computes weekdays and day arithmetic from the date string alone', () => {
    expect(isoWeekday('2024-09-29')).toBe(7);
    expect(isoWeekday('2024-09-30')).toBe(1);
    expect(isoWeekday('2024-10-12')).toBe(6);
    expect(isoWeekday('1969-12-31')).toBe(3);
    expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addCalendarDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addCalendarDays('2025-03-01', -1)).toBe('2025-02-28');
  });

  it('takes the Shanghai calendar day of an instant, not the UTC or server day', () => {
    expect(shanghaiDayOf(at('2024-09-30T16:30:00Z'))).toBe('2024-10-01');
    expect(shanghaiDayOf(at('2024-09-30T15:59:59.999Z'))).toBe('2024-09-30');
    expect(shanghaiDayOf(at('2024-09-30T23:30:00+08:00'))).toBe('2024-09-30');
    expect(iso(endOfShanghaiDay('2024-10-08'))).toBe('2024-10-08T15:59:59.999Z');
  });

  it('rejects malformed dates and contradictory data', () => {
    expect(() => HAND_CALENDAR.isWorkingDay('2024-9-30')).toThrow(RangeError);
    expect(() => HAND_CALENDAR.isWorkingDay('2025-02-29')).toThrow(RangeError);
    expect(() => new WorkingCalendar({ holidays: ['2024-10-01'], makeUpWorkdays: ['2024-10-01'] })).toThrow(/both/);
    expect(() => new WorkingCalendar({ holidays: ['2024-13-01'], makeUpWorkdays: [] })).toThrow(RangeError);
    expect(() => HAND_CALENDAR.addWorkingDays(at('nonsense'), 1)).toThrow(RangeError);
    expect(() => HAND_CALENDAR.addWorkingDays(at('2024-09-30T10:00:00+08:00'), 0)).toThrow(RangeError);
    expect(() => HAND_CALENDAR.addWorkingDays(at('2024-09-30T10:00:00+08:00'), 1.5)).toThrow(RangeError);
  });

  it('accepts Sets as well as arrays', () => {
    const cal = new WorkingCalendar({ holidays: new Set(['2024-10-01']), makeUpWorkdays: new Set(['2024-10-12']) });
    expect(cal.isWorkingDay('2024-10-01')).toBe(false);
    expect(cal.isWorkingDay('2024-10-12')).toBe(true);
  });
});

describe.each(CALENDARS)('WorkingCalendar (%s)', (_name, cal) => {
  it.each([
    ['2024-09-27', true], // Fri
    ['2024-09-28', false], // ordinary Sat
    ['2024-09-29', true], // Sun, 国庆 make-up day
    ['2024-09-30', true], // Mon
    ['2024-10-01', false], // 国庆
    ['2024-10-04', false], // 国庆, a Friday
    ['2024-10-07', false], // 国庆, a Monday
    ['2024-10-08', true],
    ['2024-10-12', true], // Sat, make-up day
    ['2024-10-13', false], // ordinary Sun
    ['2024-11-23', false], // ordinary Sat
    ['2024-11-24', false], // ordinary Sun
    ['2024-11-25', true], // ordinary Mon
    ['2025-01-01', false], // 元旦, a Wednesday
    ['2025-01-26', true], // Sun, 春节 make-up day
    ['2025-01-27', true],
    ['2025-01-28', false], // 除夕
    ['2025-02-04', false], // 初七, a Tuesday
    ['2025-02-05', true],
    ['2025-02-08', true], // Sat, make-up day
    ['2025-02-09', false], // ordinary Sun
  ])('%s working day: %s', (date, expected) => {
    expect(cal.isWorkingDay(date)).toBe(expected);
  });

  it.each([
    // [opened at, responseDueAt (1), rectifyDueAt (5), max extension (15)]
    // Mon before National Day 2024: Oct 8 is the 1st working day, Sat Oct 12 (make-up) the 5th, Fri Oct 25 the 15th.
    ['2024-09-30T10:00:00+08:00', '2024-10-08T15:59:59.999Z', '2024-10-12T15:59:59.999Z', '2024-10-25T15:59:59.999Z'],
    // Opened during the holiday: the same working days follow.
    ['2024-10-03T09:00:00+08:00', '2024-10-08T15:59:59.999Z', '2024-10-12T15:59:59.999Z', '2024-10-25T15:59:59.999Z'],
    // Ordinary Sat Sep 28: Sun Sep 29 (make-up) is the 1st working day, then Sep 30, Oct 8, 9, 10.
    ['2024-09-28T10:00:00+08:00', '2024-09-29T15:59:59.999Z', '2024-10-10T15:59:59.999Z', '2024-10-23T15:59:59.999Z'],
    // Opened on the make-up Sunday itself: its own day does not count.
    ['2024-09-29T09:00:00+08:00', '2024-09-30T15:59:59.999Z', '2024-10-11T15:59:59.999Z', '2024-10-24T15:59:59.999Z'],
    // Ordinary week: Fri Nov 22 2024 → Mon Nov 25 … Fri Nov 29 … Fri Dec 13.
    ['2024-11-22T14:00:00+08:00', '2024-11-25T15:59:59.999Z', '2024-11-29T15:59:59.999Z', '2024-12-13T15:59:59.999Z'],
    // Opened on an ordinary Saturday: the weekend does not count.
    ['2024-11-23T11:00:00+08:00', '2024-11-25T15:59:59.999Z', '2024-11-29T15:59:59.999Z', '2024-12-13T15:59:59.999Z'],
    // Fri before Spring Festival 2025: Sun Jan 26 (make-up) 1st, Jan 27, Feb 5, 6, Fri Feb 7 5th; Sat Feb 8 6th … Thu Feb 20 15th.
    ['2025-01-24T15:00:00+08:00', '2025-01-26T15:59:59.999Z', '2025-02-07T15:59:59.999Z', '2025-02-20T15:59:59.999Z'],
    // Mon Jan 27 2025, the last working day before the holiday: Feb 5 1st … Sat Feb 8 4th, Mon Feb 10 5th … Mon Feb 24 15th.
    ['2025-01-27T10:00:00+08:00', '2025-02-05T15:59:59.999Z', '2025-02-10T15:59:59.999Z', '2025-02-24T15:59:59.999Z'],
    // Across New Year 2025 (Wed Jan 1 off): Tue Dec 31 2024 → Thu Jan 2 … Wed Jan 8 … Wed Jan 22.
    ['2024-12-31T09:00:00+08:00', '2025-01-02T15:59:59.999Z', '2025-01-08T15:59:59.999Z', '2025-01-22T15:59:59.999Z'],
  ])('a case opened %s is due %s / %s, extensible to %s', (opened, response, rectify, max) => {
    const deadlines = computeDeadlines(cal, at(opened));
    expect(iso(deadlines.responseDueAt)).toBe(response);
    expect(iso(deadlines.rectifyDueAt)).toBe(rectify);
    expect(iso(maxExtensionUntil(cal, at(opened)))).toBe(max);
    expect(cal.workingDaysBetween(at(opened), deadlines.responseDueAt)).toBe(1);
    expect(cal.workingDaysBetween(at(opened), deadlines.rectifyDueAt)).toBe(5);
  });

  describe('late-night openings use the Shanghai calendar day', () => {
    it.each([
      // 23:30 Shanghai on Sun Sep 29 (make-up) → next working day Mon Sep 30.
      ['2024-09-29T23:30:00+08:00', '2024-09-30T15:59:59.999Z'],
      // 16:30Z on Sep 29 is already Mon Sep 30 00:30 in Shanghai → next working day Tue Oct 8.
      ['2024-09-29T16:30:00Z', '2024-10-08T15:59:59.999Z'],
      // 23:30 Shanghai Mon Sep 30 → Oct 8; 16:30Z Sep 30 is Oct 1 00:30 Shanghai → also Oct 8.
      ['2024-09-30T23:30:00+08:00', '2024-10-08T15:59:59.999Z'],
      ['2024-09-30T16:30:00Z', '2024-10-08T15:59:59.999Z'],
      // 20:00Z Oct 7 (a holiday in UTC) is Tue Oct 8 04:00 in Shanghai, a working day → due Wed Oct 9.
      ['2024-10-07T20:00:00Z', '2024-10-09T15:59:59.999Z'],
      // Wed Nov 20 23:30 Shanghai → Thu Nov 21; 16:30Z is Thu Nov 21 00:30 Shanghai → Fri Nov 22.
      ['2024-11-20T23:30:00+08:00', '2024-11-21T15:59:59.999Z'],
      ['2024-11-20T16:30:00Z', '2024-11-22T15:59:59.999Z'],
      // The last millisecond of a Shanghai day still belongs to it.
      ['2024-11-20T15:59:59.999Z', '2024-11-21T15:59:59.999Z'],
      ['2024-11-20T16:00:00.000Z', '2024-11-22T15:59:59.999Z'],
    ])('opened %s → responseDueAt %s', (opened, response) => {
      expect(iso(cal.addWorkingDays(at(opened), 1))).toBe(response);
    });

    it('rectifyDueAt of 2024-09-30T16:30Z (Oct 1 in Shanghai) is Sat Oct 12, the make-up day', () => {
      expect(iso(computeDeadlines(cal, at('2024-09-30T16:30:00Z')).rectifyDueAt)).toBe('2024-10-12T15:59:59.999Z');
    });
  });

  it('counts working days between two instants by Shanghai day', () => {
    const opened = at('2024-09-30T10:00:00+08:00');
    expect(cal.workingDaysBetween(opened, at('2024-09-30T23:59:00+08:00'))).toBe(0);
    expect(cal.workingDaysBetween(opened, at('2024-10-07T12:00:00+08:00'))).toBe(0);
    expect(cal.workingDaysBetween(opened, at('2024-10-12T12:00:00+08:00'))).toBe(5);
    expect(cal.workingDaysBetween(at('2024-10-12T12:00:00+08:00'), opened)).toBe(-5);
    expect(cal.workingDaysBetween(opened, at('2024-10-25T15:59:59.999Z'))).toBe(15);
  });

  it('nthWorkingDayAfter walks over holidays and make-up days', () => {
    expect(cal.nthWorkingDayAfter('2025-01-27', 1)).toBe('2025-02-05');
    expect(cal.nthWorkingDayAfter('2025-01-27', 4)).toBe('2025-02-08');
    expect(cal.nthWorkingDayAfter('2024-09-13', 1)).toBe('2024-09-14'); // Sat make-up before 中秋
    expect(cal.nthWorkingDayAfter('2024-09-14', 1)).toBe('2024-09-18'); // over 中秋 Sep 15–17
  });
});

describe('computeDeadlines with a hotline dueAt', () => {
  it('takes the hotline dueAt as rectifyDueAt and still computes the 1-day response deadline', () => {
    const hotlineDueAt = at('2024-12-11T23:59:59+08:00');
    const deadlines = computeDeadlines(HAND_CALENDAR, at('2024-11-20T10:00:00+08:00'), hotlineDueAt);
    expect(iso(deadlines.responseDueAt)).toBe('2024-11-21T15:59:59.999Z');
    expect(iso(deadlines.rectifyDueAt)).toBe('2024-12-11T15:59:59.000Z');
  });

  it('falls back to 5 working days when the dueAt is null or absent', () => {
    const opened = at('2024-11-20T10:00:00+08:00');
    expect(iso(computeDeadlines(HAND_CALENDAR, opened, null).rectifyDueAt)).toBe('2024-11-27T15:59:59.999Z');
    expect(iso(computeDeadlines(HAND_CALENDAR, opened).rectifyDueAt)).toBe('2024-11-27T15:59:59.999Z');
  });

  it('rejects an invalid dueAt', () => {
    expect(() => computeDeadlines(HAND_CALENDAR, at('2024-11-20T10:00:00+08:00'), at('garbage'))).toThrow(RangeError);
  });
});

describe('extensions (at most 15 working days after opening)', () => {
  const opened = at('2024-09-30T10:00:00+08:00');
  const currentDue = at('2024-10-12T15:59:59.999Z');
  const maxUntil = maxExtensionUntil(HAND_CALENDAR, opened);

  it('accepts any instant after the current deadline up to and including the 15th working day', () => {
    expect(checkExtension(currentDue, at('2024-10-12T16:00:00.000Z'), maxUntil)).toEqual({
      ok: true,
      until: at('2024-10-12T16:00:00.000Z'),
      maxUntil: at('2024-10-25T15:59:59.999Z'),
    });
    expect(iso(validateExtension(currentDue, at('2024-10-25T15:59:59.999Z'), maxUntil))).toBe('2024-10-25T15:59:59.999Z');
  });

  it.each([
    ['2024-10-25T16:00:00.000Z', 'BEYOND_MAX'],
    ['2024-11-01T10:00:00+08:00', 'BEYOND_MAX'],
    ['2024-10-12T15:59:59.999Z', 'NOT_AFTER_CURRENT_DUE'],
    ['2024-10-10T10:00:00+08:00', 'NOT_AFTER_CURRENT_DUE'],
    ['not a date', 'INVALID_DATE'],
  ])('rejects until=%s (%s)', (until, reason) => {
    const check = checkExtension(currentDue, at(until), maxUntil);
    expect(check).toMatchObject({ ok: false, reason, maxUntil: at('2024-10-25T15:59:59.999Z') });
    let thrown: unknown;
    try {
      validateExtension(currentDue, at(until), maxUntil);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe(ErrorCode.ValidationFailed);
    expect((thrown as DomainError).errors).toEqual([{ field: 'until', message: expect.any(String) }]);
  });

  it('a hotline dueAt already beyond 15 working days leaves nothing to extend', () => {
    const lateDue = at('2024-11-30T23:59:59+08:00');
    expect(checkExtension(lateDue, at('2024-10-20T10:00:00+08:00'), maxUntil)).toMatchObject({
      reason: 'NOT_AFTER_CURRENT_DUE',
    });
    expect(checkExtension(lateDue, at('2024-12-05T10:00:00+08:00'), maxUntil)).toMatchObject({ reason: 'BEYOND_MAX' });
  });
});

describe('independence from the server time zone', () => {
  // process.env.TZ cannot be switched inside a jest worker, so instead every local-time API of
  // Date is made to throw (and luxon's default zone moved away from Shanghai): the code must not notice.
  const LOCAL_METHODS = [
    'getFullYear', 'getMonth', 'getDate', 'getDay', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds',
    'getTimezoneOffset', 'setFullYear', 'setMonth', 'setDate', 'setHours', 'setMinutes', 'setSeconds', 'setMilliseconds',
    'toDateString', 'toTimeString', 'toLocaleDateString', 'toLocaleTimeString', 'toLocaleString',
  ] as const; // prettier-ignore
  type LocalMethod = (typeof LOCAL_METHODS)[number];
  const originals = new Map<LocalMethod, unknown>();
  const originalZone = Settings.defaultZone;

  beforeAll(() => {
    Settings.defaultZone = 'America/Los_Angeles';
    for (const name of LOCAL_METHODS) {
      originals.set(name, Date.prototype[name]);
      Object.defineProperty(Date.prototype, name, {
        configurable: true,
        writable: true,
        value: () => {
          throw new Error(`local-time API Date.prototype.${name} was used`);
        },
      });
    }
  });

  afterAll(() => {
    for (const [name, fn] of originals) Object.defineProperty(Date.prototype, name, { configurable: true, writable: true, value: fn });
    Settings.defaultZone = originalZone;
  });

  it('gives the same deadlines with local-time APIs unusable and a foreign default zone', () => {
    expect(() => new Date(0).getDate()).toThrow(/local-time API/);
    const cal = new WorkingCalendar({ holidays: ['2024-10-01', '2024-10-07'], makeUpWorkdays: ['2024-10-12'] });
    expect(iso(cal.addWorkingDays(at('2024-09-30T16:30:00Z'), 1))).toBe('2024-10-02T15:59:59.999Z');
    const deadlines = computeDeadlines(HAND_CALENDAR, at('2024-09-30T10:00:00+08:00'));
    expect(iso(deadlines.responseDueAt)).toBe('2024-10-08T15:59:59.999Z');
    expect(iso(deadlines.rectifyDueAt)).toBe('2024-10-12T15:59:59.999Z');
    expect(iso(maxExtensionUntil(HAND_CALENDAR, at('2025-01-24T15:00:00+08:00')))).toBe('2025-02-20T15:59:59.999Z');
    expect(HAND_CALENDAR.workingDaysBetween(at('2024-09-30T10:00:00+08:00'), at('2024-10-12T12:00:00+08:00'))).toBe(5);
    expect(shanghaiDayOf(at('2024-09-30T16:30:00Z'))).toBe('2024-10-01');
  });
});

describe('seedYearsFromChineseDays', () => {
  const seed = seedYearsFromChineseDays();
  const year = (y: number) => seed.find((s) => s.year === y)!;

  it('covers consecutive years, ascending, including 2024 and 2025', () => {
    const years = seed.map((s) => s.year);
    expect(years).toEqual(expect.arrayContaining([2024, 2025]));
    expect(years).toEqual(Array.from({ length: years.length }, (_, i) => years[0] + i));
  });

  it('has the 2024 National Day and Spring Festival 2025 arrangements', () => {
    expect(year(2024).holidays).toEqual(
      expect.arrayContaining(['2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-05', '2024-10-06', '2024-10-07']),
    );
    expect(year(2024).holidays).not.toContain('2024-10-08');
    expect(year(2024).makeUpWorkdays).toEqual([
      '2024-02-04',
      '2024-02-18',
      '2024-04-07',
      '2024-04-28',
      '2024-05-11',
      '2024-09-14',
      '2024-09-29',
      '2024-10-12',
    ]);
    expect(year(2025).holidays).toEqual(expect.arrayContaining(['2025-01-01', '2025-01-28', '2025-02-04']));
    expect(year(2025).makeUpWorkdays).toEqual(['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']);
    expect(year(2024).names['2024-10-01']).toBe('国庆节');
    expect(year(2024).names['2024-10-12']).toBe('国庆节');
    expect(year(2025).names['2025-01-28']).toBe('春节');
  });

  it('is well formed: sorted, inside its year, make-up days on weekends, no date both ways', () => {
    for (const s of seed) {
      expect([...s.holidays].sort()).toEqual(s.holidays);
      expect([...s.makeUpWorkdays].sort()).toEqual(s.makeUpWorkdays);
      for (const d of [...s.holidays, ...s.makeUpWorkdays]) expect(d.slice(0, 4)).toBe(String(s.year));
      for (const d of s.makeUpWorkdays) expect(isoWeekday(d)).toBeGreaterThanOrEqual(6);
      expect(s.holidays.filter((d) => s.makeUpWorkdays.includes(d))).toEqual([]);
    }
  });

  it('returns fresh data on every call', () => {
    const first = seedYearsFromChineseDays();
    first[0].holidays.push('1999-01-01');
    expect(seedYearsFromChineseDays()[0].holidays).not.toContain('1999-01-01');
  });

  it('agrees with chinese-days on every day of every covered year', () => {
    const disagreements: string[] = [];
    for (const s of seed) {
      for (let d = `${s.year}-01-01`; d.startsWith(String(s.year)); d = addCalendarDays(d, 1)) {
        if (SEEDED_CALENDAR.isWorkingDay(d) !== chineseDays.isWorkday(d)) disagreements.push(d);
      }
    }
    expect(disagreements).toEqual([]);
  });

  // 2024: 262 weekdays − 19 weekday holidays + 8 make-up days; 2025: 261 − 18 + 5.
  it('gives the official working-day totals: 251 in 2024, 248 in 2025', () => {
    const count = (y: number) => SEEDED_CALENDAR.workingDaysBetween(endOfShanghaiDay(`${y - 1}-12-31`), endOfShanghaiDay(`${y}-12-31`));
    expect(count(2024)).toBe(251);
    expect(count(2025)).toBe(248);
  });
});
