import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '#libs/common';
import { HOTLINE_CATEGORIES, hotlineCategoryOf } from '#libs/contracts';

const ZONE = `'Asia/Shanghai'`;

/**
 * Reviews that count: submitted, not suspect, graded (not a 12345 request, suggestion or consultation);
 * `upheld` marks bad reviews removed by an upheld appeal.
 */
const COUNTED_REVIEW_FACTS = `(SELECT f.*, f.grade = 'BAD' AS bad,
    coalesce(f.grade = 'BAD' AND f.case_status = 'CLOSED' AND f.case_outcome = 'APPEAL_UPHELD', false) AS upheld
  FROM review_facts f WHERE f.submitted AND NOT f.suspect AND f.grade <> 'NONE') c`;

export interface RebuildResult {
  reviews: number;
  unresolvedReports: number;
  rebuiltAt: string;
}

/**
 * Recomputes every fact and rollup from the source tables (read-only: intake.reviews,
 * intake.unresolved_reports, intake.units, rectification.cases), in one transaction that
 * holds the fact tables exclusively so that no event is applied half-way through.
 * The rollups are aggregated here in SQL, independently of the incremental path
 * (rollups/contribution.ts); the e2e test proves the two agree.
 */
@Injectable()
export class RebuildService {
  constructor(private readonly dataSource: DataSource) {}

  async rebuild(): Promise<RebuildResult> {
    const [sources] = await this.dataSource.query<Array<{ ok: boolean }>>(
      `SELECT to_regclass('intake.reviews') IS NOT NULL AND to_regclass('intake.unresolved_reports') IS NOT NULL
         AND to_regclass('rectification.cases') IS NOT NULL AS ok`,
    );
    if (!sources?.ok) throw new DomainError(ErrorCode.ServiceUnavailable, 'The source tables are not reachable from this database.');
    return this.dataSource.transaction(async (m) => {
      // Memory for the aggregates (tens of thousands of groups) and the one index build, this transaction only.
      await m.query(`SET LOCAL work_mem = '64MB'`);
      await m.query(`SET LOCAL maintenance_work_mem = '512MB'`);
      await m.query(`LOCK TABLE review_facts, unresolved_facts IN EXCLUSIVE MODE`);
      await m.query(
        `TRUNCATE review_facts, unresolved_facts, review_rollups, bad_pending_rollups, bad_tag_rollups, bad_item_rollups, unresolved_rollups,
         hotline_rollups, provisional_deadline_rollups, bad_category_rollups, problem_class_facts, problem_class_case_facts`,
      );
      await this.rebuildNames(m);
      // A bulk load: the review facts' primary key is built once, by a sort, after the rows are in, rather than by
      // millions of insertions at random places of the index (review ids are random UUIDs). TRUNCATE already holds the
      // table exclusively until commit, so nobody sees it without its key.
      await m.query(`ALTER TABLE review_facts DROP CONSTRAINT review_facts_pkey`);
      await this.rebuildFacts(m);
      await m.query(`ALTER TABLE review_facts ADD CONSTRAINT review_facts_pkey PRIMARY KEY (review_id)`);
      await this.rebuildRollups(m);
      await this.rebuildAnalysis(m);
      const [counts] = await m.query<Array<{ reviews: number; reports: number }>>(
        `SELECT (SELECT count(*) FROM review_facts)::int AS reviews, (SELECT count(*) FROM unresolved_facts)::int AS reports`,
      );
      return { reviews: counts!.reviews, unresolvedReports: counts!.reports, rebuiltAt: new Date().toISOString() };
    });
  }

  private async rebuildNames(m: EntityManager) {
    await m.query(
      `INSERT INTO units (unit_code, unit_name, disabled_on) SELECT code, name, (disabled_at AT TIME ZONE ${ZONE})::date FROM intake.units
       ON CONFLICT (unit_code) DO UPDATE SET unit_name = EXCLUDED.unit_name, disabled_on = EXCLUDED.disabled_on`,
    );
    await m.query(
      `INSERT INTO service_items (service_item_code, service_item_name)
       SELECT DISTINCT ON (service_item_code) service_item_code, service_item_name
       FROM (SELECT service_item_code, service_item_name, max(rated_at) AS rated_at FROM intake.reviews
             WHERE service_item_code IS NOT NULL AND service_item_name IS NOT NULL GROUP BY service_item_code, service_item_name) n
       ORDER BY service_item_code, rated_at DESC
       ON CONFLICT (service_item_code) DO UPDATE SET service_item_name = EXCLUDED.service_item_name`,
    );
  }

