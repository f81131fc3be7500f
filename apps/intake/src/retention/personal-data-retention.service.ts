import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, type Env, ENV } from '#libs/common';
import { ScheduledJobs } from '#libs/messaging';
import { AuditService } from '../accounts/audit.service.js';

const BATCH = 1000;
const SWEEP_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/** What one sweep erased. */
export interface ErasureCount {
  reviews: number;
  unresolvedReports: number;
}

/**
 * PIPL retention in intake: PERSONAL_DATA_RETENTION_DAYS after receipt, the contact a review or a
 * 办不成事 report brought (the sealed name, phone and originals of masked free text, and their masked
 * forms) is erased — set to null, not masked — and the row says when (contact_erased_at). Intake
 * keeps a contact only to hand it on: it is read by nothing after the review's event is written
 * (the case's own copy follows the case and is erased by rectification after the case closes), so a
 * review that opened a case loses intake's copy on the same day as one that opened none. Figures,
 * ratings and events stay. Each sweep that erased something is one audit entry (actor 系统). Runs once
 * per 10-minute tick across replicas (ScheduledJobs), and is safe even when two run (FOR UPDATE SKIP LOCKED).
 */
@Injectable()
export class PersonalDataRetentionService {
  private readonly logger = new Logger(PersonalDataRetentionService.name);
  private readonly retentionDays: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Inject(ENV) env: Pick<Env, 'PERSONAL_DATA_RETENTION_DAYS'>,
    jobs: ScheduledJobs,
  ) {
    this.retentionDays = env.PERSONAL_DATA_RETENTION_DAYS;
    jobs.register({ name: 'personal-data-retention', everyMs: SWEEP_MS, run: () => this.sweep() });
  }

  /** Erases every contact received more than the retention days before `now`; audited when it erased any. */
  async sweep(now = this.clock.now()): Promise<ErasureCount> {
    const cutoff = new Date(now.getTime() - this.retentionDays * DAY_MS);
    const count: ErasureCount = { reviews: 0, unresolvedReports: 0 };
    for (let n = BATCH; n === BATCH; count.reviews += n) n = await this.eraseBatch('reviews', 'received_at', cutoff, now);
    for (let n = BATCH; n === BATCH; count.unresolvedReports += n)
      n = await this.eraseBatch('unresolved_reports', 'reported_at', cutoff, now);
    if (count.reviews || count.unresolvedReports) {
      await this.audit.record({
        action: 'PERSONAL_DATA_ERASED',
        actorSub: 'system',
        actorName: '系统（按期删除）',
        detail: {
          说明: `已按期删除收到满 ${this.retentionDays} 天的评价人、群众姓名和电话`,
          评价条数: count.reviews,
          办不成事反映条数: count.unresolvedReports,
          截止: cutoff.toISOString(),
        },
      });
      this.logger.log({ ...count, retentionDays: this.retentionDays }, 'personal data erased after its retention period');
    }
    return count;
  }

  private async eraseBatch(table: 'reviews' | 'unresolved_reports', receivedColumn: string, cutoff: Date, now: Date): Promise<number> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `UPDATE ${table} SET contact_sealed = NULL, contact_masked_name = NULL, contact_masked_phone = NULL, contact_erased_at = $2
       WHERE id IN (SELECT id FROM ${table} WHERE contact_sealed IS NOT NULL AND ${receivedColumn} < $1
                    ORDER BY ${receivedColumn} LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [cutoff, now],
    );
    return rowsOf(rows).length;
  }
}

/** TypeORM answers an UPDATE … RETURNING as [rows, affected]. */
function rowsOf<T>(result: T[] | [T[], number]): T[] {
  return Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}
