import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { Clock, type Env, ENV } from '#libs/common';
import { ScheduledJobs } from '#libs/messaging';
import { CaseEntity, CaseTimelineEntry, SEALED_TEXT } from './case.entity.js';
import { contactErasureDue, ERASED_LABEL, ERASURE_ACTION, retentionCutoff } from './domain/retention.js';

const BATCH = 200;
const SWEEP_MS = 10 * 60_000;

/**
 * PIPL retention (domain/retention.ts): erases the contact of every case closed more than
 * PERSONAL_DATA_RETENTION_DAYS ago — the sealed name and phone, their masked forms, and the sealed
 * originals of masked free text in its timeline — and records each erasure in the case's timeline
 * (actor `system`, 已按期删除, which fields), where the contact-reveal audit and every earlier entry
 * stay. Figures are untouched (no event: nothing they count changes). Runs once per 10-minute tick across
 * replicas (ScheduledJobs), like the overdue sweep, and is safe even when two run: candidates are locked with
 * FOR UPDATE SKIP LOCKED and re-checked on the locked row.
 */
@Injectable()
export class PersonalDataRetentionService {
  private readonly logger = new Logger(PersonalDataRetentionService.name);
  private readonly retentionDays: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ENV) env: Pick<Env, 'PERSONAL_DATA_RETENTION_DAYS'>,
    jobs: ScheduledJobs,
  ) {
    this.retentionDays = env.PERSONAL_DATA_RETENTION_DAYS;
    jobs.register({
      name: 'personal-data-retention',
      everyMs: SWEEP_MS,
      run: async () => {
        const erased = await this.sweep();
        if (erased) this.logger.log({ erased, retentionDays: this.retentionDays }, 'personal data erased after its retention period');
      },
    });
  }

  /** Erases every contact due at `now`, batch after batch; returns how many cases it erased. */
  async sweep(now = this.clock.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const erased = await this.sweepBatch(now);
      total += erased;
      if (erased < BATCH) return total;
    }
  }

  private async sweepBatch(now: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const ids = await manager.query<Array<{ id: string }>>(
        `SELECT id FROM cases WHERE status = 'CLOSED' AND contact_erased_at IS NULL AND closed_at < $1
         ORDER BY closed_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [retentionCutoff(now, this.retentionDays), BATCH],
      );
      if (ids.length === 0) return 0;
      const cases = (await manager.findBy(CaseEntity, { id: In(ids.map((r) => r.id)) })).filter((c) =>
        contactErasureDue(c, now, this.retentionDays),
      );
      if (cases.length === 0) return 0;
      const caseIds = cases.map((c) => c.id);
      const sealedNotes = await manager.query<Array<{ case_id: string }>>(
        `SELECT DISTINCT case_id FROM case_timeline WHERE case_id = ANY($1::uuid[]) AND data ? '${SEALED_TEXT}'`,
        [caseIds],
      );
      await manager.query(
        `UPDATE case_timeline SET data = data - '${SEALED_TEXT}' WHERE case_id = ANY($1::uuid[]) AND data ? '${SEALED_TEXT}'`,
        [caseIds],
      );
      await manager.query(
        `UPDATE cases SET contact_sealed = NULL, contact_masked_name = NULL, contact_masked_phone = NULL, contact_erased_at = $2
         WHERE id = ANY($1::uuid[])`,
        [caseIds, now],
      );
      await manager.insert(
        CaseTimelineEntry,
        cases.map((c) => ({
          caseId: c.id,
          action: ERASURE_ACTION,
          actor: 'system',
          actorRole: null,
          note: ERASED_LABEL,
          data: {
            fields: [
              ...(c.contactMaskedName !== null ? ['name'] : []),
              ...(c.contactMaskedPhone !== null ? ['phone'] : []),
              ...(c.contactSealed !== null ? ['contact'] : []),
              ...(sealedNotes.some((n) => n.case_id === c.id) ? ['notes'] : []),
            ],
            retentionDays: this.retentionDays,
            closedAt: c.closedAt!.toISOString(),
          },
          at: now,
        })),
      );
      return ids.length;
    });
  }
}
