import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { MetricsRegistry } from '#libs/common';
import { type CloudEvent, createCloudEvent, EventTypes, Topics } from '#libs/contracts';
import {
  applyTestEnv,
  caseLifecycleData,
  createTestDatabase,
  eventually,
  reviewSubmittedData,
  startTestService,
  type TestDatabase,
} from '#libs/testing';
import { expectRollupsEqualRebuild, processedCount, queueOnBus, reviewEvents, rollupSnapshot, uniqueUnit } from './pipeline-fixtures.js';

/** Sum of events_handled_total for an outcome, across topics. */
async function handled(app: INestApplication, outcome: string): Promise<number> {
  const metric = await app.get(MetricsRegistry).eventsHandled.get();
  return metric.values.filter((v) => v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
}

describe('statistics consumes the embedded bus in batches, exactly once', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  let expected = 0;

  const offset = async () =>
    Number((await sql.query(`SELECT last_seq FROM event_bus.group_offsets WHERE group_id = 'statistics'`)).rows[0]?.last_seq ?? 0);
  const lastSeq = async () =>
    Number((await sql.query(`SELECT coalesce(max(seq), 0) AS s FROM event_bus.events WHERE topic <> 'events.dead-letter'`)).rows[0].s);
  const caughtUp = async () => {
    const end = await lastSeq();
    await eventually(offset, (o) => o >= end, 60_000);
  };
  const reviewTotal = async (unitCode: string) =>
    Number(
      (await sql.query(`SELECT coalesce(sum(reviews), 0) AS n FROM statistics.review_rollups WHERE unit_code = $1`, [unitCode])).rows[0].n,
    );

  beforeAll(async () => {
    db = await createTestDatabase('batch_consume', { migrated: ['statistics'] });
    applyTestEnv(db.url);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    app = await startTestService(StatisticsModule, STATISTICS_APP);
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await db?.drop();
  });

  it('applies a batch holding the same event twice once', async () => {
    const unit = uniqueUnit();
    const { reviews, cases } = reviewEvents(unit, 300);
    // 300 reviews and 50 of them again (same event ids) in one read of the bus.
    await queueOnBus(sql, Topics.ReviewsSubmitted, [...reviews, ...reviews.slice(100, 150)]);
    await queueOnBus(sql, Topics.CasesLifecycle, [...cases, cases[0]!]);
    expected += reviews.length + cases.length;
    await eventually(
      () => processedCount(sql),
      (n) => n === expected,
      60_000,
    );
    await caughtUp();
    expect(await reviewTotal(unit)).toBe(300);
    const [bad] = (await sql.query(`SELECT sum(responded)::int AS responded FROM statistics.review_rollups WHERE unit_code = $1`, [unit]))
      .rows;
    expect(bad.responded).toBe(30);
    await expectRollupsEqualRebuild(app, sql);
  });

  it('changes nothing when a batch is delivered again, whole or in part (position lost after the commit)', async () => {
    const unit = uniqueUnit();
    const before = await offset();
    const { reviews, cases } = reviewEvents(unit, 400);
    await queueOnBus(sql, Topics.ReviewsSubmitted, reviews);
    await queueOnBus(sql, Topics.CasesLifecycle, cases);
    expected += reviews.length + cases.length;
    await caughtUp();
    const end = await offset();
    const applied = await rollupSnapshot(sql);
    // As if the consumer died after its transaction committed and before the offset moved: whole batch again.
    let duplicates = await handled(app, 'duplicate');
    await sql.query(`UPDATE event_bus.group_offsets SET last_seq = $1 WHERE group_id = 'statistics'`, [before]);
    await eventually(offset, (o) => o >= end, 60_000);
    expect((await handled(app, 'duplicate')) - duplicates).toBe(440);
    // … and from its middle.
    duplicates = await handled(app, 'duplicate');
    await sql.query(`UPDATE event_bus.group_offsets SET last_seq = $1 WHERE group_id = 'statistics'`, [before + 250]);
    await eventually(offset, (o) => o >= end, 60_000);
    expect((await handled(app, 'duplicate')) - duplicates).toBe(190);
    expect(await rollupSnapshot(sql)).toEqual(applied);
    expect(await reviewTotal(unit)).toBe(400);
    expect(await processedCount(sql)).toBe(expected);
    await expectRollupsEqualRebuild(app, sql);
  });

  it('dead-letters a poison event in the middle of a batch alone and applies the rest', async () => {
    const unit = uniqueUnit();
    const { reviews, cases } = reviewEvents(unit, 200);
    // Fails its schema: caught before the transaction.
    const invalid = createCloudEvent({
      type: EventTypes.ReviewSubmitted,
      source: 'test',
      data: { ...reviewSubmittedData({ unitCode: unit }), reviewId: 'not-a-uuid' },
    });
    // Passes its schema, fails in the database (case_version is an integer): found by splitting the batch.
    const overflow = createCloudEvent({
      type: EventTypes.CaseResponded,
      source: 'test',
      data: caseLifecycleData({
        unitCode: unit,
        reviewId: (reviews[50]!.data as { reviewId: string }).reviewId,
        version: 2 ** 31,
      }),
    });
    await queueOnBus(sql, Topics.ReviewsSubmitted, [...reviews.slice(0, 100), invalid as CloudEvent<unknown>, ...reviews.slice(100)]);
    await queueOnBus(sql, Topics.CasesLifecycle, [...cases.slice(0, 10), overflow as CloudEvent<unknown>, ...cases.slice(10)]);
    expected += reviews.length + cases.length + 2;
    await eventually(
      () => processedCount(sql),
      (n) => n === expected,
      60_000,
    );
    await caughtUp();
    const dead = (
      await sql.query(
        `SELECT event_id, reason FROM statistics.processed_events WHERE outcome = 'dead_lettered' AND event_id = ANY($1) ORDER BY event_id`,
        [[invalid.id, overflow.id]],
      )
    ).rows as Array<{ event_id: string; reason: string }>;
    expect(dead.map((d) => d.event_id).sort()).toEqual([invalid.id, overflow.id].sort());
    expect(dead.find((d) => d.event_id === invalid.id)!.reason).toMatch(/reviewId/);
    expect(dead.find((d) => d.event_id === overflow.id)!.reason).toMatch(/out of range/);
    const letters = (
      await sql.query(`SELECT payload->'data'->'event'->>'id' AS id FROM statistics.outbox WHERE topic = 'events.dead-letter'`)
    ).rows.map((r: { id: string }) => r.id);
    expect(letters.filter((id) => id === invalid.id || id === overflow.id).sort()).toEqual([invalid.id, overflow.id].sort());
    expect(await processedCount(sql, 'processed')).toBe(expected - (await processedCount(sql, 'dead_lettered')));
    expect(await reviewTotal(unit)).toBe(200);
    const [bad] = (await sql.query(`SELECT sum(responded)::int AS responded FROM statistics.review_rollups WHERE unit_code = $1`, [unit]))
      .rows;
    expect(bad.responded).toBe(20);
    await expectRollupsEqualRebuild(app, sql);
  });

  it('loses and doubles nothing when stopped in the middle of a backlog; a second instance on the bus is refused', async () => {
    const unit = uniqueUnit();
    // Four reads' worth (a read is 5,000 events): stopped after the first commits, the second may finish, not the rest.
    const { reviews, cases } = reviewEvents(unit, 20_000);
    await queueOnBus(sql, Topics.ReviewsSubmitted, reviews);
    await queueOnBus(sql, Topics.CasesLifecycle, cases);
    expected += reviews.length + cases.length;
    const start = await processedCount(sql);
    // Stop as soon as the first batch of the backlog has committed: the next one is under way.
    await eventually(
      () => processedCount(sql),
      (n) => n > start,
      60_000,
      5,
    );
    await app.close();
    const stoppedAt = await processedCount(sql);
    expect(stoppedAt).toBeLessThan(expected);
    // The embedded bus is for one process: a second instance of the group refuses to start, saying why.
    app = await startTestService(StatisticsModule, STATISTICS_APP);
    await expect(startTestService(StatisticsModule, { ...STATISTICS_APP, shutdownHooks: false })).rejects.toThrow(
      'Another "statistics" instance already consumes the embedded event bus of this database. The embedded bus is for one process: run replicas on Kafka (set KAFKA_BROKERS).',
    );
    const more = reviewEvents(unit, 3_000);
    await queueOnBus(sql, Topics.ReviewsSubmitted, more.reviews);
    await queueOnBus(sql, Topics.CasesLifecycle, more.cases);
    expected += more.reviews.length + more.cases.length;
    await eventually(
      () => processedCount(sql),
      (n) => n > stoppedAt + 2_000,
      60_000,
      5,
    );
    await eventually(
      () => processedCount(sql),
      (n) => n === expected,
      120_000,
    );
    await caughtUp();
    expect(await reviewTotal(unit)).toBe(23_000);
    await expectRollupsEqualRebuild(app, sql);
  });
});