  private async rebuildFacts(m: EntityManager) {
    await m.query(
      `INSERT INTO review_facts (review_id, submitted, unit_code, day, channel, level, grade, tags, service_item_code, suspect,
         case_version, case_status, case_outcome, response_due_day, responded, responded_on_time, overdue, category,
         deadline_provisional, problem_category)
       SELECT r.id, true, r.unit_code, (r.rated_at AT TIME ZONE ${ZONE})::date, r.channel, coalesce(r.level, 0), r.grade, r.tags,
         r.service_item_code, r.suspect, coalesce(c.version, 0),
         CASE WHEN h.handled THEN 'CLOSED' ELSE c.status END, CASE WHEN h.handled THEN r.handling->>'outcome' ELSE c.outcome END,
         (c.response_due_at AT TIME ZONE ${ZONE})::date,
         h.handled OR c.responded_at IS NOT NULL,
         CASE WHEN h.handled THEN coalesce((r.handling->>'respondedOnTime')::boolean, false) ELSE coalesce(c.responded_on_time, false) END,
         coalesce(c.overdue, false),
         CASE WHEN r.channel = 'HOTLINE_12345' THEN r.category END, coalesce(c.deadline_provisional, false),
         c.problem_category
       FROM intake.reviews r LEFT JOIN rectification.cases c ON c.review_id = r.id,
         -- An imported review handled on the previous platform opened no case: its fields as handledCaseFields (contribution.ts) sets them.
         LATERAL (SELECT c.review_id IS NULL AND r.handling IS NOT NULL AS handled) h`,
    );
    await m.query(
      `INSERT INTO unresolved_facts (report_id, submitted, unit_code, day, case_version, case_status)
       SELECT u.id, true, u.unit_code, (u.reported_at AT TIME ZONE ${ZONE})::date, coalesce(c.version, 0), c.status
       FROM intake.unresolved_reports u LEFT JOIN rectification.cases c ON c.report_id = u.id`,
    );
  }

  /**
   * The 问题分类 names and the 类问题 as rectification holds them: what the latest gov.problem-category.changed and
   * gov.problem-class.* events told (analysis-facts.service.ts keeps the same from the events).
   */
  private async rebuildAnalysis(m: EntityManager) {
    const [sources] = await m.query<Array<{ categories: boolean; classes: boolean }>>(
      `SELECT to_regclass('rectification.problem_categories') IS NOT NULL AS categories,
              to_regclass('rectification.problem_classes') IS NOT NULL AS classes`,
    );
    if (sources?.categories) {
      await m.query(
        `INSERT INTO problem_categories (code, parent_code, name, sort) SELECT code, parent_code, name, sort FROM rectification.problem_categories
         ON CONFLICT (code) DO UPDATE SET parent_code = EXCLUDED.parent_code, name = EXCLUDED.name, sort = EXCLUDED.sort`,
      );
    }
    if (!sources?.classes) return;
    await m.query(
      `INSERT INTO problem_class_facts (class_id, version, category_code, status, opened_day, solved_day, unit_codes)
       SELECT p.id, p.version, p.category_code, p.status, (p.opened_at AT TIME ZONE ${ZONE})::date, (p.solved_at AT TIME ZONE ${ZONE})::date,
         ARRAY(SELECT DISTINCT u FROM (SELECT c.unit_code AS u FROM rectification.problem_class_cases pc JOIN rectification.cases c ON c.id = pc.case_id
                                        WHERE pc.class_id = p.id
                                       UNION SELECT a.unit_code FROM rectification.improvement_actions a WHERE a.class_id = p.id) x ORDER BY u)
       FROM rectification.problem_classes p`,
    );
    await m.query(
      `INSERT INTO problem_class_case_facts (class_id, case_id, unit_code)
       SELECT pc.class_id, pc.case_id, c.unit_code FROM rectification.problem_class_cases pc JOIN rectification.cases c ON c.id = pc.case_id`,
    );
  }

