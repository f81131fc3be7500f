import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type Channel, GOOD_LEVELS } from '#libs/contracts';
import { type AnalysisInput, type LevelCounts, type ReportInput, responsesDue, type UnitCounts } from './domain/report.js';
import type { MonthlyPoint } from './render/bulletin.js';

export interface DateRange {
  from: string;
  to: string;
}

interface ReviewRow {
  unitCode: string;
  channel: Channel;
  level: number;
  reviews: number;
  responded: number;
  respondedOnTime: number;
  rectified: number;
  open: number;
  overdue: number;
  appealsUpheld: number;
}

/** Where report queries run: the pool, or one transaction's connection (a consistent snapshot, for publishing). */
export type ReportDb = Pick<EntityManager, 'query'>;

const IN_PERIOD_FOR_UNIT = `day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR unit_code = $3)`;

/**
 * Report queries over the rollups only (never the fact rows): every sum below is over
 * rollup rows of the period's Shanghai days, so any quarter or date range costs the
 * same handful of index range scans.
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * `today` is the Shanghai date of "now": a pending bad review's response is due once its
   * due day is before today (responseDueAt is 23:59:59.999 of that day).
   */
  async reportInput(range: DateRange, unitCode: string | undefined, today: string, db: ReportDb = this.dataSource): Promise<ReportInput> {
    const params = [range.from, range.to, unitCode ?? null];
    const [units, reviews, pending, tags, items, unresolved, hotline, provisional] = await this.all(db, [
      // Every unit, but one disabled before the period began only when it has reviews in it (docs/guide.md § Units).
      () =>
        db.query<Array<{ unitCode: string; unitName: string }>>(
          `SELECT unit_code AS "unitCode", unit_name AS "unitName" FROM units u WHERE ($3::text IS NULL OR unit_code = $3)
             AND (disabled_on IS NULL OR disabled_on >= $1::date
                  OR EXISTS (SELECT 1 FROM review_rollups r WHERE r.unit_code = u.unit_code AND r.day BETWEEN $1::date AND $2::date AND r.reviews <> 0))
           ORDER BY unit_code`,
          params,
        ),
      () =>
        db.query<ReviewRow[]>(
          `SELECT unit_code AS "unitCode", channel, level, sum(reviews)::int AS reviews, sum(responded)::int AS responded,
           sum(responded_on_time)::int AS "respondedOnTime", sum(rectified)::int AS rectified, sum(open)::int AS open,
           sum(overdue)::int AS overdue, sum(appeals_upheld)::int AS "appealsUpheld"
         FROM review_rollups WHERE ${IN_PERIOD_FOR_UNIT} GROUP BY unit_code, channel, level
         HAVING sum(reviews) <> 0 OR sum(appeals_upheld) <> 0`, // a review removed by an upheld appeal counts only there
          params,
        ),
      () =>
        db.query<Array<{ unitCode: string; pendingPastDue: number }>>(
          `SELECT unit_code AS "unitCode", sum(pending)::int AS "pendingPastDue" FROM bad_pending_rollups
         WHERE ${IN_PERIOD_FOR_UNIT} AND due_day < $4::date GROUP BY unit_code HAVING sum(pending) <> 0`,
          [...params, today],
        ),
      () =>
        db.query<Array<{ tag: string; count: number }>>(
          `SELECT tag, sum(reviews)::int AS count FROM bad_tag_rollups WHERE ${IN_PERIOD_FOR_UNIT} GROUP BY tag`,
          params,
        ),
      () =>
        db.query<Array<{ serviceItemCode: string; serviceItemName: string | null; count: number }>>(
          `SELECT r.service_item_code AS "serviceItemCode", max(s.service_item_name) AS "serviceItemName", sum(r.reviews)::int AS count
         FROM bad_item_rollups r LEFT JOIN service_items s USING (service_item_code)
         WHERE r.day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR r.unit_code = $3) GROUP BY r.service_item_code`,
          params,
        ),
      () =>
        db.query<Array<{ total: number; closed: number }>>(
          `SELECT coalesce(sum(total), 0)::int AS total, coalesce(sum(closed), 0)::int AS closed FROM unresolved_rollups WHERE ${IN_PERIOD_FOR_UNIT}`,
          params,
        ),
      () =>
        db.query<Array<{ category: string; total: number; closed: number; overdue: number }>>(
          `SELECT category, sum(total)::int AS total, sum(closed)::int AS closed, sum(overdue)::int AS overdue
           FROM hotline_rollups WHERE ${IN_PERIOD_FOR_UNIT} GROUP BY category`,
          params,
        ),
      () =>
        db.query<Array<{ reviews: number }>>(
          `SELECT coalesce(sum(reviews), 0)::int AS reviews FROM provisional_deadline_rollups WHERE ${IN_PERIOD_FOR_UNIT}`,
          params,
        ),
    ] as const);

    const byUnit = new Map<string, UnitCounts>();
    const responded = new Map<string, number>();
    const pendingPastDue = new Map<string, number>();
    const add = (counts: Map<string, number>, code: string, n: number) => counts.set(code, (counts.get(code) ?? 0) + n);
    const unitOf = (code: string, name = code): UnitCounts => {
      let unit = byUnit.get(code);
      if (!unit) {
        unit = {
          unitCode: code,
          unitName: name,
          byChannel: {},
          due: 0,
          respondedOnTime: 0,
          rectified: 0,
          open: 0,
          overdue: 0,
          appealsUpheld: 0,
        };
        byUnit.set(code, unit);
      }
      return unit;
    };
    for (const u of units) unitOf(u.unitCode, u.unitName);
    for (const row of reviews) {
      const unit = unitOf(row.unitCode);
      const levels: LevelCounts = (unit.byChannel[row.channel] ??= {});
      const key = row.level === 0 ? 'unleveled' : (`${row.level}` as keyof LevelCounts);
      levels[key] = (levels[key] ?? 0) + row.reviews;
      add(responded, row.unitCode, row.responded);
      unit.respondedOnTime += row.respondedOnTime;
      unit.rectified += row.rectified;
      unit.open += row.open;
      unit.overdue += row.overdue;
      unit.appealsUpheld += row.appealsUpheld;
    }
    for (const row of pending) {
      unitOf(row.unitCode);
      add(pendingPastDue, row.unitCode, row.pendingPastDue);
    }
    for (const unit of byUnit.values()) unit.due = responsesDue(responded.get(unit.unitCode) ?? 0, pendingPastDue.get(unit.unitCode) ?? 0);
    return {
      units: [...byUnit.values()],
      badTags: tags,
      badServiceItems: items,
      unresolvedReports: unresolved[0] ?? { total: 0, closed: 0 },
      hotline,
      provisionalDeadlines: provisional[0]?.reviews ?? 0,
    };
  }

  /**
   * Runs the queries in parallel on the pool; one after the other on a transaction's single
   * connection (a pg client runs one query at a time).
   */
  private async all<T extends ReadonlyArray<() => Promise<unknown>>>(
    db: ReportDb,
    queries: T,
  ): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
    type Results = { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
    if (db === this.dataSource) return (await Promise.all(queries.map((q) => q()))) as unknown as Results;
    const out: unknown[] = [];
    for (const q of queries) out.push(await q());
    return out as unknown as Results;
  }

  /**
   * The analysis section's counts: bad reviews by top-level 问题分类 in `range` and in `previous`, and the 类问题 opened
   * and solved in `range` with the cases the solved ones covered (analysis/domain/class-facts.ts has the definitions).
   */
  async analysis(
    range: DateRange,
    previous: DateRange,
    unitCode: string | undefined,
    db: ReportDb = this.dataSource,
  ): Promise<Omit<AnalysisInput, 'hotspots'>> {
    const categories = await db.query<AnalysisInput['categories']>(
      `WITH counts AS (
         SELECT coalesce(k.parent_code, r.category) AS code,
                coalesce(sum(r.reviews) FILTER (WHERE r.day BETWEEN $1::date AND $2::date), 0)::int AS count,
                coalesce(sum(r.reviews) FILTER (WHERE r.day BETWEEN $4::date AND $5::date), 0)::int AS previous
           FROM bad_category_rollups r LEFT JOIN problem_categories k ON k.code = r.category
          WHERE (r.day BETWEEN $1::date AND $2::date OR r.day BETWEEN $4::date AND $5::date) AND ($3::text IS NULL OR r.unit_code = $3)
          GROUP BY 1)
       SELECT c.code, coalesce(t.name, c.code) AS name, coalesce(t.sort, 0) AS sort, c.count, c.previous
         FROM counts c LEFT JOIN problem_categories t ON t.code = c.code`,
      [range.from, range.to, unitCode ?? null, previous.from, previous.to],
    );
    const [classes] = await db.query<Array<AnalysisInput['classes']>>(
      `SELECT
         (SELECT count(*) FROM problem_class_facts
           WHERE opened_day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR $3 = ANY(unit_codes)))::int AS opened,
         (SELECT count(*) FROM problem_class_facts
           WHERE status = 'SOLVED' AND solved_day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR $3 = ANY(unit_codes)))::int AS solved,
         (SELECT count(DISTINCT c.case_id) FROM problem_class_case_facts c JOIN problem_class_facts f ON f.class_id = c.class_id
           WHERE f.status = 'SOLVED' AND f.solved_day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR c.unit_code = $3))::int
           AS "casesCovered"`,
      [range.from, range.to, unitCode ?? null],
    );
    return { categories, classes: classes ?? { opened: 0, solved: 0, casesCovered: 0 } };
  }

  /** Names of 问题分类 codes (the category hotspots of a report). */
  async categoryNames(codes: string[], db: ReportDb = this.dataSource): Promise<Map<string, string>> {
    if (codes.length === 0) return new Map();
    const rows = await db.query<Array<{ code: string; name: string }>>(
      `SELECT code, name FROM problem_categories WHERE code = ANY($1::text[])`,
      [codes],
    );
    return new Map(rows.map((r) => [r.code, r.name]));
  }

  async totals(range: DateRange, unitCode: string | undefined, db: ReportDb = this.dataSource): Promise<{ total: number; good: number }> {
    const [row] = await db.query<Array<{ total: number; good: number }>>(
      `SELECT coalesce(sum(reviews), 0)::int AS total, coalesce(sum(reviews) FILTER (WHERE level = ANY($4::int[])), 0)::int AS good
       FROM review_rollups WHERE ${IN_PERIOD_FOR_UNIT}`,
      [range.from, range.to, unitCode ?? null, GOOD_LEVELS],
    );
    return row ?? { total: 0, good: 0 };
  }

  /** Reviews and good rate per Shanghai month of the range (months without reviews included). */
  async monthly(range: DateRange, unitCode: string | undefined, db: ReportDb = this.dataSource): Promise<MonthlyPoint[]> {
    const rows = await db.query<Array<{ month: string; total: number; good: number }>>(
      `SELECT to_char(m, 'YYYY-MM') AS month, coalesce(sum(r.reviews), 0)::int AS total,
         coalesce(sum(r.reviews) FILTER (WHERE r.level = ANY($4::int[])), 0)::int AS good
       FROM generate_series(date_trunc('month', $1::date), $2::date, interval '1 month') AS m
       LEFT JOIN review_rollups r ON date_trunc('month', r.day) = m AND r.day BETWEEN $1::date AND $2::date
         AND ($3::text IS NULL OR r.unit_code = $3)
       GROUP BY m ORDER BY m`,
      [range.from, range.to, unitCode ?? null, GOOD_LEVELS],
    );
    return rows.map((r) => ({ month: r.month, total: r.total, goodRate: r.total === 0 ? null : r.good / r.total }));
  }
}
