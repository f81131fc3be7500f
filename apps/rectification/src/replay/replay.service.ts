import { Injectable } from '@nestjs/common';
import { MoreThan } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { auditOutboxEntry, FactReplayer, OutboxService, type ReplayStream } from '#libs/messaging';
import { rectificationAuditSummaries } from '../audit-summaries.js';
import { CaseEntity } from '../cases/case.entity.js';
import { ProblemCategoryEntity } from '../categories/problem-category.entity.js';
import { ProblemClassEntity } from '../classes/problem-class.entity.js';
import { problemClassData } from '../classes/problem-classes.service.js';
import type { RectificationReplayResultDto } from './dto/replay.response.js';
import { caseReplayEvents, categoryReplayEvent, classReplayEvent } from './replay-events.js';

/** Categories first (the names cases and classes are reported by), then cases, then the classes that group them. */
const STREAMS: readonly ReplayStream[] = [
  {
    name: 'problemCategories',
    read: async (m, after, limit) =>
      (
        await m.find(ProblemCategoryEntity, { where: after === null ? {} : { code: MoreThan(after) }, order: { code: 'ASC' }, take: limit })
      ).map((c) => ({ cursor: c.code, events: (replay) => [categoryReplayEvent(c, replay)] })),
  },
  {
    name: 'cases',
    read: async (m, after, limit) =>
      (await m.find(CaseEntity, { where: after === null ? {} : { id: MoreThan(after) }, order: { id: 'ASC' }, take: limit })).map((c) => ({
        cursor: c.id,
        events: (replay) => caseReplayEvents(c, replay),
      })),
  },
  {
    name: 'problemClasses',
    read: async (m, after, limit) => {
      const classes = await m.find(ProblemClassEntity, {
        select: { id: true },
        where: after === null ? {} : { id: MoreThan(after) },
        order: { id: 'ASC' },
        take: limit,
      });
      const data = await Promise.all(classes.map((c) => problemClassData(m, c.id, null, 'system')));
      return data.map((d) => ({ cursor: d.classId, events: (replay) => [classReplayEvent(d, replay)] }));
    },
  },
];

/**
 * POST /admin/replay: re-sends rectification's facts — 问题分类, cases (and their published examples), 类问题 — as events
 * through the outbox, so that a statistics schema lost entirely is filled again by its ordinary consumers (FactReplayer
 * says how ids and effects go). Recorded in intake's audit log (gov.audit.recorded).
 */
@Injectable()
export class ReplayService {
  constructor(
    private readonly replayer: FactReplayer,
    private readonly outbox: OutboxService,
  ) {}

  async replay(admin: UserPrincipal): Promise<RectificationReplayResultDto> {
    const run = await this.replayer.replay('rectification', STREAMS, async (m, replayId) => {
      const [counts] = await m.query<Array<{ categories: number; cases: number; classes: number }>>(
        `SELECT (SELECT count(*) FROM problem_categories)::int AS categories, (SELECT count(*) FROM cases)::int AS cases,
                (SELECT count(*) FROM problem_classes)::int AS classes`,
      );
      await this.outbox.add(
        m,
        auditOutboxEntry({
          service: 'Rectification',
          actor: admin,
          action: 'EVENTS_REPLAYED',
          summary: rectificationAuditSummaries.eventsReplayed(counts!),
          detail: { replayId, ...counts! },
        }),
      );
    });
    return {
      replayId: run.replayId,
      problemCategories: run.counts.problemCategories ?? 0,
      cases: run.counts.cases ?? 0,
      problemClasses: run.counts.problemClasses ?? 0,
      events: run.events,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
    };
  }
}
