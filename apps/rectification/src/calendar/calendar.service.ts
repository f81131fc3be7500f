import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { type CalendarYearSeed, isoWeekday, type IsoDate, provisionalYear, shanghaiDayOf, WorkingCalendar } from '#libs/calendar';
import { Clock, DomainError, type FieldError } from '#libs/common';
import { auditOutboxEntry, OutboxService } from '#libs/messaging';
import { rectificationAuditSummaries } from '../audit-summaries.js';
import { CalendarDayEntity, CalendarYearEntity, type CalendarYearStatus } from './calendar-day.entity.js';

const RELOAD_MS = 60_000;
/** Provisional years are derived from the statutory rules in force since 2025 … */
const FIRST_PROVISIONAL_YEAR = 2025;
/** … up to this many years after the current one (deadlines reach at most weeks ahead). */
const PROVISIONAL_YEARS_AHEAD = 2;
/** Serializes calendar changes (and the deadline recomputation that follows) across instances. */
const CALENDAR_LOCK = 0x63616c65; // 'cale'

export interface CalendarDayInput {
  date: string;
  kind: 'HOLIDAY' | 'WORKDAY';
  name?: string;
}

/** What the calendar of a year rests on; PROVISIONAL: derived from the statutory rules; MISSING: nothing known. */
export type YearStatus = CalendarYearStatus | 'PROVISIONAL' | 'MISSING';

/** The published data (the holiday package) as the service sees it at start-up; replaceable in tests. */
export const PUBLISHED_CALENDAR = Symbol('PUBLISHED_CALENDAR');
export interface PublishedCalendar {
  source: string;
  years(): CalendarYearSeed[];
}

/** A published year that differs from the confirmed one: reported, never applied over the admin's confirmation. */
export interface PublishedDifference {
  year: number;
  source: string;
  /** Days as `YYYY-MM-DD HOLIDAY|WORKDAY` that only the published data has … */
  onlyPublished: string[];
  /** … and that only the confirmed year has. */
  onlyConfirmed: string[];
}

/** Called in the transaction of a calendar change, with the changed calendar: recomputes what depends on the year. */
export type YearChangedListener = (
  manager: EntityManager,
  change: { year: number; calendar: WorkingCalendar; kind: 'CONFIRMED' | 'PUBLISHED'; now: Date },
) => Promise<number>;

interface Snapshot {
  calendar: WorkingCalendar;
  statuses: Map<number, CalendarYearEntity>;
  until: number;
}

const dayKey = (d: { date: string; kind: string }) => `${d.date} ${d.kind}`;

/**
 * The working-day calendar used for deadlines: the stored years (published by the holiday package
 * or confirmed by an admin, `calendar_days` + `calendar_years`), and for the years without either a
 * provisional year derived from the statutory rules. A change of a year (an admin's PUT, or a newer
 * package publishing a year at start-up) recomputes, in the same transaction, every open case
 * whose deadlines touched it (the registered YearChangedListener).
 */
@Injectable()
export class CalendarService implements OnApplicationBootstrap {
  private readonly logger = new Logger(CalendarService.name);
  private cached: Snapshot | null = null;
  private readonly listeners: YearChangedListener[] = [];
  private differences = new Map<number, PublishedDifference>();

  constructor(
    @InjectRepository(CalendarDayEntity) private readonly days: Repository<CalendarDayEntity>,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    @Inject(PUBLISHED_CALENDAR) private readonly published: PublishedCalendar,
  ) {}

  onYearChanged(listener: YearChangedListener): void {
    this.listeners.push(listener);
  }

  /** Picks up the years the installed holiday package publishes (after every module registered its listener). */
  async onApplicationBootstrap(): Promise<void> {
    await this.syncPublished();
  }

  async calendar(): Promise<WorkingCalendar> {
    return (await this.snapshot()).calendar;
  }

