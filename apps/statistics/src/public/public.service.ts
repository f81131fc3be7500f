import { Injectable } from '@nestjs/common';
import { DomainError } from '#libs/common';
import { isQuarterPeriod } from '../reports/domain/report.js';
import { PublishingService } from '../publishing/publishing.service.js';
import type { PublicQuarterDto, PublicQuarterListDto } from './dto/public.dto.js';
import { PublicRepository } from './public.repository.js';

/**
 * What anyone may see without logging in (公开): the frozen figures of published quarters only, and the
 * 以评促改 examples the units chose to publish. Built field by field from the snapshot, so nothing
 * else of a report (or a case) can reach the public by accident.
 */
@Injectable()
export class PublicService {
  constructor(
    private readonly publishing: PublishingService,
    private readonly repository: PublicRepository,
  ) {}

  async quarters(): Promise<PublicQuarterListDto> {
    const { items } = await this.publishing.list();
    return {
      items: items.map((q) => ({
        year: q.year,
        quarter: q.quarter,
        publishedAt: q.publishedAt,
        href: `/api/v1/public/quarters/${q.year}/${q.quarter}`,
        page: `/public/${q.year}/${q.quarter}`,
      })),
    };
  }

  /** A published quarter; 404 for any other (not published yet, or never). */
  async quarter(year: number, quarter: number): Promise<PublicQuarterDto> {
    const snapshot = await this.publishing.snapshot(year, quarter);
    const period = snapshot?.report.period;
    if (!snapshot || !period || !isQuarterPeriod(period)) throw DomainError.notFound(`Published figures for ${year}-Q${quarter}`);
    const { report } = snapshot;
    const examples = await this.repository.examples(period.from, period.to);
    return {
      period: { year: period.year, quarter: period.quarter, from: period.from, to: period.to, timezone: period.timezone },
      publishedAt: report.published.at,
      district: {
        total: report.reviews.total,
        good: report.reviews.good,
        bad: report.reviews.bad,
        goodRate: report.reviews.goodRate,
        timelyResponseRate: report.badReviews.timelyResponseRate,
        rectificationRate: report.badReviews.rectificationRate,
      },
      units: report.units.map((u) => ({
        rank: u.rank,
        unitCode: u.unitCode,
        unitName: u.unitName,
        total: u.total,
        good: u.good,
        bad: u.bad,
        goodRate: u.goodRate,
        timelyResponseRate: u.timelyResponseRate,
      })),
      examples: examples.map((e) => ({
        unitName: e.unitName,
        source: e.source,
        matter: e.matter,
        measures: e.measures,
        outcome: e.outcome,
        openedAt: new Date(e.openedAt).toISOString(),
        closedAt: new Date(e.closedAt).toISOString(),
      })),
    };
  }
}
