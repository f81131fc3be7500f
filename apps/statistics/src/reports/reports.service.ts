import { Injectable } from '@nestjs/common';
import { scopedUnit, type UserPrincipal } from '#libs/auth';
import { previousQuarter, quarterRange, shanghaiDate } from '#libs/common';
import { buildReport, periodOfQuarter, periodOfRange, type QuarterlyReport, type ReportPeriod } from './domain/report.js';
import { type BulletinExtras, openProblems } from './render/bulletin.js';
import { type ReportDb, ReportsRepository } from './reports.repository.js';

/** The live figures, straight from the rollups (published quarters: see PublishingService). */
@Injectable()
export class ReportsService {
  constructor(private readonly repository: ReportsRepository) {}

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
    const monthly = await this.repository.monthly(period, unitCode, db);
    return { report: buildReport(input, period, previous, now), extras: { monthly, openProblems: openProblems(input.units) } };
  }

  private async build(
    period: ReportPeriod,
    unitCode: string | undefined,
    previous: { total: number; good: number } | null,
    db?: ReportDb,
    now = new Date(),
  ) {
    const input = await this.repository.reportInput(period, unitCode, shanghaiDate(now), db);
    return buildReport(input, period, previous, now);
  }
}
