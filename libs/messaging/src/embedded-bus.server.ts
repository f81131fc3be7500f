import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import type { MetricsRegistry } from '#libs/common';
import { BUS_SCHEMA, type BusEvent, ensureEventBus } from './embedded-bus.js';

const BATCH = 200;
const RETENTION = '7 days';
const CLEANUP_EVERY_MS = 3_600_000;

/**
 * The embedded transport's consumer: reads the PostgreSQL event log from the
 * group's offset and calls the same `@EventPattern` handlers the Kafka transport
 * would. One instance of a group reads at a time (row lock on its offset); the
 * offset moves only past events whose handler succeeded, so nothing is lost.
 */
export class EmbeddedBusServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(EmbeddedBusServer.name);
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;
  private failures = 0;
  private lastCleanup = Date.now();

  constructor(
    private readonly dataSource: DataSource,
    private readonly groupId: string,
    private readonly pollMs: number,
    private readonly metrics?: MetricsRegistry,
  ) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    ensureEventBus(this.dataSource)
      .then(() => {
        this.schedule(0);
        callback();
      })
      .catch((err: unknown) => callback(err));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
  }

  on(): never {
    throw new Error('The embedded event bus does not support event listeners.');
  }

  unwrap<T>(): T {
    return this.dataSource as T;
  }

  private schedule(delay: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll()
        .then((count) => {
          this.failures = 0;
          this.schedule(count === BATCH ? 0 : this.pollMs);
        })
        .catch((err: unknown) => {
          this.failures += 1;
          if (this.failures === 1 || this.failures % 50 === 0)
            this.log.error({ err, group: this.groupId }, 'event delivery failed; will retry');
          this.schedule(Math.min(5000, 100 * 2 ** Math.min(this.failures, 6)));
        })
        .finally(() => {
          this.polling = null;
        });
    }, delay);
  }

  private async poll(): Promise<number> {
    const topics = [...this.messageHandlers.keys()];
    if (topics.length === 0) return 0;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`INSERT INTO ${BUS_SCHEMA}.group_offsets (group_id) VALUES ($1) ON CONFLICT DO NOTHING`, [this.groupId]);
      const owned = (await runner.query(`SELECT last_seq FROM ${BUS_SCHEMA}.group_offsets WHERE group_id = $1 FOR UPDATE SKIP LOCKED`, [
        this.groupId,
      ])) as Array<{ last_seq: string }>;
      if (owned.length === 0) {
        await runner.commitTransaction();
        return 0;
      }
      const events = (await runner.query(
        `SELECT seq, topic, value FROM ${BUS_SCHEMA}.events WHERE seq > $1 AND topic = ANY($2) ORDER BY seq LIMIT ${BATCH}`,
        [owned[0].last_seq, topics],
      )) as BusEvent[];
      let done: string | null = null;
      let failure: unknown = null;
      for (const event of events) {
        if (this.closed) break;
        try {
          await this.deliver(event);
          done = event.seq;
        } catch (err) {
          failure = err;
          break;
        }
      }
      if (done !== null) {
        await runner.query(`UPDATE ${BUS_SCHEMA}.group_offsets SET last_seq = $2, updated_at = now() WHERE group_id = $1`, [
          this.groupId,
          done,
        ]);
      }
      await runner.commitTransaction();
      if (events.length) this.metrics?.batchesHandled.inc({ group: this.groupId, outcome: failure ? 'failed' : 'applied' });
      await this.cleanup();
      if (failure) throw failure instanceof Error ? failure : new Error('event handler failed', { cause: failure });
      return events.length;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** Like Kafka's retention: events every group has read, and older than the retention, go. */
  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = Date.now();
    await this.dataSource.query(
      `DELETE FROM ${BUS_SCHEMA}.events
       WHERE seq <= (SELECT coalesce(min(last_seq), 0) FROM ${BUS_SCHEMA}.group_offsets)
         AND appended_at < now() - interval '${RETENTION}'`,
    );
  }

  private async deliver(event: BusEvent): Promise<void> {
    const handler = this.getHandlerByPattern(event.topic);
    if (!handler) return;
    const result: unknown = await handler(event.value, { topic: event.topic, seq: event.seq });
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }
}
