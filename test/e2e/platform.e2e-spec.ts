import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { createCloudEvent, EventTypes, Topics } from '#libs/contracts';
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

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('platform: readiness and poison messages', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('platform');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('answers /health with 503 problem+json naming the broker when Kafka is unreachable', async () => {
    applyTestEnv(db.url);
    process.env.KAFKA_BROKERS = `127.0.0.1:${await closedPort()}`;
    const intake = await startTestService(IntakeModule, INTAKE_APP);
    try {
      const res = await request(intake.getHttpServer()).get('/health').expect(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(res.body.checks).toMatchObject({ database: { status: 'up' }, broker: { status: 'down', transport: 'kafka' } });
    } finally {
      await intake.close();
      delete process.env.KAFKA_BROKERS;
    }
  });

  it('dead-letters a poison message with its reason and keeps consuming the partition', async () => {
    applyTestEnv(db.url);
    let intake: INestApplication | undefined;
    let rectification: INestApplication | undefined;
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    try {
      intake = await startTestService(IntakeModule, INTAKE_APP);
      rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
      const device = await registerDevice(intake.getHttpServer(), { code: 'DLQ-01', name: '死信测试单位' }, '1');
      // Two poison messages straight onto the bus: not an envelope, and an envelope whose data breaks the handler.
      const broken = createCloudEvent({ type: EventTypes.ReviewSubmitted, source: 'test', data: { grade: 'BAD', unitCode: 'DLQ-01' } });
      await sql.query(
        `INSERT INTO event_bus.events (topic, message_key, event_id, value) VALUES ($1, 'DLQ-01', 'x', '"not an event"'), ($1, 'DLQ-01', $2, $3)`,
        [Topics.ReviewsSubmitted, broken.id, JSON.stringify(broken)],
      );
      const body = JSON.stringify({
        serviceRecordId: 'R-1',
        serviceItemCode: 'S-1',
        level: 1,
        ratedAt: new Date(Date.now() - 60_000).toISOString(),
      });
      const rating = await request(intake.getHttpServer())
        .post('/api/v1/ratings')
        .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
        .send(body)
        .expect(201);
      const page = await eventually(
        async () =>
          (await request(rectification!.getHttpServer()).get('/api/v1/cases').set('Authorization', bearer('supervisor')).expect(200)).body,
        (p: { total: number; items: Array<{ reviewId: string }> }) => p.total === 1,
      );
      expect(page.items[0].reviewId).toBe(rating.body.id);
      const letters = (await sql.query(`SELECT topic, payload FROM rectification.outbox WHERE topic = $1 ORDER BY id`, [Topics.DeadLetter]))
        .rows as Array<{ payload: { type: string; data: { consumer: string; reason: string; topic: string } } }>;
      expect(letters).toHaveLength(2);
      expect(letters.map((l) => l.payload.type)).toEqual([EventTypes.DeadLettered, EventTypes.DeadLettered]);
      expect(letters[0].payload.data).toMatchObject({
        consumer: 'rectification.cases',
        topic: Topics.ReviewsSubmitted,
        reason: expect.stringContaining('CloudEvents'),
      });
      expect(letters[1].payload.data.reason).toEqual(expect.any(String));
      const marked = (await sql.query(`SELECT outcome FROM rectification.processed_events WHERE event_id = $1`, [broken.id])).rows;
      expect(marked).toEqual([{ outcome: 'dead_lettered' }]);
    } finally {
      await Promise.all([intake?.close(), rectification?.close()]);
      await sql.end();
    }
  });
});
