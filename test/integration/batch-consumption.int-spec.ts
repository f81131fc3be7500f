import type { INestApplication } from '@nestjs/common';
import type { Admin, Producer } from 'kafkajs';
import { Client } from 'pg';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { MetricsRegistry } from '#libs/common';
import { type CloudEvent, createCloudEvent, EventTypes, Topics } from '#libs/contracts';
import { applyTestEnv, caseLifecycleData, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { expectRollupsEqualRebuild, processedCount, reviewEvents, rollupSnapshot, uniqueUnit } from '../e2e/pipeline-fixtures.js';
import { integrationBrokers, kafkaClients, startGroupAtEnd } from './support/kafka-group.js';

const GROUP = 'statistics';
const GROUP_TOPICS = [Topics.ReviewsSubmitted, Topics.CasesLifecycle, Topics.UnresolvedReported];

async function handled(app: INestApplication, outcome: string): Promise<number> {
  const metric = await app.get(MetricsRegistry).eventsHandled.get();
  return metric.values.filter((v) => v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
}

describe('over real Kafka: statistics consumes partition batches exactly once', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  let producer: Producer;
  let admin: Admin;
  let expected = 0;

  /** Sends the messages to one partition (≤ 500 a request, under the broker's message size): fetched as one batch or a few. */
  const send = async (topic: string, events: unknown[], partition = 0) => {
    for (let i = 0; i < events.length; i += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: events.slice(i, i + 500).map((e) => ({ partition, key: 'k', value: typeof e === 'string' ? e : JSON.stringify(e) })),
      });
    }
  };
  const high = async (topic: string, partition: number) =>
    Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition)!.high);
  const committed = async (topic: string, partition: number) => {
    const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [topic] });
    return Number(t!.partitions.find((p) => p.partition === partition)!.offset);
  };
  const caughtUp = async () => {
    for (const topic of GROUP_TOPICS) {
      for (const { partition, high: end } of await admin.fetchTopicOffsets(topic)) {
        if (Number(end) === 0) continue;
        await eventually(
          () => committed(topic, partition),
          (o) => o >= Number(end),
          60_000,
          200,
        );
      }
    }
  };
  const reviewTotal = async (unitCode: string) =>
    Number(
      (await sql.query(`SELECT coalesce(sum(reviews), 0) AS n FROM statistics.review_rollups WHERE unit_code = $1`, [unitCode])).rows[0].n,
    );

  beforeAll(async () => {
    const brokers = integrationBrokers();
    db = await createTestDatabase('batch_kafka', { migrated: ['statistics'] });
    applyTestEnv(db.url, { kafka: true });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    ({ producer, admin } = await kafkaClients(brokers));
    await startGroupAtEnd(admin, GROUP, GROUP_TOPICS);
    app = await startTestService(StatisticsModule, STATISTICS_APP);
  });

  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await sql?.end();
    await db?.drop();
  });

  it('applies a batch holding the same event twice once', async () => {
    const unit = uniqueUnit();
    const { reviews, cases } = reviewEvents(unit, 300);
    await send(Topics.ReviewsSubmitted, [...reviews, ...reviews.slice(100, 150)]);
    await send(Topics.CasesLifecycle, [...cases, cases[0]!]);
    expected += reviews.length + cases.length;
    await eventually(
      () => processedCount(sql),
      (n) => n === expected,
      60_000,
    );
    await caughtUp();
    expect(await reviewTotal(unit)).toBe(300);
    await expectRollupsEqualRebuild(app, sql);
  });

  it('changes nothing when a batch is delivered again, whole or in part (killed between the commit and the offset commit)', async () => {
    const unit = uniqueUnit();
    const before = await high(Topics.ReviewsSubmitted, 1);
    const { reviews, cases } = reviewEvents(unit, 400);
    await send(Topics.ReviewsSubmitted, reviews, 1);
    await send(Topics.CasesLifecycle, cases, 1);
    expected += reviews.length + cases.length;
    await eventually(
      () => processedCount(sql),
      (n) => n === expected,
      60_000,
    );
    await caughtUp();
    const applied = await rollupSnapshot(sql);
    for (const [from, again] of [
      [before, 400],
      [before + 250, 150],
    ] as const) {
      // The state a consumer killed after its transaction committed, before its offset commit, leaves behind.
      await app.close();
      await admin.setOffsets({ groupId: GROUP, topic: Topics.ReviewsSubmitted, partitions: [{ partition: 1, offset: String(from) }] });
      app = await startTestService(StatisticsModule, STATISTICS_APP);
      await eventually(
        () => committed(Topics.ReviewsSubmitted, 1),
        (o) => o >= before + 400,
        60_000,
        200,
      );
      expect(await handled(app, 'duplicate')).toBe(again);
      expect(await handled(app, 'processed')).toBe(0);
    }
    expect(await rollupSnapshot(sql)).toEqual(applied);
    expect(await processedCount(sql)).toBe(expected);
    await expectRollupsEqualRebuild(app, sql);
  });

  it('dead-letters poison events in the middle of a batch alone and applies the rest', async () => {
    const unit = uniqueUnit();
    const { reviews, cases } = reviewEvents(unit, 200);
    const overflow = createCloudEvent({
      type: EventTypes.CaseResponded,
      source: 'test',
      data: caseLifecycleData({ unitCode: unit, reviewId: (reviews[50]!.data as { reviewId: string }).reviewId, version: 2 ** 31 }),
    });
    await send(Topics.ReviewsSubmitted, [...reviews.slice(0, 100), 'not json at all', ...reviews.slice(100)], 2);
    await send(Topics.CasesLifecycle, [...cases.slice(0, 10), overflow as CloudEvent<unknown>, ...cases.slice(10)], 2);
    expected += reviews.length + cases.length + 1;
    await eventually(
      () => processedCount(sql),
      (n) => n === expected,
      60_000,
    );
    await caughtUp();
    const [dead] = (
      await sql.query(`SELECT reason FROM statistics.processed_events WHERE event_id = $1 AND outcome = 'dead_lettered'`, [overflow.id])
    ).rows as Array<{ reason: string }>;
    expect(dead!.reason).toMatch(/out of range/);
    const letters = (
      await sql.query(`SELECT payload->'data'->'event' AS event FROM statistics.outbox WHERE topic = 'events.dead-letter' ORDER BY id`)
    ).rows.map((r: { event: unknown }) => r.event);
    expect(letters).toContainEqual('not json at all');
    expect(letters.filter((e) => (e as { id?: string }).id === overflow.id)).toHaveLength(1);
    expect(await reviewTotal(unit)).toBe(200);
    await expectRollupsEqualRebuild(app, sql);
  });

  it('counts exactly once while two instances share the partitions, through a rebalance and a stop mid-batch', async () => {
    const unit = uniqueUnit();
    const second = await startTestService(StatisticsModule, STATISTICS_APP);
    const { reviews, cases } = reviewEvents(unit, 9_000);
    for (let i = 0; i < 3; i++) await send(Topics.ReviewsSubmitted, reviews.slice(i * 3_000, (i + 1) * 3_000), i);
    await send(Topics.CasesLifecycle, cases, 0);
    expected += reviews.length + cases.length;
    const start = await processedCount(sql);
    // One instance leaves as soon as a batch has committed (its partitions move to the other), mid-backlog.
    await eventually(
      () => processedCount(sql),
      (n) => n > start,
      60_000,
      5,
    );
    await second.close();
    const more = reviewEvents(unit, 3_000);
    for (let i = 0; i < 3; i++) await send(Topics.ReviewsSubmitted, more.reviews.slice(i * 1_000, (i + 1) * 1_000), i);
    await send(Topics.CasesLifecycle, more.cases, 1);
    expected += more.reviews.length + more.cases.length;
    await eventually(
      () => processedCount(sql),
      (n) => n === expected,
      120_000,
    );
    await caughtUp();
    expect(await reviewTotal(unit)).toBe(12_000);
    await expectRollupsEqualRebuild(app, sql);
  });
});
