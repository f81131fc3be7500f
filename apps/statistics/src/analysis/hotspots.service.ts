import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { shanghaiDate } from '#libs/common';
import { findHotspots, HOTSPOT_RULE } from './domain/hotspots.js';
import type { HotspotDto, HotspotsDto } from './hotspots.dto.js';
import { HotspotsRepository, type SeriesRow } from './hotspots.repository.js';

const RULE_TEXT =
  '近7日差评数显著高于自身前8周基线：期望值取前8周周均值（最低0.5），近7日不少于3条且单侧泊松检验 P(X≥近7日数) < 0.01 即为热点';

const plusDays = (day: string, n: number) => DateTime.fromISO(day, { zone: 'Asia/Shanghai' }).plus({ days: n }).toISODate()!;

/** GET /analysis/hotspots: the rule of domain/hotspots.ts over the rollups, each hotspot with the link to its cases. */
@Injectable()
export class HotspotsService {
  constructor(private readonly repository: HotspotsRepository) {}

  /** `db`: a transaction to read in (default: the pool). */
  async hotspots(date: string | undefined, db?: Pick<EntityManager, 'query'>): Promise<HotspotsDto> {
    const windowTo = date ?? shanghaiDate(new Date());
    const windowFrom = plusDays(windowTo, -(HOTSPOT_RULE.windowDays - 1));
    const baselineFrom = plusDays(windowFrom, -7 * HOTSPOT_RULE.baselineWeeks);
    // One after the other: a transaction's connection runs one query at a time.
    const items = await this.repository.serviceItems(baselineFrom, windowFrom, windowTo, db);
    const categories = await this.repository.categories(baselineFrom, windowFrom, windowTo, db);
    const found = (kind: HotspotDto['kind'], rows: SeriesRow[]): HotspotDto[] => {
      const byCode = new Map(rows.map((r) => [r.code, r]));
      return findHotspots(rows).map((h) => {
        const row = byCode.get(h.code)!;
        const filter: Record<string, string> = kind === 'SERVICE_ITEM' ? { serviceItemCode: h.code } : { problemCategory: h.code };
        const query = new URLSearchParams({ ...filter, from: windowFrom, to: windowTo });
        return {
          kind,
          code: h.code,
          name: row.name,
          windowCount: h.windowCount,
          baselineCount: h.baselineCount,
          baselineWeeklyMean: h.baselineWeeklyMean,
          expected: h.expected,
          pValue: h.pValue,
          unitCodes: row.unitCodes,
          cases: { ...filter, from: windowFrom, to: windowTo, path: `/api/v1/cases?${query.toString()}` },
        };
      });
    };
    return {
      rule: { ...HOTSPOT_RULE, description: RULE_TEXT },
      windowFrom,
      windowTo,
      baselineFrom,
      hotspots: [...found('SERVICE_ITEM', items), ...found('CATEGORY', categories)],
    };
  }
}
