import { createRequire } from 'node:module';
import type { IsoDate } from './calendar.js';

/** One year of the mainland calendar's exceptions, ready to seed the `calendar_days` table. */
export interface CalendarYearSeed {
  year: number;
  /** Statutory holidays (放假), including the weekend days inside a holiday block. Sorted. */
  holidays: IsoDate[];
  /** 调休 make-up working days (上班), always weekend days. Sorted. */
  makeUpWorkdays: IsoDate[];
  /** Chinese name of the festival each date belongs to (e.g. `国庆节`). */
  names: Record<IsoDate, string>;
}

/**
 * `chinese-days` keeps the State Council's arrangements (国务院办公厅 节假日安排) as one JSON
 * file: `{ holidays, workdays, inLieuDays }`, each a map from `YYYY-MM-DD` to
 * `"English name,中文名,days"`. Its function API answers per date only and cannot say which
 * years it covers, so the data file is the source here. It is CommonJS JSON, hence createRequire.
 */
interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

const requireCjs = createRequire(import.meta.url);

function chineseName(label: string): string {
  const parts = label.split(',');
  return (parts[1] ?? parts[0] ?? '').trim();
}

/** Every year the installed `chinese-days` covers, ascending. Deterministic: same package version, same answer. */
export function seedYearsFromChineseDays(): CalendarYearSeed[] {
  const data = requireCjs('chinese-days/dist/chinese-days.json') as ChineseDaysData;
  const years = new Map<number, CalendarYearSeed>();
  const yearOf = (date: string): CalendarYearSeed => {
    const year = Number(date.slice(0, 4));
    let seed = years.get(year);
    if (!seed) {
      seed = { year, holidays: [], makeUpWorkdays: [], names: {} };
      years.set(year, seed);
    }
    return seed;
  };
  for (const [date, label] of Object.entries(data.holidays)) {
    const seed = yearOf(date);
    seed.holidays.push(date);
    seed.names[date] = chineseName(label);
  }
  for (const [date, label] of Object.entries(data.workdays)) {
    const seed = yearOf(date);
    seed.makeUpWorkdays.push(date);
    seed.names[date] = chineseName(label);
  }
  return [...years.values()]
    .sort((a, b) => a.year - b.year)
    .map((seed) => ({ ...seed, holidays: seed.holidays.sort(), makeUpWorkdays: seed.makeUpWorkdays.sort() }));
}

/** The installed chinese-days version (e.g. `1.5.7`): where "published" calendar data comes from. */
export function chineseDaysVersion(): string {
  return (requireCjs('chinese-days/package.json') as { version: string }).version;
}
