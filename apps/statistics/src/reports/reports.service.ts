import { Injectable } from '@nestjs/common';
import { scopedUnit, type UserPrincipal } from '#libs/auth';
import { previousQuarter, quarterRange, shanghaiDate } from '#libs/common';
import { DateTime } from 'luxon';
import { HotspotsService } from '../analysis/hotspots.service.js';
import {
  type AnalysisInput,
  buildReport,
  isQuarterPeriod,
  periodOfQuarter,
  periodOfRange,
  type QuarterlyReport,
  type ReportPeriod,
} from './domain/report.js';
import { type BulletinExtras, openProblems } from './render/bulletin.js';
import { type DateRange, type ReportDb, ReportsRepository } from './reports.repository.js';

/** The period an analysis compares with: the previous quarter, or for a date range the range of the same length just before. */
function comparisonRange(period: ReportPeriod): DateRange {
  if (isQuarterPeriod(period)) return quarterRange(previousQuarter(period));
  const from = DateTime.fromISO(period.from, { zone: 'Asia/Shanghai' });
  const days = DateTime.fromISO(period.to, { zone: 'Asia/Shanghai' }).diff(from, 'days').days + 1;
  return { from: from.minus({ days }).toISODate()!, to: from.minus({ days: 1 }).toISODate()! };
}

/** The live figures, straight from the rollups (published quarters: see PublishingService). */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repository: ReportsRepository,
    private readonly hotspots: HotspotsService,
  ) {}

  /** A calendar quarter (Asia/Shanghai), compared with the quarter before. `db`: a transaction to read in (default: the pool). */
  async quarterly(year: number, quarter: number, unitCode?: string, db?: ReportDb, now = new Date()): Promise<QuarterlyReport> {
    const period = periodOfQuarter(year, quarter);
    const previous = await this.repository.totals(quarterRange(previousQuarter(period)), unitCode, db);
    return this.build(period, unitCode, previous, db, now);
  }

  /** Any inclusive range of Shanghai days ("截至11月底"); there is no comparison period. */
  async summary(user: UserPrincipal, from: string, to: string, requestedUnit?: string): Promise<QuarterlyReport> {
    return this.build(periodOfRange(from, to), scopedUnit(user, requestedUnit), null);
  }

  /**
   * A quarter's report with the bulletin's figures beyond it (the monthly series, the units with open
   * cases), from one run of the report's queries. `db`: a transaction to read in (default: the pool).
   */
  async bulletin(
    year: number,
    quarter: number,
    unitCode?: string,
    db?: ReportDb,
    now = new Date(),
  ): Promise<{ report: QuarterlyReport; extras: BulletinExtras }> {
    const period = periodOfQuarter(year, quarter);
    const previous = await this.repository.totals(quarterRange(previousQuarter(period)), unitCode, db);
    const input = await this.repository.reportInput(period, unitCode, shanghaiDate(now), db);
    const analysis = await this.analysis(period, unitCode, db, now);
    const monthly = await this.repository.monthly(period, unitCode, db);
    return {
      report: buildReport({ ...input, analysis }, period, previous, now),
      extras: { monthly, openProblems: openProblems(input.units) },
    };
  }

  private async build(
    period: ReportPeriod,
    unitCode: string | undefined,
    previous: { total: number; good: number } | null,
    db?: ReportDb,
    now = new Date(),
  ) {
    const input = await this.repository.reportInput(period, unitCode, shanghaiDate(now), db);
    const analysis = await this.analysis(period, unitCode, db, now);
    return buildReport({ ...input, analysis }, period, previous, now);
  }

  /** The analysis section's figures; the hotspots as of the period's last day (today, while it runs), a unit's only those it has a part in. */
  private async analysis(period: ReportPeriod, unitCode: string | undefined, db: ReportDb | undefined, now: Date): Promise<AnalysisInput> {
    const counts = await this.repository.analysis(period, comparisonRange(period), unitCode, db);
    const today = shanghaiDate(now);
    const found = await this.hotspots.hotspots(period.to < today ? period.to : today, db);
    const hotspots = found.hotspots.filter((h) => !unitCode || h.unitCodes.includes(unitCode));
    const names = await this.repository.categoryNames(
      hotspots.filter((h) => h.kind === 'CATEGORY').map((h) => h.code),
      db,
    );
    return { ...counts, hotspots: hotspots.map((h) => (h.kind === 'CATEGORY' ? { ...h, name: names.get(h.code) ?? null } : h)) };
  }
}