  /** The status of a year as of the last load (at most 60 s old). */
  async yearStatus(year: number): Promise<YearStatus> {
    const snapshot = await this.snapshot();
    return statusOf(year, snapshot.statuses);
  }

  /** Published years that differ from their confirmed version, as found at start-up or at the last confirmation. */
  publishedDifferences(): PublishedDifference[] {
    return [...this.differences.values()].sort((a, b) => a.year - b.year);
  }

  invalidate(): void {
    this.cached = null;
  }

  async year(year: number) {
    this.assertYear(year);
    const [rows, meta] = await Promise.all([
      this.days
        .createQueryBuilder('d')
        .where(`d.date BETWEEN :from AND :to`, { from: `${year}-01-01`, to: `${year}-12-31` })
        .orderBy('d.date', 'ASC')
        .getMany(),
      this.dataSource.getRepository(CalendarYearEntity).findOneBy({ year }),
    ]);
    const status = statusOf(year, meta ? new Map([[year, meta]]) : new Map());
    const view =
      status === 'PROVISIONAL'
        ? provisionalDays(year)
        : rows.map((d) => ({ date: d.date, kind: d.kind, name: d.name, origin: d.origin as string }));
    return {
      year,
      timezone: 'Asia/Shanghai',
      rule: 'Mon–Fri are working days, Sat/Sun are not, except the days listed here.',
      status,
      provisional: status === 'PROVISIONAL' || status === 'MISSING',
      ...(status === 'PROVISIONAL'
        ? {
            provisionalRule:
              'No published arrangement yet: the statutory days off of the holiday regulation in force since 2025-01-01 (元旦 1, 春节 4 from 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3) and their 补假 (a statutory day on a weekend is made up on the next free weekday), without 调休 make-up days. Deadlines computed from it are marked deadlineProvisional.',
          }
        : {}),
      source: meta?.source ?? (status === 'PROVISIONAL' ? 'statutory rules' : null),
      confirmedAt: meta?.confirmedAt?.toISOString() ?? null,
      confirmedBy: meta?.confirmedBy ?? null,
      publishedDifference: this.differences.get(year) ?? null,
      days: view,
      holidays: view.filter((d) => d.kind === 'HOLIDAY').map((d) => d.date),
      makeUpWorkdays: view.filter((d) => d.kind === 'WORKDAY').map((d) => d.date),
    };
  }

