import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { WorkingCalendar } from '#libs/calendar';
import { CalendarDayEntity } from './calendar-day.entity.js';

const RELOAD_MS = 60_000;

/** The working-day calendar used for deadlines, loaded from the (admin-correctable) calendar_days table. */
@Injectable()
export class CalendarService {
  private cached: { calendar: WorkingCalendar; until: number } | null = null;

  constructor(@InjectRepository(CalendarDayEntity) private readonly days: Repository<CalendarDayEntity>) {}

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
}
