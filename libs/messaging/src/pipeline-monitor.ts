import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsRegistry } from '#libs/common';
import { BUS_SCHEMA } from './embedded-bus.js';
import { OutboxRelay, type RelayStatus } from './outbox-relay.service.js';
import { KafkaEventPublisher } from './publishers.js';
import { EVENT_PUBLISHER, type EventPublisher } from './tokens.js';

/** The consumer groups this process runs, each with the topics its handlers read (registered by the transport). */
@Injectable()
export class ConsumerGroups {
  private readonly groups = new Map<string, () => string[]>();

  register(groupId: string, topics: () => string[]): void {
    this.groups.set(groupId, topics);
  }

  list(): Array<{ groupId: string; topics: string[] }> {
    return [...this.groups].map(([groupId, topics]) => ({ groupId, topics: topics() }));
  }
}

export interface OutboxBacklog {
  /** Outbox rows not yet handed to the broker. */
  pending: number;
  /** Age of the oldest of them, in seconds (0 when none). */
  oldestPendingSeconds: number;
}

export interface GroupLag {
  group: string;
  transport: 'kafka' | 'embedded';
  /** Events on the group's topics it has not applied yet (Kafka: log-end − committed offset, summed over partitions). */
  waiting: number;
  /** Age of the oldest of them, in seconds (0 when none; Kafka: found from record timestamps to the second). */
  oldestUnappliedSeconds: number;
  byTopic: Record<string, number>;
  measuredAt?: string;
  /** Set when the lag could not be measured lately (e.g. the broker is down): the figures are the last measured ones. */
  stale?: { error: string };
}

export interface PipelineSnapshot {
  outbox: OutboxBacklog | { error: string };
  relay: RelayStatus;
  consumers: Array<GroupLag | { group: string; error: string }>;
}

const CACHE_MS = 1_000;
const STALE_AFTER_MS = 10_000;
/** Longest age the Kafka search looks back (a week: the topics' retention). */
const MAX_AGE_SECONDS = 7 * 24 * 3600;

/**
 * The one place that measures the pipeline: this service's outbox backlog, its relay's
 * state and the lag of the consumer groups it runs. /health and /metrics both read it
 * (a snapshot is reused for a second, so a scrape and a probe cost one measurement).
 */
@Injectable()
export class PipelineMonitor {
  private readonly logger = new Logger(PipelineMonitor.name);
  private cached: { at: number; value: Promise<PipelineSnapshot> } | null = null;
  private readonly lastMeasured = new Map<string, { at: Date; lag: GroupLag }>();
  private readonly lagErrors = new Map<string, string>();
  private lagRun: Promise<void> | null = null;
  private lagAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly groups: ConsumerGroups,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    metrics: MetricsRegistry,
  ) {
    this.registerMetrics(metrics);
  }

  snapshot(): Promise<PipelineSnapshot> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CACHE_MS) this.cached = { at: now, value: this.measure() };
    return this.cached.value;
  }

  async outboxBacklog(): Promise<OutboxBacklog> {
    // Rows are added in id order with created_at = now(), so the lowest pending id is the oldest.
    const [row] = (await this.dataSource.query(
      `SELECT (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS pending,
              coalesce(extract(epoch FROM now() - (SELECT created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1)), 0)::float8 AS oldest`,
    )) as Array<{ pending: number; oldest: number }>;
    return { pending: row.pending, oldestPendingSeconds: Math.max(0, Math.round(row.oldest * 10) / 10) };
  }

  /**
   * The lag of each group, as last measured. Measuring runs in the background (a Kafka
   * measurement is several admin requests, and an unreachable broker makes it slow), so
   * a probe never waits on it except for the very first figure; figures older than
   * STALE_AFTER_MS, or whose last measurement failed, carry `stale`.
   */
  async consumerLag(): Promise<Array<GroupLag | { group: string; error: string }>> {
    const groups = this.groups.list();
    if (groups.length === 0) return [];
    if (!this.lagRun && Date.now() - this.lagAt > CACHE_MS) {
      this.lagRun = this.measureLag(groups).finally(() => {
        this.lagRun = null;
        this.lagAt = Date.now();
      });
    }
    if (this.lagRun && groups.some((g) => !this.lastMeasured.has(g.groupId) && !this.lagErrors.has(g.groupId)))
      await withTimeout(this.lagRun, 3_000).catch(() => undefined);
    return groups.map(({ groupId }) => {
      const last = this.lastMeasured.get(groupId);
      const error = this.lagErrors.get(groupId);
      if (!last) return { group: groupId, error: error ?? 'not measured yet' };
      const measuredAt = last.at.toISOString();
      const old = Date.now() - last.at.getTime() > STALE_AFTER_MS;
      return { ...last.lag, measuredAt, ...(error || old ? { stale: { error: error ?? 'measurement in progress' } } : {}) };
    });
  }

  private async measureLag(groups: Array<{ groupId: string; topics: string[] }>): Promise<void> {
    const publisher = this.publisher;
    await Promise.all(
      groups.map(async ({ groupId, topics }) => {
        try {
          const lag = await withTimeout(
            publisher instanceof KafkaEventPublisher
              ? publisher.withAdmin((admin) => kafkaLag(admin, groupId, topics))
              : this.embeddedLag(groupId, topics),
            15_000,
          );
          this.lastMeasured.set(groupId, { at: new Date(), lag });
          this.lagErrors.delete(groupId);
        } catch (err) {
          this.lagErrors.set(groupId, err instanceof Error ? err.message : String(err));
        }
      }),
    );
  }

  private async measure(): Promise<PipelineSnapshot> {
    const [outbox, consumers] = await Promise.all([
      this.outboxBacklog().catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) })),
      this.consumerLag(),
    ]);
    return { outbox, relay: this.relay.status(), consumers };
  }

  private async embeddedLag(groupId: string, topics: string[]): Promise<GroupLag> {
    const rows = (await this.dataSource.query(
      `WITH g AS (SELECT coalesce((SELECT last_seq FROM ${BUS_SCHEMA}.group_offsets WHERE group_id = $1), 0) AS last_seq)
       SELECT e.topic, count(*)::int AS waiting, extract(epoch FROM now() - min(e.appended_at))::float8 AS oldest
       FROM ${BUS_SCHEMA}.events e, g WHERE e.seq > g.last_seq AND e.topic = ANY($2) GROUP BY e.topic`,
      [groupId, topics],
    )) as Array<{ topic: string; waiting: number; oldest: number }>;
    const byTopic = Object.fromEntries(topics.map((t) => [t, 0]));
    for (const row of rows) byTopic[row.topic] = row.waiting;
    return {
      group: groupId,
      transport: 'embedded',
      waiting: rows.reduce((sum, r) => sum + r.waiting, 0),
      oldestUnappliedSeconds: Math.max(0, Math.round(Math.max(0, ...rows.map((r) => r.oldest)))),
      byTopic,
    };
  }

  private registerMetrics(metrics: MetricsRegistry): void {
    const registers = [metrics.registry];
    // prom-client calls collect() on scrape; the four gauges share one snapshot.
    const snapshot = () => this.snapshot();
    new Gauge({
      name: 'outbox_pending_events',
      help: 'Outbox events not yet published',
      registers,
      async collect() {
        const { outbox } = await snapshot();
        if ('pending' in outbox) this.set(outbox.pending);
      },
    });
    new Gauge({
      name: 'outbox_oldest_pending_seconds',
      help: 'Age of the oldest unpublished outbox event',
      registers,
      async collect() {
        const { outbox } = await snapshot();
        if ('pending' in outbox) this.set(outbox.oldestPendingSeconds);
      },
    });
    new Gauge({
      name: 'consumer_group_lag_events',
      help: 'Events a consumer group has not applied yet, per topic',
      labelNames: ['group', 'topic'],
      registers,
      async collect() {
        this.reset();
        for (const lag of (await snapshot()).consumers)
          if ('byTopic' in lag) for (const [topic, waiting] of Object.entries(lag.byTopic)) this.set({ group: lag.group, topic }, waiting);
      },
    });
    new Gauge({
      name: 'consumer_group_oldest_unapplied_seconds',
      help: 'Age of the oldest event a consumer group has not applied yet',
      labelNames: ['group'],
      registers,
      async collect() {
        this.reset();
        for (const lag of (await snapshot()).consumers) if ('byTopic' in lag) this.set({ group: lag.group }, lag.oldestUnappliedSeconds);
      },
    });
    this.logger.debug('pipeline gauges registered');
  }
}

