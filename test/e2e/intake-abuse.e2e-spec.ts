import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import {
  applyTestEnv,
  bearer,
  clientHeaders,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const LIMIT_ENV = { INTAKE_DEVICE_RATE: '0.05', INTAKE_DEVICE_BURST: '3', INTAKE_CLIENT_RATE: '0.05', INTAKE_CLIENT_BURST: '2' };

describe('intake: abuse limits — per-credential rate limits (429 + Retry-After) and body size limits', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let deviceA: Credential;
  let deviceB: Credential;
  let client: Credential;
  const admin = bearer('admin');
  const http = () => request(app.getHttpServer());
  let seq = 0;
  const rating = (over: Record<string, unknown> = {}) => ({
    serviceRecordId: `AB-${++seq}`,
    serviceItemCode: 'X-1',
    level: 5,
    ratedAt: new Date(Date.UTC(2024, 10, 1) + seq * 60_000).toISOString(),
    ...over,
  });
  const rate = (dev: Credential, body: unknown, path = '/api/v1/ratings') => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return http()
      .post(path)
      .set(deviceHeaders(dev, 'POST', path, raw))
      .send(raw);
  };

  beforeAll(async () => {
    db = await createTestDatabase('intake_abuse');
    applyTestEnv(db.url);
    process.env.RATING_MAX_AGE_DAYS = '3660'; // the fixtures rate on fixed dates of 2024 (the age bound has its own tests)
    Object.assign(process.env, LIMIT_ENV);
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '一' }).expect(201);
    const reg = async () => {
      const r = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: 'W' }).expect(201);
      return { id: r.body.deviceId as string, secret: r.body.secret as string };
    };
    deviceA = await reg();
    deviceB = await reg();
    const c = await http().post('/api/v1/hotline-clients').set('Authorization', admin).send({ name: '12345' }).expect(201);
    client = { id: c.body.clientId, secret: c.body.secret };
  });

  afterAll(async () => {
    for (const key of Object.keys(LIMIT_ENV)) delete process.env[key];
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('limits each device on its own: after its burst, 429 RATE_LIMITED with Retry-After, nothing stored', async () => {
    // Forged requests for device A do not drain its bucket: the limit applies after authentication.
    const forged = JSON.stringify(rating());
    for (let i = 0; i < 5; i++)
      await http()
        .post('/api/v1/ratings')
        .set(deviceHeaders({ id: deviceA.id, secret: 'x' }, 'POST', '/api/v1/ratings', forged))
        .send(forged)
        .expect(401);

    for (let i = 0; i < 3; i++) await rate(deviceA, rating()).expect(201);
    const limited = await rate(deviceA, rating({ serviceRecordId: 'LIMITED' })).expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The batch endpoint shares the device's bucket.
    expect((await rate(deviceA, { ratings: [rating()] }, '/api/v1/ratings/batch').expect(429)).body.code).toBe('RATE_LIMITED');
    expect((await pg.query(`SELECT count(*)::int AS n FROM intake.reviews WHERE service_record_id = 'LIMITED'`)).rows[0].n).toBe(0);

    await rate(deviceB, rating()).expect(201);
    expect((await pg.query(`SELECT count(*)::int AS n FROM intake.reviews WHERE device_id = $1`, [deviceA.id])).rows[0].n).toBe(3);
  });

  it("decides a rating's limits in the statement that writes it; a request refused before its write counts all the same", async () => {
    const r = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: 'W9' }).expect(201);
    const device = { id: r.body.deviceId as string, secret: r.body.secret as string };
    // The statements of decisions intake sends on its own (not within a rating's write).
    const pool = (app.get(DataSource).driver as unknown as { master: { query: (config: unknown, values?: unknown) => unknown } }).master;
    const decisions: string[] = [];
    const query = pool.query.bind(pool);
    pool.query = (config, values) => {
      const name = (config as { name?: string } | null)?.name;
      if (name === 'shared-limits-decide') decisions.push(name);
      return query(config, values);
    };
    try {
      // Two bodies refused (400) before any write: each is decided on its way out, in a statement of decisions.
      for (let i = 0; i < 2; i++) {
        const bad = await rate(device, rating({ level: 9 })).expect(400);
        expect(bad.body.code).toBe('VALIDATION_FAILED');
      }
      expect(decisions).toHaveLength(2);
      // The third request of the burst of 3 is a rating: its decision goes in its write, no statement of its own.
      await rate(device, rating({ serviceRecordId: 'IN-WRITE' })).expect(201);
      expect(decisions).toHaveLength(2);
      // The fourth is refused by the write's decision: nothing stored, 429 with Retry-After.
      const refused = await rate(device, rating({ serviceRecordId: 'REFUSED-IN-WRITE' })).expect(429);
      expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(decisions).toHaveLength(2);
      // Refused once, the device is refused from memory until its window ends, a bad body as well (429 before 400).
      expect((await rate(device, rating({ level: 9 })).expect(429)).body.code).toBe('RATE_LIMITED');
      expect(decisions).toHaveLength(2);
    } finally {
      pool.query = query;
    }
    const stored = await pg.query(`SELECT service_record_id FROM intake.reviews WHERE device_id = $1 ORDER BY 1`, [device.id]);
    expect(stored.rows).toEqual([{ service_record_id: 'IN-WRITE' }]);
    const counters = await pg.query(`SELECT key, points FROM intake.rate_limits WHERE key LIKE $1 ORDER BY key`, [`%:${device.id}`]);
    // Four requests reached a decision (the fifth was refused from memory); only the stored rating spent the item
    // budget (the bodies refused held no rating, the refused rating's item was given back).
    expect(counters.rows).toEqual([
      { key: `device-items:${device.id}`, points: 1 },
      { key: `device-rate:${device.id}`, points: 4 },
    ]);
  });

  it('answers 429, not 400, to a bad body that its late decision finds over the limit', async () => {
    const r = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: 'W8' }).expect(201);
    const device = { id: r.body.deviceId as string, secret: r.body.secret as string };
    for (let i = 0; i < 3; i++) await rate(device, rating()).expect(201);
    // Nothing refused yet, so nothing is refused from memory: the body is judged (400), then its decision, made on
    // the way out, finds the device over its burst of 3 and the answer becomes the limit's.
    const refused = await rate(device, rating({ level: 9 })).expect(429);
    expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const counters = await pg.query(`SELECT key, points FROM intake.rate_limits WHERE key LIKE $1 ORDER BY key`, [`%:${device.id}`]);
    expect(counters.rows).toEqual([
      { key: `device-items:${device.id}`, points: 3 },
      { key: `device-rate:${device.id}`, points: 4 },
    ]);
  });

  it('limits each hotline client', async () => {
    const send = (ticketId: string) => {
      const raw = JSON.stringify({
        ticketId,
        unitCode: 'CN-01',
        category: 'COMPLAINT',
        content: '态度差',
        receivedAt: '2024-11-20T08:00:00+08:00',
        transferredAt: '2024-11-20T10:00:00+08:00',
      });
      return http()
        .post('/api/v1/hotline/complaints')
        .set(clientHeaders(client, 'POST', '/api/v1/hotline/complaints', raw))
        .send(raw);
    };
    await send('L-1').expect(201);
    await send('L-2').expect(201);
    const limited = await send('L-3').expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await pg.query(`SELECT count(*)::int AS n FROM intake.reviews WHERE ticket_id = 'L-3'`)).rows[0].n).toBe(0);
  });

  it('refuses a single rating over 16 KiB and any body over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const fresh = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: 'Z' }).expect(201);
    const dev = { id: fresh.body.deviceId as string, secret: fresh.body.secret as string };
    const big = await rate(dev, { ...rating(), padding: 'x'.repeat(17 * 1024) }).expect(413);
    expect(big.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const huge = await http()
      .post('/api/v1/units')
      .set('Authorization', admin)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ code: 'X', name: 'y'.repeat(1024 * 1024 + 10) }))
      .expect(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(JSON.stringify(huge.body)).not.toMatch(/stack|at Object|node_modules/);
  });
});
