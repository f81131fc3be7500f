import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Env, ENV, MetricsRegistry } from '#libs/common';
import { advisoryLockKey } from '#libs/database';
import { OutboxService } from './outbox.service.js';
import {
  EVENT_PUBLISHER,
  type EventPublisher,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  type OutgoingRecord,
  type PublisherState,
} from './tokens.js';

interface OutboxRow {
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

const BATCH = 500;
const RETENTION = '7 days';

/**
 * Publishes committed outbox rows in id order and marks them published. One relay
 * per service works at a time (advisory lock), which keeps per-key order across
 * instances; a failed publish leaves rows for the next pass (at-least-once).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly lockKey: string;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private failures = 0;
  private lastCleanup = 0;
  private connected = false;
  private lastSuccessAt: Date | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly metrics: MetricsRegistry,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
    @Inject(ENV) private readonly env: Env,
  ) {
    this.lockKey = advisoryLockKey(`outbox-relay:${options.schema}`);
    this.outbox.onAdded(() => this.schedule(2));
  }

  /** Starts relaying; an unreachable broker does not stop the service from starting (see /health). */
  onApplicationBootstrap(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Drains what is committed, then stops (graceful shutdown). */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (this.failures === 0) await this.drain().catch((err: unknown) => this.logger.warn({ err }, 'final flush failed'));
    if (this.connected) await this.publisher.close();
  }

  /** Publishes until nothing is pending; used at shutdown and by tests. */
  async drain(): Promise<void> {
    while ((await this.publishBatch()) === BATCH) {
      /* keep going */
    }
  }

  /** What the relay is doing, for /health (the publisher rebuilds its own producer; see publishers.ts). */
  status(): RelayStatus {
    return {
      state: this.stopped ? 'stopped' : this.failures > 0 ? 'retrying' : 'running',
      consecutiveFailures: this.failures,
      lastSuccessAt: this.lastSuccessAt?.toISOString() ?? null,
      lastError: this.lastError,
      publisher: this.publisher.state(),
    };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) {
      if (delayMs >= this.env.OUTBOX_POLL_MS) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (this.running) {
      this.schedule(this.env.OUTBOX_POLL_MS);
      return;
    }
    let published = 0;
    this.running = this.publishBatch()
      .then((count) => {
        published = count;
        this.failures = 0;
        this.lastSuccessAt = new Date();
        this.lastError = null;
      })
      .catch((err: unknown) => {
        this.failures += 1;
        this.lastError = err instanceof Error ? err.message : String(err);
        if (this.failures === 1 || this.failures % 50 === 0)
          this.logger.error({ err, failures: this.failures }, 'outbox publish failed; will retry');
      })
      .finally(() => {
        this.running = null;
      });
    await this.running;
    await this.cleanup();
    const backoff = this.failures
      ? Math.min(5000, 100 * 2 ** Math.min(this.failures, 6))
      : published === BATCH
        ? 0
        : this.env.OUTBOX_POLL_MS;
    this.schedule(backoff);
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
      const rows = (await runner.query(
        `SELECT id, event_id, topic, message_key, payload::text AS payload FROM outbox
         WHERE published_at IS NULL ORDER BY id LIMIT ${BATCH}`,
      )) as OutboxRow[];
      if (rows.length === 0) {
        await runner.commitTransaction();
        return 0;
      }
      const records: OutgoingRecord[] = rows.map((row) => ({
        topic: row.topic,
        key: row.message_key,
        value: row.payload,
        eventId: row.event_id,
      }));
      await this.publisher.publish(records, runner);
      await runner.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      await runner.commitTransaction();
      for (const record of records) this.metrics.eventsPublished.inc({ topic: record.topic });
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
    await this.dataSource
      .query(`DELETE FROM outbox WHERE published_at < now() - interval '${RETENTION}'`)
      .catch((err: unknown) => this.logger.warn({ err }, 'outbox cleanup failed'));
  }
}
