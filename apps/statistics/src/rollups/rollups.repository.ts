import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  difference,
  emptyReviewFact,
  ROLLUP_TABLES,
  type ReviewFact,
  type RollupDelta,
  type RollupTable,
  type UnresolvedFact,
} from './contribution.js';

/** A unit as the registry's events tell it: its name, and the Shanghai day it was disabled (undefined: not told). */
export interface UnitState {
  name: string;
  disabledOn?: string | null;
}

/** A fact table: its name, id column, the select lists that read a row as its fact, and a fact as a row. */
export interface FactTable<F> {
  table: 'review_facts' | 'unresolved_facts';
  idColumn: string;
  /** The fact's columns under the fact's field names (without the id): what a rebuild reads too. */
  factSelect: string;
  /** The id (as `id`) and the fact. */
  select: string;
  empty: () => F;
  /** The fact as a row of its table (column name → value), for json_populate_recordset. */
  row: (id: string, fact: F) => Record<string, unknown>;
}

export const REVIEW_FACTS: FactTable<ReviewFact> = {
  table: 'review_facts',
  idColumn: 'review_id',
  factSelect: `submitted, unit_code AS "unitCode", day::text AS day, channel, level, grade, tags,
    service_item_code AS "serviceItemCode", suspect, case_version AS "caseVersion", case_status AS "caseStatus",
    case_outcome AS "caseOutcome", response_due_day::text AS "responseDueDay", responded, responded_on_time AS "respondedOnTime",
    overdue, category, deadline_provisional AS "deadlineProvisional", problem_category AS "problemCategory"`,
  get select() {
    return `review_id AS id, ${this.factSelect}`;
  },
  empty: emptyReviewFact,
  row: (id, f) => ({
    review_id: id,
    submitted: f.submitted,
    unit_code: f.unitCode,
    day: f.day,
    channel: f.channel,
    level: f.level,
    grade: f.grade,
    tags: f.tags,
    service_item_code: f.serviceItemCode,
    suspect: f.suspect,
    case_version: f.caseVersion,
    case_status: f.caseStatus,
    case_outcome: f.caseOutcome,
    response_due_day: f.responseDueDay,
    responded: f.responded,
    responded_on_time: f.respondedOnTime,
    overdue: f.overdue,
    category: f.category,
    deadline_provisional: f.deadlineProvisional,
    problem_category: f.problemCategory,
  }),
};

export const UNRESOLVED_FACTS: FactTable<UnresolvedFact> = {
  table: 'unresolved_facts',
  idColumn: 'report_id',
  factSelect: `submitted, unit_code AS "unitCode", day::text AS day, case_version AS "caseVersion", case_status AS "caseStatus"`,
  get select() {
    return `report_id AS id, ${this.factSelect}`;
  },
  empty: () => ({ submitted: false, unitCode: null, day: null, caseVersion: 0, caseStatus: null }),
  row: (id, f) => ({
    report_id: id,
    submitted: f.submitted,
    unit_code: f.unitCode,
    day: f.day,
    case_version: f.caseVersion,
    case_status: f.caseStatus,
  }),
};

/**
 * The statistics consumer's SQL: facts, names and rollups, each a fixed number of set-based
 * statements whatever the batch's size. Ids and keys are always handled in sorted order, so
 * two batches running at once lock rows in the same order.
 */