  private async rebuildRollups(m: EntityManager) {
    // The counted bad reviews are a small share of the facts: one scan collects them for the three bad-only rollups.
    await m.query(
      `CREATE TEMP TABLE rebuild_bad_facts ON COMMIT DROP AS
       SELECT unit_code, day, response_due_day, responded, tags, service_item_code, deadline_provisional, problem_category
       FROM ${COUNTED_REVIEW_FACTS} WHERE bad AND NOT upheld`,
    );
    await m.query(
      `INSERT INTO review_rollups (unit_code, day, channel, level, reviews, responded, responded_on_time, rectified, open, overdue, appeals_upheld)
       SELECT unit_code, day, channel, level,
         count(*) FILTER (WHERE NOT upheld),
         count(*) FILTER (WHERE bad AND NOT upheld AND responded),
         count(*) FILTER (WHERE bad AND NOT upheld AND responded AND responded_on_time),
         count(*) FILTER (WHERE bad AND NOT upheld AND (case_status = 'RECTIFIED'
           OR (case_status = 'CLOSED' AND case_outcome IN ('RECTIFIED', 'EXPLAINED')))),
         count(*) FILTER (WHERE bad AND NOT upheld AND case_status IS DISTINCT FROM 'CLOSED'),
         count(*) FILTER (WHERE bad AND NOT upheld AND overdue AND case_status IS DISTINCT FROM 'CLOSED'),
         count(*) FILTER (WHERE upheld)
       FROM ${COUNTED_REVIEW_FACTS} GROUP BY unit_code, day, channel, level`,
    );
    await m.query(
      `INSERT INTO bad_pending_rollups (unit_code, day, due_day, pending)
       SELECT unit_code, day, response_due_day, count(*) FROM rebuild_bad_facts
       WHERE NOT responded AND response_due_day IS NOT NULL GROUP BY unit_code, day, response_due_day`,
    );
    await m.query(
      `INSERT INTO bad_tag_rollups (unit_code, day, tag, reviews)
       SELECT unit_code, day, t.tag, count(*) FROM rebuild_bad_facts c, LATERAL (SELECT DISTINCT unnest(c.tags) AS tag) t
       GROUP BY unit_code, day, t.tag`,
    );
    await m.query(
      `INSERT INTO bad_item_rollups (unit_code, day, service_item_code, reviews)
       SELECT unit_code, day, service_item_code, count(*) FROM rebuild_bad_facts
       WHERE service_item_code IS NOT NULL GROUP BY unit_code, day, service_item_code`,
    );
    // Every counted 12345 transfer by category (one stored before categories counted is a complaint: hotlineCategoryOf).
    await m.query(
      `INSERT INTO hotline_rollups (unit_code, day, category, total, closed, overdue)
       SELECT unit_code, day, CASE WHEN category = ANY($1::text[]) THEN category ELSE $2 END AS cat, count(*),
         count(*) FILTER (WHERE case_status = 'CLOSED'),
         count(*) FILTER (WHERE overdue AND case_status IS DISTINCT FROM 'CLOSED')
       FROM review_facts
       WHERE submitted AND NOT suspect AND channel = 'HOTLINE_12345'
         AND NOT coalesce(case_status = 'CLOSED' AND case_outcome = 'APPEAL_UPHELD', false)
       GROUP BY unit_code, day, cat`,
      [[...HOTLINE_CATEGORIES], hotlineCategoryOf(null)],
    );
    await m.query(
      `INSERT INTO provisional_deadline_rollups (unit_code, day, reviews)
       SELECT unit_code, day, count(*) FROM rebuild_bad_facts WHERE deadline_provisional GROUP BY unit_code, day`,
    );
    await m.query(
      `INSERT INTO bad_category_rollups (unit_code, day, category, reviews)
       SELECT unit_code, day, problem_category, count(*) FROM rebuild_bad_facts WHERE problem_category IS NOT NULL
       GROUP BY unit_code, day, problem_category`,
    );
    await m.query(
      `INSERT INTO unresolved_rollups (unit_code, day, total, closed)
       SELECT unit_code, day, count(*), count(*) FILTER (WHERE case_status = 'CLOSED') FROM unresolved_facts
       WHERE submitted GROUP BY unit_code, day`,
    );
  }
}
