import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { Topics } from '#libs/contracts';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  deviceHeaders,
  eventually,
  registerDevice,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

interface CasePage {
  total: number;
  items: Array<{ reviewId: string; status: string; unitCode: string }>;
}

describe('over real Kafka: intake → rectification and statistics', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let producer: Producer;
  let sql: Client;
  let device: { id: string; secret: string };
  const unitCode = `IT-${randomUUID().slice(0, 8)}`;
  const supervisor = bearer('supervisor');
  let sequence = 0;

  const postRating = async (level: number) => {
    const body = JSON.stringify({
      serviceRecordId: `${unitCode}-${++sequence}`,
      serviceItemCode: '310105-XK-0001',
      level,
      tags: level <= 2 ? ['ATTITUDE'] : [],
      // A minute apart, as at a real window (a burst would be flagged 刷评 and left out of the counts).
      ratedAt: new Date(Date.parse('2024-11-20T09:30:00+08:00') + sequence * 60_000).toISOString(),
    });
    const res = await request(intake.getHttpServer())
      .post('/api/v1/ratings')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
      .send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  /** An offline PAD's backlog, a minute apart by ratedAt (judged by ratedAt only: no 刷评 on arrival). */
  const postBacklog = async (levels: number[]) => {
    const body = JSON.stringify({
      ratings: levels.map((level) => ({
        serviceRecordId: `${unitCode}-${++sequence}`,
        serviceItemCode: '310105-XK-0001',
        level,
        tags: level <= 2 ? ['ATTITUDE'] : [],
        ratedAt: new Date(Date.parse('2024-11-20T09:30:00+08:00') + sequence * 60_000).toISOString(),
      })),
    });
    const res = await request(intake.getHttpServer())
      .post('/api/v1/ratings/batch')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings/batch', body))
      .send(body);
    expect(res.status).toBe(200);
    const results = (res.body as { results: Array<{ status: string; id: string }> }).results;
    expect(results.map((r) => r.status)).toEqual(levels.map(() => 'created'));
    return results.map((r) => r.id);
  };
  const cases = async () =>
    (
      await request(rectification.getHttpServer())
        .get(`/api/v1/cases?unitCode=${unitCode}&pageSize=200`)
        .set('Authorization', supervisor)
        .expect(200)
    ).body as CasePage;
  const report = async () =>
    (
      await request(statistics.getHttpServer())
        .get(`/api/v1/reports/quarterly?year=2024&quarter=4&unitCode=${unitCode}`)
        .set('Authorization', supervisor)
        .expect(200)
    ).body as { reviews: { total: number; bad: number; good: number } };

  beforeAll(async () => {
    if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: integration tests need the real broker (scripts/kafka.sh start).');
    db = await createTestDatabase('kafka');
    applyTestEnv(db.url, { kafka: true });
    process.env.RATING_MAX_AGE_DAYS = '3660'; // the fixtures rate on fixed dates of 2024 (the age bound has its own tests)
    [intake, rectification, statistics] = await Promise.all([
      startTestService(IntakeModule, INTAKE_APP),
      startTestService(RectificationModule, RECTIFICATION_APP),
      startTestService(StatisticsModule, STATISTICS_APP),
    ]);
    producer = new Kafka({ clientId: 'integration-test', brokers, logLevel: logLevel.WARN }).producer();
    await producer.connect();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    device = await registerDevice(intake.getHttpServer(), { code: unitCode, name: '集成测试单位' }, 'B01');
  });

  afterAll(async () => {
    await producer?.disconnect();
    await sql?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it('turns one bad rating posted over HTTP into a case and a count', async () => {
    const rating = await postRating(1);
    const page = await eventually(cases, (p) => p.total === 1, 30_000);
    expect(page.items[0]).toMatchObject({ reviewId: rating.id, status: 'PENDING', unitCode });
    const counted = await eventually(report, (r) => r.reviews.total === 1, 30_000);
    expect(counted.reviews).toMatchObject({ total: 1, good: 0, bad: 1 });
    const [published] = (
      await sql.query(
        `SELECT count(*)::int AS n FROM intake.outbox WHERE published_at IS NOT NULL AND payload->>'type' = 'gov.review.submitted'`,
      )
    ).rows;
    expect(published.n).toBe(1);
  });

  it('changes nothing when the same event is delivered twice', async () => {
    const [{ payload }] = (
      await sql.query(`SELECT payload FROM intake.outbox WHERE payload->>'type' = 'gov.review.submitted' ORDER BY id LIMIT 1`)
    ).rows as Array<{ payload: object }>;
    await producer.send({ topic: Topics.ReviewsSubmitted, messages: [{ key: unitCode, value: JSON.stringify(payload) }] });
    // A later event on the same key is consumed after the duplicate: once it shows, the duplicate was handled.
    const marker = await postRating(2);
    const page = await eventually(cases, (p) => p.items.some((c) => c.reviewId === marker.id), 30_000);
    expect(page.total).toBe(2);
    const counted = await eventually(report, (r) => r.reviews.total === 2, 30_000);
    expect(counted.reviews).toMatchObject({ total: 2, bad: 2 });
    const dup = (
      await sql.query(`SELECT count(*)::int AS n FROM rectification.processed_events WHERE event_id = $1`, [(payload as { id: string }).id])
    ).rows[0];
    expect(dup.n).toBe(1);
  });

  it('loses nothing when rectification restarts mid-stream', async () => {
    await rectification.close();
    const posted = await postBacklog(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 1 : 5)));
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    const expectedBad = posted.filter((_, i) => i % 2 === 0);
    const page = await eventually(cases, (p) => p.total === 2 + expectedBad.length, 60_000);
    const reviewIds = new Set(page.items.map((c) => c.reviewId));
    for (const id of expectedBad) expect(reviewIds.has(id)).toBe(true);
    expect(reviewIds.size).toBe(page.total);
    const counted = await eventually(report, (r) => r.reviews.total === 22, 30_000, 500);
    expect(counted.reviews).toMatchObject({ total: 22, good: 10, bad: 12 });
  });
});