@Injectable()
export class RollupsRepository {
  /**
   * Inserts facts that do not exist yet, whole; returns the ids it inserted (an id whose fact
   * already existed is left alone and not returned).
   */
  async insertNewFacts<F>(manager: EntityManager, kind: FactTable<F>, facts: Map<string, F>): Promise<Set<string>> {
    if (facts.size === 0) return new Set();
    const ids = [...facts.keys()].sort();
    const columns = Object.keys(kind.row('', kind.empty())).join(', ');
    const rows = await manager.query<Array<{ id: string }>>(
      `INSERT INTO ${kind.table} (${columns})
       SELECT ${columns} FROM json_populate_recordset(NULL::${kind.table}, $1::json) ORDER BY ${kind.idColumn}
       ON CONFLICT DO NOTHING RETURNING ${kind.idColumn} AS id`,
      [JSON.stringify(ids.map((id) => kind.row(id, facts.get(id)!)))],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The facts of `ids` (an empty fact for one not stored yet), locked for this transaction. */
  async lockFacts<F>(manager: EntityManager, kind: FactTable<F>, ids: string[]): Promise<Map<string, F>> {
    if (ids.length === 0) return new Map();
    const sorted = [...ids].sort();
    await manager.query(`INSERT INTO ${kind.table} (${kind.idColumn}) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING`, [sorted]);
    const rows = await manager.query<Array<F & { id: string }>>(
      `SELECT ${kind.select} FROM ${kind.table} WHERE ${kind.idColumn} = ANY($1::uuid[]) ORDER BY ${kind.idColumn} FOR UPDATE`,
      [sorted],
    );
    return new Map(rows.map(({ id, ...fact }) => [id, { ...kind.empty(), ...(fact as F) }]));
  }

  /** Writes facts back, one statement for all of them. */
  async updateFacts<F>(manager: EntityManager, kind: FactTable<F>, facts: Map<string, F>): Promise<void> {
    if (facts.size === 0) return;
    const columns = Object.keys(kind.row('', kind.empty())).filter((c) => c !== kind.idColumn);
    await manager.query(
      `UPDATE ${kind.table} f SET ${columns.map((c) => `${c} = v.${c}`).join(', ')}
       FROM json_populate_recordset(NULL::${kind.table}, $1::json) v WHERE f.${kind.idColumn} = v.${kind.idColumn}`,
      [JSON.stringify([...facts].map(([id, fact]) => kind.row(id, fact)))],
    );
  }

  /**
   * Unit and service item names: new codes inserted, changed names updated. Two statements, not
   * one upsert: `ON CONFLICT DO UPDATE … WHERE` locks every conflicting row even when it changes
   * nothing, which made batches running at once (one per partition) wait for each other on the
   * service items they share; an unchanged name is now neither written nor locked.
   */
  async upsertNames(
    manager: EntityManager,
    units: Map<string, UnitState>,
    mentioned: Map<string, string>,
    items: Map<string, string>,
  ): Promise<void> {
    await this.upsertNamesOf(manager, 'units', 'unit_code', 'unit_name', new Map([...units].map(([code, u]) => [code, u.name])));
    // Units named only by reviews and reports: inserted when unknown, never renamed by them.
    const unknown = [...mentioned].filter(([code]) => !units.has(code)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (unknown.length) {
      await manager.query(
        `INSERT INTO units (unit_code, unit_name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (unit_code) DO NOTHING`,
        [unknown.map(([c]) => c), unknown.map(([, n]) => n)],
      );
    }
    const statuses = [...units].filter(([, u]) => u.disabledOn !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (statuses.length) {
      await manager.query(
        `UPDATE units t SET disabled_on = v.disabled_on FROM unnest($1::text[], $2::date[]) AS v(code, disabled_on)
         WHERE t.unit_code = v.code AND t.disabled_on IS DISTINCT FROM v.disabled_on`,
        [statuses.map(([c]) => c), statuses.map(([, u]) => u.disabledOn)],
      );
    }
    await this.upsertNamesOf(manager, 'service_items', 'service_item_code', 'service_item_name', items);
  }

  private async upsertNamesOf(
    manager: EntityManager,
    table: 'units' | 'service_items',
    codeColumn: string,
    nameColumn: string,
    names: Map<string, string>,
  ): Promise<void> {
    if (names.size === 0) return;
    const list = [...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const params = [list.map(([c]) => c), list.map(([, n]) => n)];
    await manager.query(
      `INSERT INTO ${table} (${codeColumn}, ${nameColumn}) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (${codeColumn}) DO NOTHING`,
      params,
    );
    await manager.query(
      `UPDATE ${table} t SET ${nameColumn} = v.name FROM unnest($1::text[], $2::text[]) AS v(code, name)
       WHERE t.${codeColumn} = v.code AND t.${nameColumn} IS DISTINCT FROM v.name`,
      params,
    );
  }

  /**
   * Adds deltas to the rollups: summed per rollup row first (an upsert may touch a row only once),
   * then one set-based upsert per rollup table, in key order (so concurrent batches lock rows in
   * the same order). Generic over ROLLUP_TABLES: a table added there needs nothing here.
   */
  async addDeltas(manager: EntityManager, deltas: RollupDelta[]): Promise<void> {
    const byTable = new Map<RollupTable, Array<Record<string, unknown>>>();
    for (const delta of difference([], deltas)) {
      const { keys, counters } = ROLLUP_TABLES[delta.table];
      const row: Record<string, unknown> = {};
      keys.forEach((k, i) => (row[k] = delta.key[i]));
      counters.forEach((c, i) => (row[c] = delta.counters[i]));
      const list = byTable.get(delta.table);
      if (list) list.push(row);
      else byTable.set(delta.table, [row]);
    }
    for (const [table, rows] of byTable) {
      const { keys, counters } = ROLLUP_TABLES[table];
      const columns = [...keys, ...counters].join(', ');
      const updates = counters.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`).join(', ');
      await manager.query(
        `INSERT INTO ${table} (${columns})
         SELECT ${columns} FROM json_populate_recordset(NULL::${table}, $1::json) ORDER BY ${keys.join(', ')}
         ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates}`,
        [JSON.stringify(rows)],
      );
    }
  }
}
