import {
  type CaseLifecycleType,
  type CasePublicationData,
  type CaseStatus,
  Events,
  EventTypes,
  type ProblemClassData,
  Topics,
} from '#libs/contracts';
import type { OutboxEntry } from '#libs/messaging';
import type { CaseEntity } from '../cases/case.entity.js';
import { SYSTEM_ACTOR } from '../cases/cases.service.js';
import { lifecycleData } from '../cases/dto/case.response.js';
import type { ProblemCategoryEntity } from '../categories/problem-category.entity.js';

/**
 * rectification's facts as a replay re-sends them (POST /admin/replay): each case, 问题分类, 类问题 and published
 * example as it stands now, built by the contract's factories with `replay` set. Plain functions over the rows.
 */

/** The lifecycle event a case's current state reads as (consumers that keep state read the data, whatever the type). */
export function replayedCaseType(c: Pick<CaseEntity, 'status' | 'outcome' | 'reopenedCount'>): CaseLifecycleType {
  const byStatus: Record<CaseStatus, CaseLifecycleType> = {
    PENDING: c.reopenedCount > 0 ? EventTypes.CaseReopened : EventTypes.CaseOpened,
    ACCEPTED: EventTypes.CaseAccepted,
    RESPONDED: EventTypes.CaseResponded,
    RECTIFIED: EventTypes.CaseRectified,
    APPEALING: EventTypes.CaseAppealed,
    CLOSED: c.outcome === 'APPEAL_UPHELD' ? EventTypes.CaseAppealDecided : EventTypes.CaseClosed,
  };
  return byStatus[c.status as CaseStatus];
}

/** A case: its state (cases.lifecycle), and its 以评促改 example while the unit publishes it (cases.publication). */
export function caseReplayEvents(c: CaseEntity, replay: string): OutboxEntry[] {
  const entries: OutboxEntry[] = [
    {
      topic: Topics.CasesLifecycle,
      key: c.unitCode,
      event: Events.caseChanged(replayedCaseType(c), lifecycleData(c, SYSTEM_ACTOR, null), { subject: c.id, replay }),
    },
  ];
  if (c.publishable) {
    const data: CasePublicationData = {
      caseId: c.id,
      unitCode: c.unitCode,
      unitName: c.unitName,
      source: c.source,
      publishable: true,
      matter: c.publishedMatter,
      measures: c.publishedMeasures,
      outcome: c.outcome,
      openedAt: c.openedAt.toISOString(),
      closedAt: c.closedAt?.toISOString() ?? null,
      version: c.version,
    };
    entries.push({
      topic: Topics.CasesPublication,
      key: c.unitCode,
      event: Events.casePublicationChanged(data, { subject: c.id, replay }),
    });
  }
  return entries;
}

/** A 问题分类 as its latest gov.problem-category.changed told it. */
export function categoryReplayEvent(c: ProblemCategoryEntity, replay: string): OutboxEntry {
  return {
    topic: Topics.ProblemClasses,
    key: 'problem-categories',
    event: Events.problemCategoryChanged(
      { code: c.code, parentCode: c.parentCode, name: c.name, sort: c.sort, retired: c.retired },
      { subject: c.code, replay },
    ),
  };
}

/** A 类问题 as it stands (opened, or solved). */
export function classReplayEvent(data: ProblemClassData, replay: string): OutboxEntry {
  const type = data.status === 'SOLVED' ? EventTypes.ProblemClassSolved : EventTypes.ProblemClassOpened;
  return {
    topic: Topics.ProblemClasses,
    key: data.classId,
    event: Events.problemClassChanged(type, data, { subject: data.classId, replay }),
  };
}
