import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Series } from './domain/hotspots.js';

/** Where the queries run: the pool, or a transaction's connection (a published quarter's snapshot). */
type Db = Pick<EntityManager, 'query'>;

export interface SeriesRow extends Series {
  name: string | null;
  unitCodes: string[];
}

/**
 * Bad reviews per service item (bad_item_rollups) and per 问题分类 (review_facts, known once the case was rectified)
 * in the window [windowFrom, windowTo] and the baseline [baselineFrom, windowFrom).
 */
@Injectable()
export class HotspotsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async serviceItems(baselineFrom: string, windowFrom: string, windowTo: string, db: Db = this.dataSource): Promise<SeriesRow[]> {
    return db.query<SeriesRow[]>(
      `SELECT r.service_item_code AS code, s.service_item_name AS name,
              coalesce(sum(r.reviews) FILTER (WHERE r.day >= $2::date), 0)::int AS "windowCount",
              coalesce(sum(r.reviews) FILTER (WHERE r.day < $2::date), 0)::int AS "baselineCount",
              coalesce(array_agg(DISTINCT r.unit_code ORDER BY r.unit_code) FILTER (WHERE r.day >= $2::date AND r.reviews > 0), '{}') AS "unitCodes"
         FROM bad_item_rollups r LEFT JOIN service_items s ON s.service_item_code = r.service_item_code
        WHERE r.day >= $1::date AND r.day <= $3::date
        GROUP BY r.service_item_code, s.service_item_name
       HAVING coalesce(sum(r.reviews) FILTER (WHERE r.day >= $2::date), 0) > 0`,
      [baselineFrom, windowFrom, windowTo],
    );
  }

  async categories(baselineFrom: string, windowFrom: string, windowTo: string, db: Db = this.dataSource): Promise<SeriesRow[]> {
    return db.query<SeriesRow[]>(
      `SELECT problem_category AS code, NULL AS name,
              (count(*) FILTER (WHERE day >= $2::date))::int AS "windowCount",
              (count(*) FILTER (WHERE day < $2::date))::int AS "baselineCount",
              coalesce(array_agg(DISTINCT unit_code ORDER BY unit_code) FILTER (WHERE day >= $2::date), '{}') AS "unitCodes"
         FROM review_facts
        WHERE problem_category IS NOT NULL AND submitted AND grade = 'BAD' AND NOT suspect AND day >= $1::date AND day <= $3::date
        GROUP BY problem_category
       HAVING count(*) FILTER (WHERE day >= $2::date) > 0`,
      [baselineFrom, windowFrom, windowTo],
    );
  }
}
