import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { shanghaiDate } from '#libs/common';
import { CASE_LIFECYCLE_TYPES, type CaseLifecycleData, type EventOf, EventTypes } from '#libs/contracts';
import {
  difference,
  handledCaseFields,
  reviewContribution,
  type ReviewFact,
  type RollupDelta,
  type UnresolvedFact,
  unresolvedContribution,
} from './contribution.js';
import { type FactTable, REVIEW_FACTS, RollupsRepository, UNRESOLVED_FACTS, type UnitState } from './rollups.repository.js';

/** The events the rollups follow (on reviews.submitted, cases.lifecycle and unresolved.reported). */
export const ROLLUP_EVENT_TYPES = [
  EventTypes.ReviewSubmitted,
  EventTypes.ReviewSuspectChanged,
  EventTypes.UnitRegistered,
  EventTypes.UnitUpdated,
  EventTypes.UnresolvedReported,
  ...CASE_LIFECYCLE_TYPES,
] as const;
export type RollupEvent = EventOf<(typeof ROLLUP_EVENT_TYPES)[number]>;

/**
 * A change of one fact, as one event asks for it: the new fact, or null when the event changes
 * nothing. `creates`: applied to a fact that does not exist yet, it yields the whole fact (a
 * submission), so a fact seen for the first time can be inserted whole instead of read and updated.
 */
type FactChange =
  | { kind: 'review'; id: string; creates?: true; change: (fact: ReviewFact) => ReviewFact | null }
  | { kind: 'unresolved'; id: string; creates?: true; change: (fact: UnresolvedFact) => UnresolvedFact | null };

/** A fact kind: its table and its contribution to the rollups (contribution.ts). */
interface FactKind<F> {
  table: FactTable<F>;
  contribution: (fact: F) => RollupDelta[];
}
const REVIEW: FactKind<ReviewFact> = { table: REVIEW_FACTS, contribution: reviewContribution };
const UNRESOLVED: FactKind<UnresolvedFact> = { table: UNRESOLVED_FACTS, contribution: unresolvedContribution };

/** What one event changes: which facts, and how (pure; the order of a batch's changes is the log's). */
export function factChanges(event: RollupEvent): FactChange[] {
  switch (event.type) {
    case EventTypes.ReviewSubmitted: {
      const review = event.data;
      return [
        {
          kind: 'review',
          id: review.reviewId,
          creates: true,
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
                  ...(review.handling ? handledCaseFields(review.handling) : {}),
                },
        },
      ];
    }
    case EventTypes.ReviewSuspectChanged: {
      const change = event.data;
      return [
        {
          kind: 'review',
          id: change.reviewId,
          change: (fact) => (fact.suspect === change.suspect ? null : { ...fact, suspect: change.suspect }),
        },
      ];
    }
    case EventTypes.UnresolvedReported: {
      const report = event.data;
      return [
        {
          kind: 'unresolved',
          id: report.reportId,
          creates: true,
          change: (fact) =>
            fact.submitted ? null : { ...fact, submitted: true, unitCode: report.unitCode, day: shanghaiDate(report.reportedAt) },
        },
      ];
    }
    case EventTypes.UnitRegistered:
    case EventTypes.UnitUpdated:
      return [];
    default:
      return caseChanges(event.data);
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
              // Older events (before categories) carry none: keep what the fact has.
              problemCategory: data.problemCategory === undefined ? fact.problemCategory : data.problemCategory,
            },
    },
  ];
}

/**
 * Keeps the rollups in step with the events, a batch at a time. A fact the batch submits and
 * that does not exist yet is inserted whole (one statement for all of them); the batch's other
 * facts are locked (in id order) and read once. Every event's change is applied to them in
 * memory, in log order; the changed facts are written back in one statement per fact table; and
 * the difference of their contributions before and after (contribution.ts), summed per rollup
 * row, is added with one `INSERT … ON CONFLICT DO UPDATE SET x = x + delta` per rollup table —
 * never a read-modify-write of a rollup.
 */
@Injectable()
export class RollupsService {
  constructor(private readonly repository: RollupsRepository) {}

