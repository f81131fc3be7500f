import { Injectable } from '@nestjs/common';
import { type EntityManager, MoreThan } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { FactReplayer, type ReplayStream } from '#libs/messaging';
import { writeAdminAudit } from '../accounts/audit-writer.js';
import { auditSummaries } from '../accounts/audit-summary.js';
import { ReviewEntity } from '../ratings/review.entity.js';
import { UnitEntity } from '../registry/registry.entities.js';
import { UnresolvedReportEntity } from '../unresolved/unresolved-report.entity.js';
import type { IntakeReplayResultDto } from './dto/replay.response.js';
import { reviewReplayEvent, unitReplayEvents, unresolvedReplayEvent } from './replay-events.js';

/** Unit names by code, read once per page (a district has dozens of units, a province thousands). */
async function unitNames(m: EntityManager, codes: string[]): Promise<Map<string, string>> {
  const rows = await m.query<Array<{ code: string; name: string }>>(`SELECT code, name FROM units WHERE code = ANY($1::text[])`, [
    [...new Set(codes)],
  ]);
  return new Map(rows.map((r) => [r.code, r.name]));
}

/** Units first: on a unit's partition (the key is its code) its registration precedes its reviews. */
export const INTAKE_REPLAY_STREAMS: readonly ReplayStream[] = [
  {
    name: 'units',
    read: async (m, after, limit) =>
      (await m.find(UnitEntity, { where: after === null ? {} : { code: MoreThan(after) }, order: { code: 'ASC' }, take: limit })).map(
        (unit) => ({ cursor: unit.code, events: (replay) => unitReplayEvents(unit, replay) }),
      ),
  },
  {
    name: 'reviews',
    read: async (m, after, limit) => {
      const reviews = await m.find(ReviewEntity, {
        where: after === null ? {} : { id: MoreThan(after) },
        order: { id: 'ASC' },
        take: limit,
      });
      const names = await unitNames(
        m,
        reviews.map((r) => r.unitCode),
      );
      return reviews.map((review) => ({
        cursor: review.id,
        events: (replay) => [reviewReplayEvent(review, names.get(review.unitCode) ?? review.unitCode, replay)],
      }));
    },
  },
  {
    name: 'unresolvedReports',
    read: async (m, after, limit) => {
      const reports = await m.find(UnresolvedReportEntity, {
        where: after === null ? {} : { id: MoreThan(after) },
        order: { id: 'ASC' },
        take: limit,
      });
      const names = await unitNames(
        m,
        reports.map((r) => r.unitCode),
      );
      return reports.map((report) => ({
        cursor: report.id,
        events: (replay) => [unresolvedReplayEvent(report, names.get(report.unitCode) ?? report.unitCode, replay)],
      }));
    },
  },
];

/**
 * POST /admin/replay: re-sends intake's facts — units, reviews, 办不成事 reports — as events through the outbox, so that a
 * statistics schema lost entirely is filled again by its ordinary consumers (FactReplayer says how ids and effects go).
 */
@Injectable()
export class ReplayService {
  constructor(private readonly replayer: FactReplayer) {}

  async replay(admin: UserPrincipal): Promise<IntakeReplayResultDto> {
    const run = await this.replayer.replay('intake', INTAKE_REPLAY_STREAMS, async (m, replayId) => {
      const [counts] = await m.query<Array<{ units: number; reviews: number; reports: number }>>(
        `SELECT (SELECT count(*) FROM units)::int AS units, (SELECT count(*) FROM reviews)::int AS reviews,
                (SELECT count(*) FROM unresolved_reports)::int AS reports`,
      );
      await writeAdminAudit(m, admin, 'EVENTS_REPLAYED', auditSummaries.eventsReplayed(counts!), { replayId, ...counts! });
    });
    return {
      replayId: run.replayId,
      units: run.counts.units ?? 0,
      reviews: run.counts.reviews ?? 0,
      unresolvedReports: run.counts.unresolvedReports ?? 0,
      events: run.events,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
    };
  }
}