  /**
   * Confirms a year with the published arrangement (or corrects a confirmed one): replaces every
   * exception of the year (origin `admin`), marks it CONFIRMED and recomputes the deadlines of the
   * open cases that touched it — one transaction.
   */
  async replaceYear(year: number, days: CalendarDayInput[], confirmedBy: { sub: string; role: string }) {
    this.assertYear(year);
    this.validateDays(year, days);
    const now = this.clock.now();
    const changed = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [CALENDAR_LOCK]);
      await this.writeDays(manager, year, days, 'admin');
      await manager.query(
        `INSERT INTO calendar_years (year, status, source, confirmed_at, confirmed_by, updated_at) VALUES ($1, 'CONFIRMED', 'admin', $2, $3, now())
         ON CONFLICT (year) DO UPDATE SET status = 'CONFIRMED', source = 'admin', confirmed_at = $2, confirmed_by = $3, updated_at = now()`,
        [year, now, confirmedBy.sub],
      );
      const deadlinesChanged = await this.notify(manager, year, 'CONFIRMED', now);
      await this.outbox.add(
        manager,
        auditOutboxEntry({
          service: 'Rectification',
          actor: confirmedBy,
          action: 'CALENDAR_CONFIRMED',
          summary: rectificationAuditSummaries.calendarConfirmed(year, days, deadlinesChanged),
          detail: {
            year,
            holidays: days.filter((d) => d.kind === 'HOLIDAY').length,
            workdays: days.filter((d) => d.kind === 'WORKDAY').length,
            deadlinesChanged,
          },
          at: now,
        }),
      );
      return deadlinesChanged;
    });
    this.compareWithPublished(year, days);
    this.invalidate();
    this.logger.log({ year, deadlinesChanged: changed, confirmedBy: confirmedBy.sub }, 'calendar year confirmed');
    return { ...(await this.year(year)), deadlinesChanged: changed };
  }

  /** Confirms a year with the days it has now (provisional, published or confirmed before), changing none of them. */
  async confirmYear(year: number, confirmedBy: { sub: string; role: string }) {
    const current = await this.year(year);
    const days = current.days.map((d) => ({ date: d.date, kind: d.kind, ...(d.name ? { name: d.name } : {}) }));
    return this.replaceYear(year, days, confirmedBy);
  }

  /**
   * Start-up: every year the holiday package publishes that is not stored yet (e.g. 2027, once a
   * release carries it) becomes PUBLISHED, and a published year the package now gives differently
   * is updated; both recompute the deadlines that touched the year. A CONFIRMED year is never
   * overwritten: a difference is reported (log, health warning, metric) for an admin to decide.
   */
  async syncPublished(): Promise<void> {
    const seeds = this.published.years();
    const now = this.clock.now();
    const found = new Map<number, PublishedDifference>();
    const changedYears = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [CALENDAR_LOCK]);
      const years = new Map((await manager.find(CalendarYearEntity)).map((y) => [y.year, y]));
      const stored = await manager.find(CalendarDayEntity);
      const changed: number[] = [];
      for (const seed of seeds) {
        const meta = years.get(seed.year);
        const seedDays = seedAsDays(seed);
        const storedDays = stored.filter((d) => d.date.startsWith(`${seed.year}-`));
        const difference = diff(seed.year, this.published.source, seedDays, storedDays);
        if (meta?.status === 'CONFIRMED') {
          if (difference) found.set(seed.year, difference);
          continue;
        }
        if (meta && !difference) continue;
        await this.writeDays(manager, seed.year, seedDays, 'seed');
        await manager.query(
          `INSERT INTO calendar_years (year, status, source, updated_at) VALUES ($1, 'PUBLISHED', $2, now())
           ON CONFLICT (year) DO UPDATE SET status = 'PUBLISHED', source = $2, updated_at = now()`,
          [seed.year, this.published.source],
        );
        changed.push(seed.year);
      }
      let recomputed = 0;
      for (const year of changed) recomputed += await this.notify(manager, year, 'PUBLISHED', now);
      if (changed.length)
        this.logger.log(
          { years: changed, source: this.published.source, deadlinesChanged: recomputed },
          'published calendar years picked up',
        );
      return changed;
    });
    this.differences = found;
    for (const d of found.values()) {
      this.logger.warn(
        { year: d.year, source: d.source, onlyPublished: d.onlyPublished, onlyConfirmed: d.onlyConfirmed },
        `the published ${d.year} arrangement differs from the confirmed one; the confirmed year stays in force`,
      );
    }
    if (changedYears.length) this.invalidate();
  }

  private async notify(manager: EntityManager, year: number, kind: 'CONFIRMED' | 'PUBLISHED', now: Date): Promise<number> {
    if (!this.listeners.length) return 0;
    const { calendar } = await this.load(manager);
    let changed = 0;
    for (const listener of this.listeners) changed += await listener(manager, { year, calendar, kind, now });
    return changed;
  }

  private compareWithPublished(year: number, days: CalendarDayInput[]): void {
    const seed = this.published.years().find((s) => s.year === year);
    const difference = seed ? diff(year, this.published.source, seedAsDays(seed), days) : null;
    if (difference) {
      this.differences.set(year, difference);
      this.logger.warn(
        { year, source: difference.source, onlyPublished: difference.onlyPublished, onlyConfirmed: difference.onlyConfirmed },
        `the confirmed ${year} arrangement differs from the published one; the confirmed year stays in force`,
      );
    } else this.differences.delete(year);
  }

  private async snapshot(): Promise<Snapshot> {
    if (this.cached && this.cached.until > Date.now()) return this.cached;
    const loaded = await this.load(this.dataSource.manager);
    this.cached = { ...loaded, until: Date.now() + RELOAD_MS };
    return this.cached;
  }

  private async load(manager: EntityManager): Promise<Omit<Snapshot, 'until'>> {
    const [rows, years] = await Promise.all([manager.find(CalendarDayEntity), manager.find(CalendarYearEntity)]);
    const statuses = new Map(years.map((y) => [y.year, y]));
    const lastYear = Number(shanghaiDayOf(this.clock.now()).slice(0, 4)) + PROVISIONAL_YEARS_AHEAD;
    const provisional: CalendarYearSeed[] = [];
    for (let year = FIRST_PROVISIONAL_YEAR; year <= lastYear; year += 1) {
      if (!statuses.has(year)) provisional.push(provisionalYear(year));
    }
    const calendar = new WorkingCalendar({
      holidays: new Set([...rows.filter((d) => d.kind === 'HOLIDAY').map((d) => d.date), ...provisional.flatMap((p) => p.holidays)]),
      makeUpWorkdays: new Set(rows.filter((d) => d.kind === 'WORKDAY').map((d) => d.date)),
      provisionalYears: provisional.map((p) => p.year),
    });
    return { calendar, statuses };
  }

  private async writeDays(manager: EntityManager, year: number, days: CalendarDayInput[], origin: 'seed' | 'admin'): Promise<void> {
    await manager.query(`DELETE FROM calendar_days WHERE date BETWEEN $1 AND $2`, [`${year}-01-01`, `${year}-12-31`]);
    if (days.length) {
      await manager.query(
        `INSERT INTO calendar_days (date, kind, name, origin, updated_at)
         SELECT d, k, n, $4, now() FROM unnest($1::date[], $2::text[], $3::text[]) AS t(d, k, n)`,
        [days.map((d) => d.date), days.map((d) => d.kind), days.map((d) => d.name ?? null), origin],
      );
    }
  }

  private validateDays(year: number, days: CalendarDayInput[]): void {
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
  }

  private assertYear(year: number): void {
    if (year < 2000 || year > 2100) throw DomainError.validation([{ field: 'year', message: 'must be between 2000 and 2100' }]);
  }
}

