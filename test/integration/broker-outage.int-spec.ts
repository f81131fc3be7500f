import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
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

const kafka = (command: 'start' | 'stop') => execFileSync('scripts/kafka.sh', [command], { stdio: 'ignore', timeout: 150_000 });

/**
 * (After this test a kafkajs consumer that was restarted by the outage can keep one
 * idle socket to the broker past `close()`; `npm run test:integration` runs jest with
 * --forceExit for that reason — every assertion has already run by then.)
 *
 * The outbox at work: while the broker is down, intake keeps acknowledging ratings
 * (they are durable in PostgreSQL); once it is back, every one of them is published
 * and becomes a case — none lost, none twice.
 */
describe('a stopped broker loses nothing', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let sql: Client;
  const unitCode = `OUT-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    if (!process.env.KAFKA_BROKERS)
      throw new Error('KAFKA_BROKERS is not set: integration tests need the real broker (scripts/kafka.sh start).');
    db = await createTestDatabase('outage');
    applyTestEnv(db.url, { kafka: true });
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    kafka('start');
    await sql?.end();
    await Promise.all([intake?.close(), rectification?.close()]);
    await db?.drop();
  });

  it('publishes what was acknowledged during the outage once the broker is back', async () => {
    const device = await registerDevice(intake.getHttpServer(), { code: unitCode, name: '断网测试单位' }, '9');

    const before = await eventually(
      async () => (await request(rectification.getHttpServer()).get('/health/ready').expect(200)).body,
      (b: { details: { pipeline: { consumers: Array<{ waiting?: number }> } } }) =>
        typeof b.details.pipeline.consumers[0]?.waiting === 'number',
      30_000,
      250,
    );
    expect(before.details.pipeline.consumers).toEqual([
      expect.objectContaining({ group: 'rectification', transport: 'kafka', waiting: expect.any(Number), measuredAt: expect.any(String) }),
    ]);

    kafka('stop');
    const ids: string[] = [];
    // One a minute apart: a real window's pace, well clear of the misuse (刷评) burst rule.
    for (let i = 0; i < 10; i++) {
      const body = JSON.stringify({
        serviceRecordId: `${unitCode}-${i}`,
        serviceItemCode: 'S-1',
        level: 1,
        ratedAt: new Date(Date.now() - i * 60_000).toISOString(),
      });
      const res = await request(intake.getHttpServer())
        .post('/api/v1/ratings')
        .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
        .send(body);
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    // (Ten ratings this fast from one device are also flagged 刷评 on arrival: those events wait too.)
    const pending = await sql.query(
      `SELECT count(*)::int AS n FROM intake.outbox
       WHERE published_at IS NULL AND message_key = $1 AND payload->>'type' = 'gov.review.submitted'`,
      [unitCode],
    );
    expect(pending.rows[0].n).toBe(10);
    // Readiness tells the truth: intake can do its job (the outbox holds the ratings), the broker is
    // reported down, and so is the backlog; rectification is ready too, its lag reported as last measured.
    for (const path of ['/health', '/health/ready']) {
      const health = await request(intake.getHttpServer()).get(path).expect(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        warnings: [expect.objectContaining({ name: 'broker', details: expect.objectContaining({ status: 'down', transport: 'kafka' }) })],
      });
      expect(health.body.details.pipeline.outbox.pending).toBeGreaterThanOrEqual(10);
    }
    // Lag is measured in the background: during the outage the last figures are reported, marked stale.
    const consumer = await eventually(
      async () => request(rectification.getHttpServer()).get('/health/ready').expect(200),
      (r) =>
        (r.body as { details: { pipeline: { consumers: Array<{ stale?: unknown }> } } }).details.pipeline.consumers[0]?.stale !== undefined,
      30_000,
      250,
    );
    // (Other warnings may stand beside it, e.g. the calendar's while next year is unconfirmed.)
    expect(consumer.body.warnings).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'broker', details: expect.objectContaining({ status: 'down' }) })]),
    );
    expect(consumer.body.details.pipeline.consumers).toEqual([
      expect.objectContaining({ group: 'rectification', transport: 'kafka', waiting: expect.any(Number), stale: expect.any(Object) }),
    ]);

    kafka('start');
    const page = await eventually(
      async () =>
        (
          await request(rectification.getHttpServer())
            .get(`/api/v1/cases?unitCode=${unitCode}&pageSize=50`)
            .set('Authorization', bearer('supervisor'))
            .expect(200)
        ).body as { total: number; items: Array<{ reviewId: string }> },
      (p) => p.total === 10,
      120_000,
      250,
    );
    expect(page.items.map((c) => c.reviewId).sort()).toEqual([...ids].sort());
    const left = await sql.query(`SELECT count(*)::int AS n FROM intake.outbox WHERE published_at IS NULL`);
    expect(left.rows[0].n).toBe(0);
    await request(intake.getHttpServer()).get('/health').expect(200);
    const after = await eventually(
      async () => (await request(rectification.getHttpServer()).get('/health/ready').expect(200)).body,
      (b: { warnings?: unknown; details: { pipeline: { consumers: Array<{ waiting: number; stale?: unknown }> } } }) =>
        b.details.pipeline.consumers[0].stale === undefined && b.details.pipeline.consumers[0].waiting === 0,
      30_000,
      250,
    );
    expect(((after.warnings ?? []) as Array<{ name: string }>).filter((w) => w.name === 'broker')).toEqual([]);
  });
});