/** Kafka lag of one group: log-end offset − committed offset per partition (uncommitted partitions count from the log start). */
export async function kafkaLag(admin: Admin, groupId: string, topics: string[]): Promise<GroupLag> {
  // Log ends first: that also loads the cluster metadata the group-coordinator lookup needs.
  const endsOf = new Map<string, Awaited<ReturnType<Admin['fetchTopicOffsets']>>>();
  for (const topic of topics) endsOf.set(topic, await admin.fetchTopicOffsets(topic));
  const committed = await admin.fetchOffsets({ groupId, topics });
  const byTopic: Record<string, number> = {};
  let oldest = 0;
  for (const { topic, partitions } of committed) {
    const ends = endsOf.get(topic) ?? [];
    const behind = new Map<number, number>();
    let waiting = 0;
    for (const end of ends) {
      const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      const from = offset >= 0 ? offset : Number(end.low);
      const lag = Math.max(0, Number(end.high) - from);
      if (lag > 0) behind.set(end.partition, from);
      waiting += lag;
    }
    byTopic[topic] = waiting;
    if (behind.size) oldest = Math.max(oldest, await oldestUnappliedSeconds(admin, topic, behind));
  }
  return {
    group: groupId,
    transport: 'kafka',
    waiting: Object.values(byTopic).reduce((a, b) => a + b, 0),
    oldestUnappliedSeconds: oldest,
    byTopic,
  };
}

/**
 * Age of the oldest unapplied record of a topic, to the second, from the broker's
 * time index: the smallest age A such that, on every lagging partition, the first
 * record written at or after now − A is at or before the group's offset. Doubling
 * then bisecting: about 2·log2(age) ListOffsets requests, none when nothing lags.
 */
async function oldestUnappliedSeconds(admin: Admin, topic: string, behind: Map<number, number>): Promise<number> {
  const now = Date.now();
  const reaches = async (ageSeconds: number) => {
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, now - ageSeconds * 1000);
    return [...behind].every(([partition, from]) => Number(offsets.find((o) => o.partition === partition)?.offset ?? Infinity) <= from);
  };
  let high = 1;
  while (!(await reaches(high))) {
    if (high >= MAX_AGE_SECONDS) return high;
    high *= 2;
  }
  let low = high / 2;
  if (high === 1) return 1;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (await reaches(mid)) high = mid;
    else low = mid;
  }
  return high;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}
