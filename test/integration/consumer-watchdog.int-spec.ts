import type { INestApplication } from '@nestjs/common';
import type { Admin, Producer } from 'kafkajs';
import { Client } from 'pg';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { MetricsRegistry } from '#libs/common';
import { Topics } from '#libs/contracts';
import type { KafkaBatchServer } from '#libs/messaging';
import { applyTestEnv, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { processedCount, reviewEvents, uniqueUnit } from '../e2e/pipeline-fixtures.js';
import { integrationBrokers, kafkaClients, startGroupAtEnd } from './support/kafka-group.js';

const GROUP = 'statistics';
const GROUP_TOPICS = [Topics.ReviewsSubmitted, Topics.CasesLifecycle, Topics.UnresolvedReported];

/** The app's Kafka transport (Nest keeps it on its microservice; there is no public accessor). */
const transportOf = (app: INestApplication) =>
  (app.getMicroservices()[0] as unknown as { serverInstance: KafkaBatchServer }).serverInstance;

describe('over real Kafka: a consumer that stops consuming is rebuilt without a hand', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  let producer: Producer;
  let admin: Admin;

  /** Sends `count` new reviews of a new unit and waits until statistics has applied `appliedAfter` events in all. */
  const sendReviews = async (count: number, appliedAfter: number) => {
    const unit = uniqueUnit();
    const { reviews } = reviewEvents(unit, count);
    await producer.send({
      topic: Topics.ReviewsSubmitted,
      acks: -1,
      messages: reviews.map((e) => ({ key: unit, value: JSON.stringify(e) })),
    });
    await eventually(
      () => processedCount(sql),
      (n) => n === appliedAfter,
      60_000,
    );
    return unit;
  };
  const restarts = async (reason: string) =>
    (await app.get(MetricsRegistry).consumerRestarts.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  beforeAll(async () => {
    const brokers = integrationBrokers();
    db = await createTestDatabase('watchdog_kafka', { migrated: ['statistics'] });
    applyTestEnv(db.url, { kafka: true });
    process.env.KAFKA_CONSUMER_STALL_SECONDS = '3';
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    ({ producer, admin } = await kafkaClients(brokers));
    await startGroupAtEnd(admin, GROUP, GROUP_TOPICS);
    app = await startTestService(StatisticsModule, STATISTICS_APP);
  });

  afterAll(async () => {
    delete process.env.KAFKA_CONSUMER_STALL_SECONDS;
    await app?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await sql?.end();
    await db?.drop();
  });

  it('rebuilds a consumer that went silent, and the events sent meanwhile reach the rollups exactly once', async () => {
    const transport = transportOf(app);
    const first = transport.currentConsumer!;
    // Like a consumer that gave up: it stays connected but no longer fetches nor heartbeats.
    await first.stop();
    const unit = await sendReviews(200, 200);
    expect(transport.currentConsumer).not.toBe(first);
    expect(transport.watchdog.restarts).toBeGreaterThanOrEqual(1);
    expect(await restarts('silent')).toBeGreaterThanOrEqual(1);
    const total = await sql.query<{ n: string }>(
      `SELECT coalesce(sum(reviews), 0) AS n FROM statistics.review_rollups WHERE unit_code = $1`,
      [unit],
    );
    expect(Number(total.rows[0]!.n)).toBe(200);
  });

  it('rebuilds at once a consumer that crashed and that kafkajs will not restart', async () => {
    const transport = transportOf(app);
    const before = transport.watchdog.restarts;
    const crashed = transport.currentConsumer!;
    transport.watchdog.crashed('crashed and not restarted: injected by the test');
    await eventually(
      () => Promise.resolve(transport.watchdog.restarts),
      (n) => n === before + 1,
      30_000,
      50,
    );
    expect(await restarts('crashed')).toBe(1);
    expect(transport.currentConsumer).not.toBe(crashed);
    await sendReviews(50, 250);
  });
});
