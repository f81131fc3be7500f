import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { type Env, ENV, MetricsRegistry } from '#libs/common';
import { advisoryLockKey } from '#libs/database';
import { orderedBacklogRead } from './backlog-reads.js';
import { OutboxService } from './outbox.service.js';
import { PollingWorker } from './worker.js';
import {
  EVENT_PUBLISHER,
  type EventPublisher,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  type OutgoingRecord,
  type PublisherState,
} from './tokens.js';

export interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  message_key: string;
  /** The CloudEvent as stored, sent on as it is (no parse and re-serialise). */
  payload: string;
}

export interface RelayStatus {
  state: 'running' | 'retrying' | 'stopped';
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastError: string | null;
  publisher: PublisherState;
}

/** Observes the time since the previous call (or creation) under `phase`. */
function phaseTimer(metrics: MetricsRegistry): (phase: string) => void {
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    metrics.relayPhase.observe({ phase }, (now - last) / 1000);
    last = now;
  };
}

/** The first `limit` unpublished outbox rows in id order, in the caller's transaction (orderedBacklogRead). */
export async function readUnpublished(runner: QueryRunner, limit: number): Promise<OutboxRow[]> {
  await orderedBacklogRead(runner);
  return (await runner.query(
    `SELECT id, event_id, topic, message_key, payload::text AS payload FROM outbox
     WHERE published_at IS NULL ORDER BY id LIMIT ${limit}`,
  )) as OutboxRow[];
}

/** Rows per relay pass: one read, one `sendBatch` (or bus append) and one update for all of them. */
export const RELAY_BATCH = 5_000;
const RETENTION = '7 days';
/** Inbox rows deleted per statement of the retention pass (short transactions, however large the backlog). */
const INBOX_PRUNE_CHUNK = 20_000;

/**
 * Publishes committed outbox rows in id order and marks them published. One relay
 * per service works at a time (advisory lock), which keeps per-key order across
 * instances; a failed publish leaves rows for the next pass (at-least-once).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly lockKey: string;
  private readonly worker: PollingWorker;
  private lastCleanup = 0;
  private connected = false;
  private stopped = false;
  private lastSuccessAt: Date | null = null;
  private lastError: string | null = null;
  private readonly inboxRetentionDays: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly metrics: MetricsRegistry,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
    @Inject(ENV) env: Env,
  ) {
    this.lockKey = advisoryLockKey(`outbox-relay:${options.schema}`);
    this.inboxRetentionDays = env.INBOX_RETENTION_DAYS;
    this.worker = new PollingWorker({
      name: 'outbox relay',
      idleMs: env.OUTBOX_POLL_MS,
      logger: this.logger,
      pass: async () => {
        try {
          const published = await this.publishBatch();
          this.lastSuccessAt = new Date();
          this.lastError = null;
          await this.cleanup();
          return published === RELAY_BATCH ? 'more' : 'idle';
        } catch (err) {
          this.lastError = err instanceof Error ? err.message : String(err);
          throw err;
        }
      },
    });
    this.outbox.onAdded(() => this.worker.wake(2));
  }

  /** Starts relaying; an unreachable broker does not stop the service from starting (see /health). */
  onApplicationBootstrap(): void {
    this.worker.start();
  }

  /** What the relay is doing, for /health (the publisher rebuilds its own producer; see publishers.ts). */
  status(): RelayStatus {
    return {
      state: this.stopped ? 'stopped' : this.worker.failureCount > 0 ? 'retrying' : 'running',
      consecutiveFailures: this.worker.failureCount,
      lastSuccessAt: this.lastSuccessAt?.toISOString() ?? null,
      lastError: this.lastError,
      publisher: this.publisher.state(),
    };
  }

  /** Drains what is committed, then stops (graceful shutdown). */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.worker.stop();
    if (this.worker.failureCount === 0) await this.drain().catch((err: unknown) => this.logger.warn({ err }, 'final flush failed'));
    if (this.connected) await this.publisher.close();
  }

  /** Publishes until nothing is pending; used at shutdown and by tests. */
  async drain(): Promise<void> {
    while ((await this.publishBatch()) === RELAY_BATCH) {
      /* keep going */
    }
  }

  private async publishBatch(): Promise<number> {
    if (!this.connected) {
      await this.publisher.connect();
      this.connected = true;
    }
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [this.lockKey])) as Array<{
        locked: boolean;
      }>;
      if (!locked) {
        await runner.commitTransaction();
        return 0;
      }
      const timer = phaseTimer(this.metrics);
      const rows = await readUnpublished(runner, RELAY_BATCH);
      if (rows.length === 0) {
        await runner.commitTransaction();
        return 0;
      }
      timer('read');
      const records: OutgoingRecord[] = rows.map((row) => ({
        topic: row.topic,
        key: row.message_key,
        value: row.payload,
        eventId: row.event_id,
      }));
      await this.publisher.publish(records, runner);
      timer('publish');
      // By the ids read, not by an id range: a row with a smaller id may commit after the read.
      await runner.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      timer('mark');
      await runner.commitTransaction();
      timer('commit');
      const perTopic = new Map<string, number>();
      for (const record of records) perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + 1);
      for (const [topic, n] of perTopic) this.metrics.eventsPublished.inc({ topic }, n);
      return rows.length;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 3_600_000) return;
    this.lastCleanup = Date.now();
    await this.pruneMessagingTables().catch((err: unknown) => this.logger.warn({ err }, 'messaging tables cleanup failed'));
  }

  /**
   * Retention of the service's messaging tables (hourly, on any replica: each statement is idempotent): published
   * outbox rows after RETENTION, handled inbox rows after INBOX_RETENTION_DAYS (see Env for why that is safe).
   * Returns the rows deleted.
   */
  async pruneMessagingTables(): Promise<{ outbox: number; inbox: number }> {
    const [, outbox] = (await this.dataSource.query(`DELETE FROM outbox WHERE published_at < now() - interval '${RETENTION}'`)) as [
      unknown,
      number,
    ];
    let inbox = 0;
    for (;;) {
      const [, deleted] = (await this.dataSource.query(
        `DELETE FROM processed_events WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM processed_events
           WHERE processed_at < now() - make_interval(days => $1) AND outcome = 'processed' LIMIT $2))`,
        [this.inboxRetentionDays, INBOX_PRUNE_CHUNK],
      )) as [unknown, number];
      inbox += deleted;
      if (deleted < INBOX_PRUNE_CHUNK) return { outbox, inbox };
    }
  }
}
