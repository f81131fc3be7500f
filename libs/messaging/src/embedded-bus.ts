import type { DataSource, QueryRunner } from 'typeorm';
import { advisoryLockKey } from '#libs/database';
import { orderedBacklogRead, type SqlRunner } from './backlog-reads.js';

/**
 * The embedded event transport: a durable, ordered log in PostgreSQL (schema
 * `event_bus`) with an offset per consumer group — Kafka's shape, without Kafka.
 * Used when KAFKA_BROKERS is not set.
 */
export const BUS_SCHEMA = 'event_bus';
const APPEND_LOCK = advisoryLockKey('event_bus:append');

export async function ensureEventBus(dataSource: DataSource): Promise<void> {
  const lock = advisoryLockKey('event_bus:ddl');
  await dataSource.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [lock]);
    await manager.query(`CREATE SCHEMA IF NOT EXISTS ${BUS_SCHEMA}`);
    await manager.query(`
      CREATE TABLE IF NOT EXISTS ${BUS_SCHEMA}.events (
        seq bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        event_id text NOT NULL,
        value jsonb NOT NULL,
        appended_at timestamptz NOT NULL DEFAULT now()
      )`);
    await manager.query(`CREATE INDEX IF NOT EXISTS events_topic_seq_idx ON ${BUS_SCHEMA}.events (topic, seq)`);
    await manager.query(`
      CREATE TABLE IF NOT EXISTS ${BUS_SCHEMA}.group_offsets (
        group_id text PRIMARY KEY,
        last_seq bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  });
}

/**
 * Appends records to the log inside the caller's transaction, in their order. Appends are
 * serialized by an advisory lock held to commit, so sequence numbers become visible in order and
 * a reader never skips one. The values go as one newline-separated text, not as a `jsonb[]`
 * array literal, whose per-element quoting and unquoting of JSON (quotes in every value) made the
 * append 2.4 times slower; compact JSON holds no newline (a string's newline is escaped), and a
 * value laid out over lines is compacted first.
 */
export async function appendToEventBus(
  runner: QueryRunner,
  records: Array<{ topic: string; key: string; eventId: string; value: string }>,
): Promise<void> {
  if (records.length === 0) return;
  await runner.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
  await runner.query(
    `INSERT INTO ${BUS_SCHEMA}.events (topic, message_key, event_id, value)
     SELECT r.topic, r.key, r.event_id, v.value::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(topic, key, event_id, n)
     JOIN string_to_table($4, E'\\n') WITH ORDINALITY AS v(value, n) USING (n)
     ORDER BY n`,
    [
      records.map((r) => r.topic),
      records.map((r) => r.key),
      records.map((r) => r.eventId),
      records.map((r) => (r.value.includes('\n') ? JSON.stringify(JSON.parse(r.value)) : r.value)).join('\n'),
    ],
  );
}

export interface BusEvent {
  seq: string;
  topic: string;
  /** The record key (the unit code): events of one key stay in order. */
  message_key: string;
  value: unknown;
}

/**
 * A group's next events, in the caller's transaction: per topic the first `limit` past `after`
 * in `(topic, seq)` index order, merged by seq (a Merge Append: no wide row is ever sorted), with
 * the plan kept to those index scans whatever the log's statistics (orderedBacklogRead).
 */
export async function readEventBus(runner: SqlRunner, after: string, topics: string[], limit: number): Promise<BusEvent[]> {
  if (topics.length === 0) return [];
  const arms = topics.map(
    (_, i) =>
      `(SELECT seq, topic, message_key, value FROM ${BUS_SCHEMA}.events WHERE topic = $${i + 2} AND seq > $1 ORDER BY seq LIMIT ${limit})`,
  );
  await orderedBacklogRead(runner);
  return (await runner.query(`SELECT seq, topic, message_key, value FROM (${arms.join(' UNION ALL ')}) e ORDER BY seq LIMIT ${limit}`, [
    after,
    ...topics,
  ])) as BusEvent[];
}
