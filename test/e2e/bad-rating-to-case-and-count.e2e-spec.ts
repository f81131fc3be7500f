import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  applyTestEnv,
  bearer,
  METRICS_AUTH,
  createTestDatabase,
  deviceHeaders,
  eventually,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

describe('on the embedded transport: a bad rating becomes a case and a count', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');

  beforeAll(async () => {
    db = await createTestDatabase('skeleton');
    applyTestEnv(db.url);
    process.env.RATING_MAX_AGE_DAYS = '3660'; // the fixtures rate on fixed dates of 2024 (the age bound has its own tests)
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
  });

  afterAll(async () => {
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it('carries one signed PAD rating from intake to rectification and statistics', async () => {
    await request(intake.getHttpServer())
      .post('/api/v1/units')
      .set('Authorization', admin)
      .send({ code: 'CN-01', name: '区市场监督管理局' })
      .expect(201);
    const registered = await request(intake.getHttpServer())
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: 'CN-01', windowNo: 'A03' })
      .expect(201);
    const device = { id: registered.body.deviceId as string, secret: registered.body.secret as string };
    expect(device.secret).toHaveLength(43);

    const rating = {
      serviceRecordId: 'CN-2024-000123',
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      level: 2,
      tags: ['EFFICIENCY'],
      comment: '等了很久',
      reviewer: { name: '张三', phone: '13800138000' },
      ratedAt: '2024-11-20T09:30:00+08:00',
    };
    const body = JSON.stringify(rating);
    const created = await request(intake.getHttpServer())
      .post('/api/v1/ratings')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
      .send(body)
      .expect(201);
    expect(created.body).toEqual({ id: expect.any(String), grade: 'BAD', unitCode: 'CN-01', quarter: '2024-Q4', duplicate: false });

    const cases = await eventually(
      async () => (await request(rectification.getHttpServer()).get('/api/v1/cases').set('Authorization', supervisor).expect(200)).body,
      (page: { total: number; items: Array<Record<string, unknown>> }) => page.total === 1,
    );
    expect(cases.items[0]).toMatchObject({
      source: 'BAD_REVIEW',
      unitCode: 'CN-01',
      status: 'PENDING',
      reviewId: created.body.id,
      overdue: false,
      contact: { name: '张*', phone: '138****8000' },
    });

    const report = await eventually(
      async () =>
        (
          await request(statistics.getHttpServer())
            .get('/api/v1/reports/quarterly?year=2024&quarter=4')
            .set('Authorization', supervisor)
            .expect(200)
        ).body,
      (r: { reviews: { total: number }; period: unknown }) => r.reviews.total === 1,
    );
    expect(report.reviews).toEqual({
      total: 1,
      good: 0,
      bad: 1,
      goodRate: 0,
      byLevel: { '1': 0, '2': 1, '3': 0, '4': 0, '5': 0 },
      byChannel: { PAD: 1, HOTLINE_12345: 0, ONLINE: 0, QR: 0, SMS: 0, PROVINCE: 0 },
    });
    expect(report.period).toEqual({ year: 2024, quarter: 4, from: '2024-10-01', to: '2024-12-31', timezone: 'Asia/Shanghai' });
  });

  it('serves health, metrics and OpenAPI on every service', async () => {
    for (const app of [intake, rectification, statistics]) {
      const health = await request(app.getHttpServer()).get('/health').expect(200);
      expect(health.body.info).toMatchObject({ database: { status: 'up' }, broker: { status: 'up', transport: 'embedded' } });
      for (const path of ['/health/live', '/health/ready']) {
        const res = await request(app.getHttpServer()).get(path).expect(200);
        expect(res.body.status).toBe('ok');
        expect(res.body.details.pipeline).toMatchObject({
          status: 'up',
          outbox: { pending: expect.any(Number), oldestPendingSeconds: expect.any(Number) },
          relay: { state: 'running', publisher: { transport: 'embedded' } },
        });
      }
      const metrics = await request(app.getHttpServer()).get('/metrics').set('Authorization', METRICS_AUTH).expect(200);
      expect(metrics.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} [1-9]/);
      expect(metrics.text).toMatch(/^outbox_pending_events \d+$/m);
      expect(metrics.text).toMatch(/^outbox_oldest_pending_seconds [\d.]+$/m);
      expect(metrics.text).toContain('# TYPE outbox_relay_restarts_total counter');
    }
    // The consumers report their group's lag (caught up here: the events above were all applied).
    for (const [app, group] of [
      [rectification, 'rectification'],
      [statistics, 'statistics'],
    ] as const) {
      const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(ready.body.details.pipeline.consumers).toEqual([
        expect.objectContaining({ group, transport: 'embedded', waiting: 0, oldestUnappliedSeconds: 0 }),
      ]);
      const metrics = await request(app.getHttpServer()).get('/metrics').set('Authorization', METRICS_AUTH).expect(200);
      expect(metrics.text).toMatch(new RegExp(`^consumer_group_lag_events\\{group="${group}",topic="reviews.submitted"\\} 0$`, 'm'));
      expect(metrics.text).toMatch(new RegExp(`^consumer_group_oldest_unapplied_seconds\\{group="${group}"\\} 0$`, 'm'));
      expect(metrics.text).toMatch(new RegExp(`^event_batches_handled_total\\{group="${group}",outcome="applied"\\} [1-9]`, 'm'));
      const docs = await request(app.getHttpServer()).get('/docs-json').expect(200);
      expect(docs.body.openapi).toMatch(/^3\./);
      const ui = await request(app.getHttpServer()).get('/docs').expect(200);
      expect(ui.text).toContain('swagger-ui');
    }
  });

  it('echoes a caller X-Request-Id and issues one otherwise', async () => {
    const given = await request(intake.getHttpServer()).get('/api/v1/rating-tags').set('X-Request-Id', 'pad-42.req-7').expect(200);
    expect(given.headers['x-request-id']).toBe('pad-42.req-7');
    const issued = await request(intake.getHttpServer()).get('/api/v1/rating-tags').set('X-Request-Id', 'not a valid id').expect(200);
    expect(issued.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers unreadable bodies and unknown routes with problem+json, never with the framework's own error shape", async () => {
    const server = intake.getHttpServer();
    const malformed = await request(server)
      .post('/api/v1/units')
      .set('Authorization', admin)
      .set('Content-Type', 'application/json')
      .send('{"code": "CN-09",')
      .expect(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(malformed.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body', message: 'is not valid JSON' }] });

    const xml = await request(server)
      .post('/api/v1/units')
      .set('Authorization', admin)
      .set('Content-Type', 'application/xml')
      .send('<unit code="CN-09"/>')
      .expect(415);
    expect(xml.body).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      errors: [{ field: 'content-type', message: 'must be application/json' }],
    });

    const empty = await request(server)
      .post('/api/v1/units')
      .set('Authorization', admin)
      .set('Content-Type', 'application/json')
      .expect(400);
    expect(empty.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'body', message: expect.stringMatching(/must not be empty/) }],
    });

    const missing = await request(server).get('/api/v1/no-such-thing').expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 404, code: 'NOT_FOUND', instance: '/api/v1/no-such-thing' });
  });

  it('answers problem+json naming every invalid field and rejects unknown ones', async () => {
    const res = await request(intake.getHttpServer())
      .post('/api/v1/units')
      .set('Authorization', admin)
      .send({ code: 'bad code!', extra: 1 })
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', title: expect.any(String), type: expect.any(String) });
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['code', 'extra', 'name']);
  });
});
