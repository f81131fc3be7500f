import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { DataSource, QueryRunner } from 'typeorm';
import type { MetricsRegistry } from '#libs/common';
import { advisoryLockKey } from '#libs/database';
import { EMBEDDED_BATCH_SIZE, EMBEDDED_PARTITIONS, type EventBatchContext, isBatchHandler, runHandler } from './batch.js';
import { BUS_SCHEMA, type BusEvent, ensureEventBus, readEventBus } from './embedded-bus.js';
import { PollingWorker } from './worker.js';

const RETENTION = '7 days';
const instanceLockKey = (groupId: string): string => advisoryLockKey(`embedded-bus:instance:${groupId}`);
const CLEANUP_EVERY_MS = 3_600_000;

/**
 * The embedded transport's consumer: reads the PostgreSQL event log from the group's offset
 * and calls the same handlers the Kafka transport would — a `@BatchEventPattern` handler with
 * each topic's events of the read as one batch, in log order; other handlers event by event.
 * The offset moves only past events whose handler succeeded, so nothing is lost, and what is
 * delivered again is made harmless by the inbox.
 *
 * The embedded bus is for one process: a group's consumer holds a session advisory lock for as
 * long as it listens, and a second instance of the group refuses to start, saying so (replicas
 * run on Kafka). The row lock on the group's offset still keeps one reader at a time should the
 * lock's connection be lost.
 */
export class EmbeddedBusServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(EmbeddedBusServer.name);
  private readonly worker: PollingWorker;
  private lastCleanup = Date.now();
  /**
   * The read of the batch after the one being handled, started while that one is applied (the
   * log past an offset only grows, so a read ahead stays a valid prefix); used when the group's
   * offset is where it began, thrown away otherwise.
   */
  private ahead: { after: string; events: Promise<BusEvent[] | null> } | null = null;
  /** The connection holding the group's one-instance lock while listening. */
  private instanceLock: QueryRunner | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly groupId: string,
    pollMs: number,
    private readonly metrics?: MetricsRegistry,
    private readonly batchSize = EMBEDDED_BATCH_SIZE,
    private readonly partitions = EMBEDDED_PARTITIONS,
  ) {
    super();
    this.worker = new PollingWorker({
      name: `embedded bus consumer ${groupId}`,
      idleMs: pollMs,
      logger: this.log,
      pass: async () => ((await this.poll()) === this.batchSize ? 'more' : 'idle'),
    });
  }

  listen(callback: (err?: unknown) => void): void {
    this.lockInstance()
      .then(() => ensureEventBus(this.dataSource))
      .then(() => {
        this.worker.start();
        callback();
      })
      .catch((err: unknown) => callback(err));
  }

  /** Stops reading; the batch under way finishes and its offset is stored first. */
  async close(): Promise<void> {
    await this.worker.stop();
    await this.ahead?.events;
    this.ahead = null;
    await this.unlockInstance();
  }

  private async lockInstance(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [instanceLockKey(this.groupId)])) as Array<{
      locked: boolean;
    }>;
    if (!locked) {
      await runner.release();
      throw new Error(
        `Another "${this.groupId}" instance already consumes the embedded event bus of this database. ` +
          'The embedded bus is for one process: run replicas on Kafka (set KAFKA_BROKERS).',
      );
    }
    this.instanceLock = runner;
  }

  private async unlockInstance(): Promise<void> {
    const runner = this.instanceLock;
    this.instanceLock = null;
    if (!runner) return;
    await runner.query('SELECT pg_advisory_unlock($1)', [instanceLockKey(this.groupId)]).catch(() => undefined);
    await runner.release();
  }

  on(): never {
    throw new Error('The embedded event bus does not support event listeners.');
  }

  unwrap<T>(): T {
    return this.dataSource as T;
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
      const offset = owned[0]!.last_seq;
      const ahead = this.ahead?.after === offset ? await this.ahead.events : null;
      this.ahead = null;
      const events = ahead ?? (await this.read(runner, offset, topics));
      if (events.length === this.batchSize) {
        const after = events[events.length - 1]!.seq;
        this.ahead = { after, events: this.read('ahead', after, topics).catch(() => null) };
      }
      const { done, failure } = await this.deliver(events);
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

  /** The group's next events (readEventBus): in the poll's transaction, or — reading ahead — in one of its own. */
  private async read(from: 'ahead' | QueryRunner, after: string, topics: string[]): Promise<BusEvent[]> {
    if (from !== 'ahead') return readEventBus(from, after, topics, this.batchSize);
    return this.dataSource.transaction((manager) => readEventBus(manager, after, topics, this.batchSize));
  }

  /**
   * Hands the events to their handlers, topic by topic. Returns the sequence number the group's
   * offset may move to: the last event read, or — when a handler failed — the one before the
   * first event not handled.
   */
  private async deliver(events: BusEvent[]): Promise<{ done: string | null; failure: unknown }> {
    if (events.length === 0) return { done: null, failure: null };
    const byTopic = new Map<string, BusEvent[]>();
    for (const event of events) {
      const list = byTopic.get(event.topic);
      if (list) list.push(event);
      else byTopic.set(event.topic, [event]);
    }
    let firstUnhandled: bigint | null = null;
    let failure: unknown = null;
    for (const [topic, list] of byTopic) {
      const failed = await this.deliverTopic(topic, list);
      if (!failed) continue;
      const seq = BigInt(list[failed.at]!.seq);
      if (firstUnhandled === null || seq < firstUnhandled) firstUnhandled = seq;
      failure ??= failed.err;
    }
    if (firstUnhandled === null) return { done: events[events.length - 1]!.seq, failure: null };
    const before = firstUnhandled - 1n;
    const first = BigInt(events[0]!.seq);
    return { done: before >= first ? before.toString() : null, failure };
  }

  /**
   * One topic's events: to a batch handler as up to EMBEDDED_PARTITIONS batches at once, one per
   * group of keys (like a Kafka consumer's partitions: a key's events stay in order, in one batch),
   * else one by one; returns where it failed — the first event of the earliest failed batch (the
   * batches after it that succeeded are delivered again, and the inbox absorbs them).
   */
  private async deliverTopic(topic: string, list: BusEvent[]): Promise<{ at: number; err: unknown } | null> {
    const handler = this.getHandlerByPattern(topic);
    if (!handler) return null;
    const context: EventBatchContext = { topic, partition: null };
    if (isBatchHandler(handler)) {
      const batches = byKeyGroup(list, this.partitions);
      const results = await Promise.allSettled(
        batches.map((batch) =>
          runHandler(
            handler,
            batch.map((e) => e.value),
            context,
          ),
        ),
      );
      let failed: { at: number; err: unknown } | null = null;
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') return;
        const at = list.indexOf(batches[i]![0]!);
        if (!failed || at < failed.at) failed = { at, err: result.reason };
      });
      return failed;
    }
    for (const [at, event] of list.entries()) {
      try {
        await runHandler(handler, event.value, context);
      } catch (err) {
        return { at, err };
      }
    }
    return null;
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
}

/** A topic's events split by key into at most `groups` batches (a key's events all in one, in log order). */
export function byKeyGroup(list: BusEvent[], groups: number): BusEvent[][] {
  if (groups <= 1) return [list];
  const batches = new Map<number, BusEvent[]>();
  for (const event of list) {
    const group = keyGroup(event.message_key, groups);
    const batch = batches.get(group);
    if (batch) batch.push(event);
    else batches.set(group, [event]);
  }
  return [...batches.values()];
}

/** A stable group of a key (FNV-1a of its UTF-16 code units). */
function keyGroup(key: string, groups: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % groups;
}
