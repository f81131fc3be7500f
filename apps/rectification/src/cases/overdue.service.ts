import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ScheduledJobs } from '#libs/messaging';
import { CaseEntity } from './case.entity.js';
import { CaseWriter } from './case-writer.js';
import { type DeadlineKind, markOverdue, SYSTEM_CASE_ACTOR, transition } from './domain/case-state-machine.js';

const BATCH = 200;
const SWEEP_MS = 30_000;

/**
 * 超期督办: flags cases whose response or rectification deadline passed unmet (`overdue: true`,
 * one `gov.case.overdue` per case and deadline kind) and urges each automatically (`gov.case.urged`,
 * actor `system`). Runs once per 30 s tick across replicas (ScheduledJobs), and is safe even when two run:
 * candidates are locked with FOR UPDATE SKIP LOCKED and re-checked on the locked row by `markOverdue`, whose
 * per-kind flag lives in the row itself.
 */
@Injectable()
export class OverdueService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: CaseWriter,
    jobs: ScheduledJobs,
  ) {
    jobs.register({ name: 'overdue-sweep', everyMs: SWEEP_MS, run: () => this.sweep() });
  }

  /** Runs batches until nothing is left to flag; returns how many deadlines were flagged. */
  async sweep(now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const flagged = await this.sweepBatch(now);
      total += flagged;
      if (flagged === 0) return total;
    }
  }

  private async sweepBatch(now: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const ids = await manager.query<Array<{ id: string }>>(
        `SELECT id FROM cases
         WHERE status NOT IN ('CLOSED', 'APPEALING') AND (
           (response_due_at < $1 AND responded_at IS NULL AND NOT coalesce((workflow->>'responseOverdue')::boolean, false))
           OR (rectify_due_at < $1 AND status <> 'RECTIFIED' AND NOT coalesce((workflow->>'rectifyOverdue')::boolean, false)))
         ORDER BY rectify_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, BATCH],
      );
      if (ids.length === 0) return 0;
      const cases = await manager.findBy(CaseEntity, { id: In(ids.map((r) => r.id)) });
      let flagged = 0;
      for (let current of cases) {
        for (const kind of ['response', 'rectify'] as DeadlineKind[]) {
          const overdue = markOverdue(current, kind, now);
          if (!overdue) continue;
          current = await this.writer.apply(manager, current, overdue);
          const urged = transition(current, 'urge', { note: `超期自动督办 (${kind} deadline passed)` }, SYSTEM_CASE_ACTOR, now);
          current = await this.writer.apply(manager, current, urged);
          flagged += 1;
        }
      }
      return flagged;
    });
  }
}
