import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { shanghaiDate } from '#libs/common';
import {
  type CaseLifecycleData,
  type CloudEvent,
  EventTypes,
  type ReviewSubmittedData,
  type ReviewSuspectChangedData,
  type UnitRegisteredData,
  type UnresolvedReportedData,
} from '#libs/contracts';
import {
  difference,
  emptyReviewFact,
  reviewContribution,
  ROLLUP_TABLES,
  type ReviewFact,
  type RollupDelta,
  type RollupTable,
  type UnresolvedFact,
  unresolvedContribution,
} from './contribution.js';

const REVIEW_FACT_COLUMNS = `review_id AS id, submitted, unit_code AS "unitCode", day::text AS day, channel, level, grade, tags,
  service_item_code AS "serviceItemCode", suspect, case_version AS "caseVersion", case_status AS "caseStatus",
  case_outcome AS "caseOutcome", response_due_day::text AS "responseDueDay", responded, responded_on_time AS "respondedOnTime", overdue,
  category, deadline_provisional AS "deadlineProvisional"`;
const UNRESOLVED_FACT_COLUMNS = `report_id AS id, submitted, unit_code AS "unitCode", day::text AS day, case_version AS "caseVersion",
  case_status AS "caseStatus"`;

/** A change of one fact, as one event asks for it: the new fact, or null when the event changes nothing. */
type FactChange =
  | { kind: 'review'; id: string; change: (fact: ReviewFact) => ReviewFact | null }
  | { kind: 'unresolved'; id: string; change: (fact: UnresolvedFact) => UnresolvedFact | null };

/** A fact kind: its table, its columns and its contribution to the rollups (contribution.ts). */
interface FactKind<F> {
  table: 'review_facts' | 'unresolved_facts';
  idColumn: string;
  select: string;
  empty: () => F;
  contribution: (fact: F) => RollupDelta[];
  /** The fact as a row of its table (column name → value), for json_populate_recordset. */
  row: (id: string, fact: F) => Record<string, unknown>;
}

const REVIEW_FACTS: FactKind<ReviewFact> = {
  table: 'review_facts',
  idColumn: 'review_id',
  select: REVIEW_FACT_COLUMNS,
  empty: emptyReviewFact,
  contribution: reviewContribution,
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
  }),
};

const UNRESOLVED_FACTS: FactKind<UnresolvedFact> = {
  table: 'unresolved_facts',
  idColumn: 'report_id',
  select: UNRESOLVED_FACT_COLUMNS,
  empty: () => ({ submitted: false, unitCode: null, day: null, caseVersion: 0, caseStatus: null }),
  contribution: unresolvedContribution,
  row: (id, f) => ({
    report_id: id,
    submitted: f.submitted,
    unit_code: f.unitCode,
    day: f.day,
    case_version: f.caseVersion,
    case_status: f.caseStatus,
  }),
};

/** What one event changes: which facts, and how (pure; the order of a batch's changes is the log's). */
export function factChanges(event: CloudEvent): FactChange[] {
  switch (event.type) {
    case EventTypes.ReviewSubmitted: {
      const review = event.data as ReviewSubmittedData;
      return [
        {
          kind: 'review',
          id: review.reviewId,
          change: (fact) =>
            fact.submitted
              ? null
              : {
                  ...fact,
                  submitted: true,
                  unitCode: review.unitCode,
                  day: shanghaiDate(review.ratedAt),
                  channel: review.channel,
                  level: review.level ?? 0,
                  grade: review.grade,
                  tags: review.tags ?? [],
                  serviceItemCode: review.serviceItemCode,
                  suspect: review.suspect,
                  category: review.channel === 'HOTLINE_12345' ? review.category : null,
                },
        },
      ];
    }
    case EventTypes.ReviewSuspectChanged: {
      const change = event.data as ReviewSuspectChangedData;
      return [
        {
          kind: 'review',
          id: change.reviewId,
          change: (fact) => (fact.suspect === change.suspect ? null : { ...fact, suspect: change.suspect }),
        },
      ];
    }
    case EventTypes.UnresolvedReported: {
      const report = event.data as UnresolvedReportedData;
      return [
        {
          kind: 'unresolved',
          id: report.reportId,
          change: (fact) =>
            fact.submitted ? null : { ...fact, submitted: true, unitCode: report.unitCode, day: shanghaiDate(report.reportedAt) },
        },
      ];
    }
    default:
      return event.type.startsWith('gov.case.') ? caseChanges(event.data as CaseLifecycleData) : [];
  }
}

function caseChanges(data: CaseLifecycleData): FactChange[] {
  if (data.source === 'UNRESOLVED') {
    if (!data.reportId) return [];
    return [
      {
        kind: 'unresolved',
        id: data.reportId,
        change: (fact) => (data.version <= fact.caseVersion ? null : { ...fact, caseVersion: data.version, caseStatus: data.status }),
      },
    ];
  }
  if (!data.reviewId) return [];
  return [
    {
      kind: 'review',
      id: data.reviewId,
      change: (fact) =>
        data.version <= fact.caseVersion
          ? null
          : {
              ...fact,
              caseVersion: data.version,
              caseStatus: data.status,
              caseOutcome: data.outcome,
              responseDueDay: data.responseDueAt ? shanghaiDate(data.responseDueAt) : null,
              responded: data.respondedAt !== null,
              respondedOnTime: data.respondedOnTime === true,
              overdue: data.overdue,
              deadlineProvisional: data.deadlineProvisional === true,
            },
    },
  ];
}

