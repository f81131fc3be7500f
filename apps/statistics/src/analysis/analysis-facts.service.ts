import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type EventOf, EventTypes, PROBLEM_CLASS_TYPES } from '#libs/contracts';
import { classFactOf, latestFacts } from './domain/class-facts.js';

/** The events the analysis facts follow (topic problem-classes.lifecycle). */
export const ANALYSIS_EVENT_TYPES = [...PROBLEM_CLASS_TYPES, EventTypes.ProblemCategoryChanged] as const;
export type AnalysisEvent = EventOf<(typeof ANALYSIS_EVENT_TYPES)[number]>;

/**
 * Keeps the 问题分类 names and the 类问题 facts in step with the events, a batch at a time: the latest version of each
 * class replaces an older one (a stale or repeated event changes nothing), with its cases; category names are upserted.
 * These are facts, not rollups: a rebuild leaves them as they are; a replay of rectification (POST /admin/replay)
 * re-sends every category and class as it stands.
 */
@Injectable()
export class AnalysisFactsService {
  async applyEvents(manager: EntityManager, events: AnalysisEvent[]): Promise<void> {
    const categories = new Map<string, { code: string; parent_code: string | null; name: string; sort: number }>();
    const facts = [];
    for (const event of events) {
      if (event.type === EventTypes.ProblemCategoryChanged) {
        const c = event.data;
        categories.set(c.code, { code: c.code, parent_code: c.parentCode, name: c.name, sort: c.sort });
      } else {
        facts.push(classFactOf(event.data));
      }
    }
    if (categories.size > 0) {
      await manager.query(
        `INSERT INTO problem_categories (code, parent_code, name, sort)
         SELECT code, parent_code, name, sort FROM json_populate_recordset(NULL::problem_categories, $1::json) ORDER BY code
         ON CONFLICT (code) DO UPDATE SET parent_code = EXCLUDED.parent_code, name = EXCLUDED.name, sort = EXCLUDED.sort`,
        [JSON.stringify([...categories.values()])],
      );
    }
    const latest = latestFacts(facts);
    if (latest.length === 0) return;
    const changed = await manager.query<Array<{ id: string }>>(
      `INSERT INTO problem_class_facts (class_id, version, category_code, status, opened_day, solved_day, unit_codes)
       SELECT class_id, version, category_code, status, opened_day, solved_day, unit_codes
         FROM json_populate_recordset(NULL::problem_class_facts, $1::json) ORDER BY class_id
       ON CONFLICT (class_id) DO UPDATE SET version = EXCLUDED.version, category_code = EXCLUDED.category_code, status = EXCLUDED.status,
         opened_day = EXCLUDED.opened_day, solved_day = EXCLUDED.solved_day, unit_codes = EXCLUDED.unit_codes
         WHERE problem_class_facts.version < EXCLUDED.version
       RETURNING class_id AS id`,
      [
        JSON.stringify(
          latest.map((f) => ({
            class_id: f.classId,
            version: f.version,
            category_code: f.categoryCode,
            status: f.status,
            opened_day: f.openedDay,
            solved_day: f.solvedDay,
            unit_codes: f.unitCodes,
          })),
        ),
      ],
    );
    if (changed.length === 0) return;
    const ids = new Set(changed.map((r) => r.id));
    await manager.query(`DELETE FROM problem_class_case_facts WHERE class_id = ANY($1::uuid[])`, [[...ids]]);
    const cases = latest
      .filter((f) => ids.has(f.classId))
      .flatMap((f) => f.cases.map((c) => ({ class_id: f.classId, case_id: c.caseId, unit_code: c.unitCode })));
    if (cases.length > 0) {
      await manager.query(
        `INSERT INTO problem_class_case_facts (class_id, case_id, unit_code)
         SELECT class_id, case_id, unit_code FROM json_populate_recordset(NULL::problem_class_case_facts, $1::json)`,
        [JSON.stringify(cases)],
      );
    }
  }
}
