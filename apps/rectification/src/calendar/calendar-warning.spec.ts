import { calendarWarnings, type YearState } from './calendar-warning.js';

const statuses =
  (map: Record<number, YearState>) =>
  (year: number): YearState =>
    map[year] ?? 'MISSING';

describe('calendarWarnings', () => {
  const provisional2027 = statuses({ 2026: 'PUBLISHED', 2027: 'PROVISIONAL' });

  it('is quiet until 31 October, warns from 1 November while next year is provisional', () => {
    expect(calendarWarnings('2026-10-31', provisional2027)).toEqual([]);
    expect(calendarWarnings('2026-11-01', provisional2027)).toEqual([
      { year: 2027, status: 'PROVISIONAL', message: expect.stringContaining('2027 年节假日安排尚未确认') },
    ]);
    expect(calendarWarnings('2026-12-31', provisional2027)).toHaveLength(1);
  });

  it('stops once next year is published or confirmed', () => {
    expect(calendarWarnings('2026-11-15', statuses({ 2026: 'PUBLISHED', 2027: 'PUBLISHED' }))).toEqual([]);
    expect(calendarWarnings('2026-11-15', statuses({ 2026: 'CONFIRMED', 2027: 'CONFIRMED' }))).toEqual([]);
  });

  it('always warns about a current year without an arrangement, and names a missing one', () => {
    expect(calendarWarnings('2027-03-01', provisional2027).map((w) => w.year)).toEqual([2027]);
    expect(calendarWarnings('2100-11-02', statuses({})).map((w) => [w.year, w.status])).toEqual([
      [2100, 'MISSING'],
      [2101, 'MISSING'],
    ]);
    expect(calendarWarnings('2100-11-02', statuses({}))[0]!.message).toContain('没有节假日数据');
  });
});