/**
 * Keeps the rollups in step with the events, a batch at a time. The batch's facts are locked
 * (in id order) and read once; every event's change is applied to them in memory, in log order;
 * the changed facts are written back in one statement per fact table; and the difference of
 * their contributions before and after (contribution.ts), summed per rollup row, is added with
 * one `INSERT … ON CONFLICT DO UPDATE SET x = x + delta` per rollup table — never a
 * read-modify-write of a rollup.
 */
@Injectable()
export class RollupsService {
  async applyEvents(manager: EntityManager, events: CloudEvent[]): Promise<void> {
    await this.upsertNames(manager, events);
    const changes = events.flatMap(factChanges);
    const review = changes.filter((c) => c.kind === 'review');
    const unresolved = changes.filter((c) => c.kind === 'unresolved');
    const deltas = [
      ...(await this.changeFacts(manager, REVIEW_FACTS, review)),
      ...(await this.changeFacts(manager, UNRESOLVED_FACTS, unresolved)),
    ];
    await applyDeltas(manager, deltas);
  }

  /** Applies the changes to their facts and returns what that changes in the rollups (not yet summed). */
  private async changeFacts<F>(
    manager: EntityManager,
    kind: FactKind<F>,
    changes: Array<{ id: string; change: (fact: F) => F | null }>,
  ): Promise<RollupDelta[]> {
    if (changes.length === 0) return [];
    const ids = [...new Set(changes.map((c) => c.id))].sort();
    await manager.query(`INSERT INTO ${kind.table} (${kind.idColumn}) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING`, [ids]);
    const rows = await manager.query<Array<F & { id: string }>>(
      `SELECT ${kind.select} FROM ${kind.table} WHERE ${kind.idColumn} = ANY($1::uuid[]) ORDER BY ${kind.idColumn} FOR UPDATE`,
      [ids],
    );
    const before = new Map<string, F>(rows.map(({ id, ...fact }) => [id, { ...kind.empty(), ...(fact as F) }]));
    const current = new Map(before);
    const changed = new Set<string>();
    for (const { id, change } of changes) {
      const next = change(current.get(id)!);
      if (!next) continue;
      current.set(id, next);
      changed.add(id);
    }
    if (changed.size === 0) return [];
    const columns = Object.keys(kind.row(ids[0]!, kind.empty())).filter((c) => c !== kind.idColumn);
    await manager.query(
      `UPDATE ${kind.table} f SET ${columns.map((c) => `${c} = v.${c}`).join(', ')}
       FROM json_populate_recordset(NULL::${kind.table}, $1::json) v WHERE f.${kind.idColumn} = v.${kind.idColumn}`,
      [JSON.stringify([...changed].map((id) => kind.row(id, current.get(id)!)))],
    );
    return difference(
      [...changed].flatMap((id) => kind.contribution(before.get(id)!)),
      [...changed].flatMap((id) => kind.contribution(current.get(id)!)),
    );
  }

  /** Unit and service item names as the batch's latest events carry them: one upsert per table. */
  private async upsertNames(manager: EntityManager, events: CloudEvent[]): Promise<void> {
    const units = new Map<string, string>();
    const items = new Map<string, string>();
    for (const event of events) {
      if (event.type === EventTypes.ReviewSubmitted) {
        const review = event.data as ReviewSubmittedData;
        units.set(review.unitCode, review.unitName);
        if (review.serviceItemCode && review.serviceItemName) items.set(review.serviceItemCode, review.serviceItemName);
      } else if (event.type === EventTypes.UnresolvedReported) {
        const report = event.data as UnresolvedReportedData;
        units.set(report.unitCode, report.unitName);
      } else if (event.type === EventTypes.UnitRegistered) {
        // A registered unit is listed in every report, also before (or without) any review of it.
        const unit = event.data as UnitRegisteredData;
        units.set(unit.unitCode, unit.unitName);
      }
    }
    const sorted = (m: Map<string, string>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (units.size) {
      const list = sorted(units);
      await manager.query(
        `INSERT INTO units (unit_code, unit_name) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (unit_code) DO UPDATE SET unit_name = EXCLUDED.unit_name WHERE units.unit_name IS DISTINCT FROM EXCLUDED.unit_name`,
        [list.map(([c]) => c), list.map(([, n]) => n)],
      );
    }
    if (items.size) {
      const list = sorted(items);
      await manager.query(
        `INSERT INTO service_items (service_item_code, service_item_name) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (service_item_code) DO UPDATE SET service_item_name = EXCLUDED.service_item_name
         WHERE service_items.service_item_name IS DISTINCT FROM EXCLUDED.service_item_name`,
        [list.map(([c]) => c), list.map(([, n]) => n)],
      );
    }
  }
}

/**
 * Adds deltas to the rollups: summed per rollup row first (an upsert may touch a row only once),
 * then one set-based upsert per rollup table, in key order (so concurrent batches lock rows in
 * the same order). Generic over ROLLUP_TABLES: a table added there needs nothing here.
 */
export async function applyDeltas(manager: EntityManager, deltas: RollupDelta[]): Promise<void> {
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