  async applyEvents(manager: EntityManager, events: RollupEvent[]): Promise<void> {
    await this.upsertNames(manager, events);
    const changes = events.flatMap(factChanges);
    const deltas = [
      ...(await this.changeFacts(
        manager,
        REVIEW,
        changes.filter((c) => c.kind === 'review'),
      )),
      ...(await this.changeFacts(
        manager,
        UNRESOLVED,
        changes.filter((c) => c.kind === 'unresolved'),
      )),
    ];
    await this.repository.addDeltas(manager, deltas);
  }

  /** Applies the changes to their facts and returns what that changes in the rollups (not yet summed). */
  private async changeFacts<F>(
    manager: EntityManager,
    kind: FactKind<F>,
    changes: Array<{ id: string; creates?: true; change: (fact: F) => F | null }>,
  ): Promise<RollupDelta[]> {
    if (changes.length === 0) return [];
    const byId = new Map<string, Array<(fact: F) => F | null>>();
    const created = new Map<string, F>();
    for (const { id, creates, change } of changes) {
      const list = byId.get(id);
      if (list) {
        list.push(change);
        continue;
      }
      byId.set(id, [change]);
      const fact = creates ? change(kind.table.empty()) : null;
      if (fact) created.set(id, fact);
    }
    // Facts seen here for the first time are inserted whole; the others (stored before, or
    // changed by events of another kind first) are locked and read.
    const inserted = await this.repository.insertNewFacts(manager, kind.table, created);
    const stored = await this.repository.lockFacts(
      manager,
      kind.table,
      [...byId.keys()].filter((id) => !inserted.has(id)),
    );
    const before = new Map<string, F>(stored);
    const current = new Map<string, F>(stored);
    for (const id of inserted) {
      before.set(id, kind.table.empty());
      current.set(id, created.get(id)!);
    }
    const dirty = new Map<string, F>();
    for (const [id, list] of byId) {
      for (const change of inserted.has(id) ? list.slice(1) : list) {
        const next = change(current.get(id)!);
        if (!next) continue;
        current.set(id, next);
        dirty.set(id, next);
      }
    }
    await this.repository.updateFacts(manager, kind.table, dirty);
    const changed = [...new Set([...inserted, ...dirty.keys()])];
    return difference(
      changed.flatMap((id) => kind.contribution(before.get(id)!)),
      changed.flatMap((id) => kind.contribution(current.get(id)!)),
    );
  }

  /**
   * Units and service item names as the batch's latest events carry them. A unit's name and status are the
   * registry's: its gov.unit.registered and gov.unit.updated events set them; a review or report names a unit
   * only when none is known yet (a rating taken just before a rename, or on an instance whose unit cache was
   * still warm, carries the old name and must not bring it back). A replay (POST /admin/replay on intake) re-sends every unit as it stands.
   */
  private async upsertNames(manager: EntityManager, events: RollupEvent[]): Promise<void> {
    const units = new Map<string, UnitState>();
    const mentioned = new Map<string, string>();
    const items = new Map<string, string>();
    for (const event of events) {
      if (event.type === EventTypes.ReviewSubmitted) {
        mentioned.set(event.data.unitCode, event.data.unitName);
        if (event.data.serviceItemCode && event.data.serviceItemName) items.set(event.data.serviceItemCode, event.data.serviceItemName);
      } else if (event.type === EventTypes.UnresolvedReported) {
        mentioned.set(event.data.unitCode, event.data.unitName);
      } else if (event.type === EventTypes.UnitRegistered) {
        // A registered unit is listed in every report, also before (or without) any review of it.
        units.set(event.data.unitCode, { name: event.data.unitName, disabledOn: units.get(event.data.unitCode)?.disabledOn });
      } else if (event.type === EventTypes.UnitUpdated) {
        units.set(event.data.unitCode, {
          name: event.data.unitName,
          disabledOn: event.data.disabledAt === null ? null : shanghaiDate(event.data.disabledAt),
        });
      }
    }
    await this.repository.upsertNames(manager, units, mentioned, items);
  }
}
