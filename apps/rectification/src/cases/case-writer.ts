import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { DomainError, ErrorCode } from '#libs/common';
import { Events, Topics } from '#libs/contracts';
import { OutboxService } from '#libs/messaging';
import { HotlineRepliesService } from '../hotline/hotline-replies.service.js';
import { CaseEntity, CaseTimelineEntry, SEALED_TEXT } from './case.entity.js';
import { lifecycleData } from './dto/case.response.js';
import type { CaseState, TransitionResult } from './domain/case-state-machine.js';

/** The columns a transition may change. */
type StateColumns = Pick<
  CaseEntity,
  | 'status'
  | 'outcome'
  | 'responseDueAt'
  | 'rectifyDueAt'
  | 'deadlineProvisional'
  | 'respondedAt'
  | 'respondedOnTime'
  | 'rectifiedAt'
  | 'closedAt'
  | 'overdue'
  | 'reopenedCount'
  | 'urgeCount'
  | 'workflow'
  | 'problemCategory'
>;

/**
 * Persists one state-machine result inside the caller's transaction: the case row (guarded by its
 * version, on top of the caller's row lock), one append-only timeline entry, one `cases.lifecycle`
 * event in the outbox, and — when a hotline case closes — its reply in the callback outbox.
 */
@Injectable()
export class CaseWriter {
  constructor(
    private readonly outbox: OutboxService,
    private readonly replies: HotlineRepliesService,
  ) {}

  /**
   * `sealedText`: the sealed originals of free text the action's author wrote with a phone or
   * ID-card number in it (masked everywhere else); kept in the timeline entry for reveal-contact.
   */
  async apply(
    manager: EntityManager,
    current: CaseEntity,
    result: TransitionResult<CaseState>,
    sealedText: string | null = null,
  ): Promise<CaseEntity> {
    const s = result.state;
    const changes: StateColumns = {
      status: s.status,
      outcome: s.outcome,
      responseDueAt: s.responseDueAt,
      rectifyDueAt: s.rectifyDueAt,
      deadlineProvisional: s.deadlineProvisional ?? current.deadlineProvisional,
      respondedAt: s.respondedAt,
      respondedOnTime: s.respondedOnTime,
      rectifiedAt: s.rectifiedAt,
      closedAt: s.closedAt,
      overdue: s.overdue,
      reopenedCount: s.reopenedCount,
      urgeCount: s.urgeCount,
      workflow: { ...s.workflow },
      problemCategory: s.problemCategory ?? current.problemCategory,
    };
    const updated = await manager
      .createQueryBuilder()
      .update(CaseEntity)
      .set(changes as QueryDeepPartialEntity<CaseEntity>)
      .where('id = :id AND version = :version', { id: current.id, version: current.version })
      .execute();
    if (updated.affected !== 1) {
      throw new DomainError(ErrorCode.Conflict, 'The case was changed by someone else at the same time; reload it and try again.');
    }
    const saved = await manager.findOneByOrFail(CaseEntity, { id: current.id });
    const t = result.timeline;
    await manager.insert(CaseTimelineEntry, {
      caseId: saved.id,
      action: t.action,
      actor: t.actor,
      actorRole: t.actorRole,
      note: t.note,
      data: { ...t.data, eventType: result.eventType, version: saved.version, ...(sealedText ? { [SEALED_TEXT]: sealedText } : {}) },
      at: t.at,
    });
    await this.outbox.add(manager, {
      topic: Topics.CasesLifecycle,
      key: saved.unitCode,
      // Notes are internal (API.md): they stay in the timeline and never travel in events.
      event: Events.caseChanged(
        result.eventType,
        { ...lifecycleData(saved, t.actor, null), ...result.eventData },
        { subject: saved.id, time: t.at },
      ),
    });
    if (current.status !== 'CLOSED' && saved.status === 'CLOSED' && saved.source === 'HOTLINE') {
      await this.replies.enqueue(manager, saved);
    }
    return saved;
  }
}
