import { Injectable } from '@nestjs/common';
import { previousQuarter, quarterRange, shanghaiDate } from '#libs/common';
import { buildReport, periodOfQuarter, periodOfRange, type QuarterlyReport, type ReportPeriod } from './domain/report.js';
import { type BulletinExtras, renderBulletin } from './render/bulletin.js';
import { ReportsRepository } from './reports.repository.js';

@Injectable()
export class ReportsService {
  constructor(private readonly repository: ReportsRepository) {}

  /** A calendar quarter (Asia/Shanghai), compared with the quarter before. */
  async quarterly(year: number, quarter: number, unitCode?: string): Promise<QuarterlyReport> {
    const period = periodOfQuarter(year, quarter);
    const previous = await this.repository.totals(quarterRange(previousQuarter(period)), unitCode);
    return this.build(period, unitCode, previous);
  }

  /** Any inclusive range of Shanghai days ("截至11月底"); there is no comparison period. */
  async summary(from: string, to: string, unitCode?: string): Promise<QuarterlyReport> {
    return this.build(periodOfRange(from, to), unitCode, null);
  }

  async bulletin(year: number, quarter: number, unitCode?: string): Promise<string> {
    const report = await this.quarterly(year, quarter, unitCode);
    const extras: BulletinExtras = {
      monthly: await this.repository.monthly(report.period, unitCode),
      openProblems: (await this.repository.reportInput(report.period, unitCode, shanghaiDate(new Date()))).units
        .filter((u) => u.open > 0)
        .map((u) => ({ unitName: u.unitName, open: u.open, overdue: u.overdue }))
        .sort((a, b) => b.open - a.open || b.overdue - a.overdue),
    };
    return renderBulletin(report, extras);
  }

  private async build(period: ReportPeriod, unitCode: string | undefined, previous: { total: number; good: number } | null) {
    const now = new Date();
    const input = await this.repository.reportInput(period, unitCode, shanghaiDate(now));
    return buildReport(input, period, previous, now);
  }
}
