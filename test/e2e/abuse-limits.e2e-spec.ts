import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { BULLETIN_CSP } from '../../apps/statistics/src/reports/reports.controller.js';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const LIMIT_ENV = {
  INTAKE_DEVICE_RATE: '1000',
  INTAKE_DEVICE_BURST: '1000',
  INTAKE_DEVICE_ITEMS_PER_HOUR: '30',
  AUTH_FAILURES_PER_ID_PER_MINUTE: '3',
  AUTH_FAILURES_PER_ADDRESS_PER_MINUTE: '8',
  HEAVY_READ_CONCURRENCY: '2',
  HEAVY_READ_PER_MINUTE: '20',
  METRICS_TOKEN: 'metrics-token-0123456789',
};

describe('abuse limits: item budget per device, failed-signature throttling, heavy reads per caller, headers, /metrics token', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let statistics: INestApplication;
  let pg: Client;
  const admin = bearer('admin');
  const count = async (sql: string, params: unknown[] = []) => Number((await pg.query(sql, params)).rows[0].n);
  let seq = 0;
  const rating = () => ({
    serviceRecordId: `AL-${++seq}`,
    serviceItemCode: 'X-1',
    level: 5,
    ratedAt: new Date(Date.now() - 86_400_000 + seq * 60_000).toISOString(),
  });
  const post = (dev: Credential, path: string, body: unknown) => {
    const raw = JSON.stringify(body);
    return request(intake.getHttpServer())
      .post(path)
      .set(deviceHeaders(dev, 'POST', path, raw))
      .send(raw);
  };
  const registerDevice = async (): Promise<Credential> => {
    const r = await request(intake.getHttpServer())
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: 'CN-01', windowNo: 'W' })
      .expect(201);
    return { id: r.body.deviceId, secret: r.body.secret };
  };

  beforeAll(async () => {
    db = await createTestDatabase('abuse_limits');
    applyTestEnv(db.url);
    Object.assign(process.env, LIMIT_ENV);
    intake = await startTestService(IntakeModule, INTAKE_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await request(intake.getHttpServer()).post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '一' }).expect(201);
  });

  afterAll(async () => {
    for (const key of Object.keys(LIMIT_ENV)) delete process.env[key];
    await pg?.end();
    await statistics?.close();
    await intake?.close();
    await db?.drop();
  });

  it('counts ratings, not requests: single ratings and batch items share one hourly budget per device (429 + Retry-After)', async () => {
    const device = await registerDevice();
    const other = await registerDevice();
    for (let i = 0; i < 5; i++) await post(device, '/api/v1/ratings', rating()).expect(201);
    const batch = await post(device, '/api/v1/ratings/batch', { ratings: Array.from({ length: 25 }, rating) }).expect(200);
    expect(batch.body.results.filter((r: { status: string }) => r.status === 'created')).toHaveLength(25);

    const over = await post(device, '/api/v1/ratings/batch', { ratings: [rating(), rating()] }).expect(429);
    expect(over.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(over.body.code).toBe('RATE_LIMITED');
    // 2 ratings at 30 per hour: 240 s until the budget holds them.
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(100);
    await post(device, '/api/v1/ratings', rating()).expect(429);
    expect(await count('SELECT count(*) AS n FROM intake.reviews WHERE device_id = $1', [device.id])).toBe(30);

    // Another device has a budget of its own.
    await post(other, '/api/v1/ratings', rating()).expect(201);
  });

  it('throttles failed signatures per device id, then per address, before any credential lookup; a good device elsewhere is unaffected', async () => {
    const victim = await registerDevice();
    const forged = { id: victim.id, secret: 'not-the-secret' };
    for (let i = 0; i < 3; i++) expect((await post(forged, '/api/v1/ratings', rating())).body.code).toBe('SIGNATURE_INVALID');
    const throttled = await post(forged, '/api/v1/ratings', rating()).expect(429);
    expect(throttled.body.code).toBe('RATE_LIMITED');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // The id is throttled even with its right secret until failures age out: a guesser cannot tell when it hit.
    await post(victim, '/api/v1/ratings', rating()).expect(429);

    // Per address: failures with ever new ids from one address run out too (3 above + 5 here = 8).
    for (let i = 0; i < 5; i++) {
      const res = await post({ id: `00000000-0000-4000-8000-00000000000${i}`, secret: 'x' }, '/api/v1/ratings', rating());
      expect(res.status).toBe(401);
    }
    const byAddress = await post({ id: '00000000-0000-4000-8000-000000000009', secret: 'x' }, '/api/v1/ratings', rating());
    expect(byAddress.status).toBe(429);
    expect(await count('SELECT count(*) AS n FROM intake.reviews WHERE device_id = $1', [victim.id])).toBe(0);
  });

  it('limits heavy reads per caller: of 60 concurrent reports at most 20 a minute are served, the rest 429 at once; another caller is served', async () => {
    const supervisor = bearer('supervisor', undefined, { sub: 'busy-supervisor' });
    const responses = await Promise.all(
      Array.from({ length: 60 }, () =>
        request(statistics.getHttpServer()).get('/api/v1/reports/quarterly?year=2024&quarter=4').set('Authorization', supervisor),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(20);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    const rejected = responses.find((r) => r.status === 429)!;
    expect(rejected.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(rejected.body.code).toBe('RATE_LIMITED');
    expect(Number(rejected.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await request(statistics.getHttpServer())
      .get('/api/v1/reports/quarterly?year=2024&quarter=4')
      .set('Authorization', bearer('supervisor', undefined, { sub: 'other-supervisor' }))
      .expect(200);
  });

  it('serves the bulletin with a Content-Security-Policy and nosniff; every response carries nosniff', async () => {
    const res = await request(statistics.getHttpServer())
      .get('/api/v1/reports/quarterly/bulletin?year=2024&quarter=4')
      .set('Authorization', bearer('supervisor', undefined, { sub: 'reader' }))
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe(BULLETIN_CSP);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const json = await request(statistics.getHttpServer()).get('/api/v1/reports/quarterly?year=2024').set('Authorization', admin);
    expect(json.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves /metrics only with the configured token', async () => {
    const denied = await request(statistics.getHttpServer()).get('/metrics').expect(401);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    await request(intake.getHttpServer()).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
    const ok = await request(intake.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${LIMIT_ENV.METRICS_TOKEN}`).expect(200);
    expect(ok.text).toContain('http_request_duration_seconds');
  });
});
