import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { isoWeekday, WorkingCalendar } from '#libs/calendar';
import { DomainError, type FieldError } from '#libs/common';
import { CalendarDayEntity } from './calendar-day.entity.js';

const RELOAD_MS = 60_000;

export interface CalendarDayInput {
  date: string;
  kind: 'HOLIDAY' | 'WORKDAY';
  name?: string;
}

/** The working-day calendar used for deadlines, loaded from the (admin-correctable) calendar_days table. */
@Injectable()
export class CalendarService {
  private cached: { calendar: WorkingCalendar; until: number } | null = null;

  constructor(
    @InjectRepository(CalendarDayEntity) private readonly days: Repository<CalendarDayEntity>,
    private readonly dataSource: DataSource,
  ) {}

  async calendar(): Promise<WorkingCalendar> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.calendar;
    const rows = await this.days.find();
    const calendar = new WorkingCalendar({
      holidays: new Set(rows.filter((d) => d.kind === 'HOLIDAY').map((d) => d.date)),
      makeUpWorkdays: new Set(rows.filter((d) => d.kind === 'WORKDAY').map((d) => d.date)),
    });
    this.cached = { calendar, until: Date.now() + RELOAD_MS };
    return calendar;
  }

  invalidate(): void {
    this.cached = null;
  }

  async year(year: number) {
    this.assertYear(year);
    const rows = await this.days
      .createQueryBuilder('d')
      .where(`d.date BETWEEN :from AND :to`, { from: `${year}-01-01`, to: `${year}-12-31` })
      .orderBy('d.date', 'ASC')
      .getMany();
    const view = rows.map((d) => ({ date: d.date, kind: d.kind, name: d.name, origin: d.origin }));
    return {
      year,
      timezone: 'Asia/Shanghai',
      rule: 'Mon–Fri are working days, Sat/Sun are not, except the days listed here.',
      days: view,
      holidays: view.filter((d) => d.kind === 'HOLIDAY').map((d) => d.date),
      makeUpWorkdays: view.filter((d) => d.kind === 'WORKDAY').map((d) => d.date),
    };
  }

  /** Replaces every exception of the year (origin `admin`), in one transaction. */
  async replaceYear(year: number, days: CalendarDayInput[]) {
    this.assertYear(year);
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    days.forEach((d, i) => {
      let weekday: number | null = null;
      try {
        weekday = isoWeekday(d.date);
      } catch {
        errors.push({ field: `days.${i}.date`, message: 'is not a calendar date' });
      }
      if (!d.date.startsWith(`${year}-`)) errors.push({ field: `days.${i}.date`, message: `must be in ${year}` });
      if (seen.has(d.date)) errors.push({ field: `days.${i}.date`, message: 'is listed twice' });
      seen.add(d.date);
      if (d.kind === 'WORKDAY' && weekday !== null && weekday <= 5) {
        errors.push({ field: `days.${i}.kind`, message: 'a make-up working day must be a Saturday or Sunday' });
      }
    });
    if (errors.length) throw DomainError.validation(errors);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM calendar_days WHERE date BETWEEN $1 AND $2`, [`${year}-01-01`, `${year}-12-31`]);
      if (days.length) {
        await manager.query(
          `INSERT INTO calendar_days (date, kind, name, origin, updated_at)
           SELECT d, k, n, 'admin', now() FROM unnest($1::date[], $2::text[], $3::text[]) AS t(d, k, n)`,
          [days.map((d) => d.date), days.map((d) => d.kind), days.map((d) => d.name ?? null)],
        );
      }
    });
    this.invalidate();
    return this.year(year);
  }

  private assertYear(year: number): void {
    if (year < 2000 || year > 2100) throw DomainError.validation([{ field: 'year', message: 'must be between 2000 and 2100' }]);
  }
}
