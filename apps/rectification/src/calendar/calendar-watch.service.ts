import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { shanghaiDayOf } from '#libs/calendar';
import { Clock, MetricsRegistry } from '#libs/common';
import { ScheduledJobs } from '#libs/messaging';
import { HealthWarnings, type HealthWarning } from '#libs/platform';
import { calendarWarnings, isSettled, type YearState } from './calendar-warning.js';
import { CalendarService } from './calendar.service.js';

const CHECK_MS = 10 * 60_000;

/**
 * Keeps an unconfirmed calendar loud: a warning in the readiness body, the gauges
 * `calendar_next_year_confirmed` (1 once next year is published or confirmed),
 * `calendar_warning` (1 while a warning stands, from 1 November for the next year) and
 * `calendar_published_differs{year}`, and a log warning once a (Shanghai) day.
 */
@Injectable()
export class CalendarWatch implements OnApplicationBootstrap {
  private readonly logger = new Logger(CalendarWatch.name);
  private lastLoggedDay: string | null = null;
  private state: { nextYearSettled: boolean; warnings: number } = { nextYearSettled: true, warnings: 0 };

  constructor(
    private readonly calendar: CalendarService,
    private readonly clock: Clock,
    metrics: MetricsRegistry,
    healthWarnings: HealthWarnings,
    jobs: ScheduledJobs,
  ) {
    // Every replica checks on demand for its own /health and /metrics; the periodic check (and its daily log) is one
    // replica's per tick.
    jobs.register({ name: 'calendar-watch', everyMs: CHECK_MS, run: () => this.check() });
    // The gauges read the last check; /metrics and /health both run one first, so they never lag a scrape.
    const confirmed: Gauge = new Gauge({
      name: 'calendar_next_year_confirmed',
      help: 'Whether next year has a published or confirmed holiday arrangement (0: deadlines into it are provisional)',
      registers: [metrics.registry],
      collect: async () => {
        await this.check();
        confirmed.set(this.state.nextYearSettled ? 1 : 0);
      },
    });
    const warning: Gauge = new Gauge({
      name: 'calendar_warning',
      help: 'Calendar years needing confirmation now (the current year, and from 1 November the next)',
      registers: [metrics.registry],
      collect: async () => {
        await this.check();
        warning.set(this.state.warnings);
      },
    });
    const differs: Gauge<'year'> = new Gauge({
      name: 'calendar_published_differs',
      help: 'A published (holiday package) year that differs from the confirmed one, which stays in force',
      labelNames: ['year'],
      registers: [metrics.registry],
      collect: () => {
        differs.reset();
        for (const d of this.calendar.publishedDifferences()) differs.set({ year: String(d.year) }, 1);
      },
    });
    healthWarnings.register('calendar', () => this.healthWarnings());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.check();
  }

  /** Evaluates the warnings for the clock's today; logs them once per Shanghai day. */
  async check(): Promise<HealthWarning[]> {
    const today = shanghaiDayOf(this.clock.now());
    const year = Number(today.slice(0, 4));
    const statuses = new Map<number, YearState>();
    for (const y of [year, year + 1]) statuses.set(y, await this.calendar.yearStatus(y));
    const warnings = calendarWarnings(today, (y) => statuses.get(y) ?? 'MISSING');
    this.state = { nextYearSettled: isSettled(statuses.get(year + 1)!), warnings: warnings.length };
    const result: HealthWarning[] = warnings.map((w) => ({
      name: 'calendar',
      message: w.message,
      details: { year: w.year, status: w.status },
    }));
    for (const d of this.calendar.publishedDifferences()) {
      result.push({
        name: 'calendar',
        message: `${d.year} 年已发布的节假日安排（${d.source}）与管理员确认的不一致；仍按确认的执行，请核对。`,
        details: {
          year: d.year,
          status: 'CONFIRMED',
          publishedDiffers: true,
          onlyPublished: d.onlyPublished,
          onlyConfirmed: d.onlyConfirmed,
        },
      });
    }
    if (result.length && this.lastLoggedDay !== today) {
      this.lastLoggedDay = today;
      for (const w of result) this.logger.warn({ calendar: w.details }, w.message);
    }
    return result;
  }

  private async healthWarnings(): Promise<HealthWarning[]> {
    return this.check();
  }
}