function statusOf(year: number, statuses: ReadonlyMap<number, CalendarYearEntity>): YearStatus {
  const meta = statuses.get(year);
  if (meta) return meta.status;
  return year >= FIRST_PROVISIONAL_YEAR && year < 2100 ? 'PROVISIONAL' : 'MISSING';
}

function provisionalDays(year: number) {
  const seed = provisionalYear(year);
  return seed.holidays.map((date) => ({ date, kind: 'HOLIDAY' as const, name: seed.names[date] ?? null, origin: 'provisional' }));
}

function seedAsDays(seed: CalendarYearSeed): CalendarDayInput[] {
  return [
    ...seed.holidays.map((date) => ({ date, kind: 'HOLIDAY' as const, name: seed.names[date] })),
    ...seed.makeUpWorkdays.map((date) => ({ date, kind: 'WORKDAY' as const, name: seed.names[date] })),
  ].sort((a, b) => a.date.localeCompare(b.date));
}

function diff(
  year: number,
  source: string,
  published: ReadonlyArray<{ date: IsoDate; kind: string }>,
  other: ReadonlyArray<{ date: IsoDate; kind: string }>,
): PublishedDifference | null {
  const a = new Set(published.map(dayKey));
  const b = new Set(other.map(dayKey));
  const onlyPublished = [...a].filter((k) => !b.has(k)).sort();
  const onlyConfirmed = [...b].filter((k) => !a.has(k)).sort();
  return onlyPublished.length || onlyConfirmed.length ? { year, source, onlyPublished, onlyConfirmed } : null;
}
