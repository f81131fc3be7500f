import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { SESSION_CHECK_TTL_MS } from '#libs/auth';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

/** A second intake on the embedded bus serves HTTP only: the bus takes one consumer per service (replicas consume on Kafka). */
const HTTP_ONLY_REPLICA = { ...INTAKE_APP, consumesEvents: false } as const;

/** The credential cache's stated bound (apps/intake/src/registry/credential-resolver.ts): 4 s, well within 10 s. */
const CACHE_BOUND_MS = 10_000;

/**
 * Two intake replicas on one database, as behind a load balancer: limits, budgets and throttles are
 * decided once for both (nestjs/throttler#1303: a limit kept per process lets N replicas through N times).
 */
describe('two intake replicas share their limits, budgets and throttles, and see revocations of each other', () => {
  let db: TestDatabase;
  let pg: Client;
  const admin = bearer('admin');
  let seq = 0;
  const rating = () => ({
    serviceRecordId: `RL-${++seq}`,
    serviceItemCode: 'X-1',
    level: 5,
    ratedAt: new Date(Date.now() - 86_400_000 + seq * 1000).toISOString(),
  });
  const signed = (app: INestApplication, dev: Credential, body: unknown, path = '/api/v1/ratings') => {
    const raw = JSON.stringify(body);
    return request(app.getHttpServer())
      .post(path)
      .set(deviceHeaders(dev, 'POST', path, raw))
      .send(raw);
  };
  const registerDevice = async (app: INestApplication): Promise<Credential> => {
    const r = await request(app.getHttpServer())
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: 'CN-01', windowNo: 'W' })
      .expect(201);
    return { id: r.body.deviceId, secret: r.body.secret };
  };
  const stored = async (deviceId: string) =>
    Number((await pg.query(`SELECT count(*) AS n FROM intake.reviews WHERE device_id = $1`, [deviceId])).rows[0].n);

  /** Starts two intakes with these limits; the caller closes them. */
  async function replicas(env: Record<string, string>): Promise<[INestApplication, INestApplication]> {
    Object.assign(process.env, env);
    try {
      return [await startTestService(IntakeModule, INTAKE_APP), await startTestService(IntakeModule, HTTP_ONLY_REPLICA)];
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('replica_limits');
    applyTestEnv(db.url);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  describe('a request limit of 5 and 10 failed signatures a minute', () => {
    let a: INestApplication;
    let b: INestApplication;
    beforeAll(async () => {
      // 5 requests in a window of 500 s: the whole flood falls in one window.
      [a, b] = await replicas({ INTAKE_DEVICE_RATE: '0.01', INTAKE_DEVICE_BURST: '5', AUTH_FAILURES_PER_ID_PER_MINUTE: '10' });
      await request(a.getHttpServer()).post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '一' }).expect(201);
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it('lets 5 of 1,000 concurrent requests of one device through, over both replicas together', async () => {
      const device = await registerDevice(a);
      const statuses: number[] = [];
      for (let wave = 0; wave < 10; wave++) {
        const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => signed(i % 2 ? a : b, device, rating())));
        statuses.push(...responses.map((r) => r.status));
        for (const r of responses.filter((x) => x.status === 429)) {
          expect(r.body.code).toBe('RATE_LIMITED');
          expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        }
      }
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(995);
      expect(await stored(device.id)).toBe(5);
    });

    it('answers 429 to the 11th failed signature of an id, whichever replica the failures went to', async () => {
      const victim = await registerDevice(a);
      const forged = { id: victim.id, secret: 'not-the-secret' };
      for (let i = 0; i < 10; i++) {
        const res = await signed(i % 2 ? a : b, forged, rating());
        expect([res.status, res.body.code]).toEqual([401, 'SIGNATURE_INVALID']);
      }
      for (const app of [a, b]) {
        const res = await signed(app, forged, rating());
        expect([res.status, res.body.code]).toEqual([429, 'RATE_LIMITED']);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      // The right secret is refused too until the failures age out: a guesser cannot tell when it hit.
      expect((await signed(b, victim, rating())).status).toBe(429);
      expect(await stored(victim.id)).toBe(0);
    });
  });

  describe('an hourly budget of 100 ratings per device', () => {
    let a: INestApplication;
    let b: INestApplication;
    beforeAll(async () => {
      [a, b] = await replicas({ INTAKE_DEVICE_RATE: '1000', INTAKE_DEVICE_BURST: '1000', INTAKE_DEVICE_ITEMS_PER_HOUR: '100' });
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it('accepts exactly 100 of 160 ratings sent through two replicas, singles and batches alike', async () => {
      const device = await registerDevice(a);
      const singles = await Promise.all(Array.from({ length: 120 }, (_, i) => signed(i % 2 ? a : b, device, rating())));
      const batches = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          signed(i % 2 ? a : b, device, { ratings: Array.from({ length: 10 }, rating) }, '/api/v1/ratings/batch'),
        ),
      );
      const accepted =
        singles.filter((r) => r.status === 201).length +
        batches
          .filter((r) => r.status === 200)
          .reduce((n, r) => n + r.body.results.filter((x: { status: string }) => x.status === 'created').length, 0);
      expect(accepted).toBe(100);
      expect([...singles, ...batches].every((r) => [200, 201, 429].includes(r.status))).toBe(true);
      expect(await stored(device.id)).toBe(100);
      const refused = singles.find((r) => r.status === 429)!;
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3000);
    });

    it('refuses a device revoked through one replica on the other within the cache bound', async () => {
      const device = await registerDevice(a);
      await signed(b, device, rating()).expect(201); // b now holds the credential in its cache
      await request(a.getHttpServer()).post(`/api/v1/devices/${device.id}/revoke`).set('Authorization', admin).expect(200);
      const revokedAt = Date.now();
      // A request sent more than the cache bound after the revocation must be refused.
      let lastAccepted = revokedAt;
      let refused: { status: number; code: string } | null = null;
      while (!refused && Date.now() < revokedAt + 60_000) {
        const sentAt = Date.now();
        const res = await signed(b, device, rating());
        if (res.status === 401) refused = { status: res.status, code: res.body.code as string };
        else {
          expect(res.status).toBe(201);
          lastAccepted = sentAt;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
      expect(refused).toEqual({ status: 401, code: 'DEVICE_REVOKED' });
      expect(lastAccepted - revokedAt).toBeLessThanOrEqual(CACHE_BOUND_MS);
    });

    it('refuses the tokens of an account disabled through one replica on the other within the session check bound', async () => {
      const accounts = a.get((await import('../../apps/intake/src/accounts/accounts.service.js')).AccountsService);
      const first = await accounts.ensureFirstAdmin();
      const http = (app: INestApplication) => request(app.getHttpServer());
      const changed = await http(a)
        .post('/api/v1/auth/password')
        .send({ username: 'admin', currentPassword: first!.password, newPassword: 'Gov-Console-2024' })
        .expect(200);
      const mine = `Bearer ${changed.body.accessToken as string}`;
      const created = await http(b)
        .post('/api/v1/users')
        .set('Authorization', mine)
        .send({ username: 'li.admin', displayName: '李管理', role: 'admin', password: 'First-Pass-2024' })
        .expect(201);
      await http(b)
        .post('/api/v1/auth/password')
        .send({ username: 'li.admin', currentPassword: 'First-Pass-2024', newPassword: 'Li-Admin-Own-2024' })
        .expect(200);
      const other = (await http(a).post('/api/v1/auth/login').send({ username: 'li.admin', password: 'Li-Admin-Own-2024' }).expect(200))
        .body;
      const otherAuth = `Bearer ${other.accessToken as string}`;
      await http(b).get('/api/v1/users').set('Authorization', otherAuth).expect(200); // b now trusts the login

      await http(a)
        .patch(`/api/v1/users/${created.body.id as string}`)
        .set('Authorization', mine)
        .send({ disabled: true })
        .expect(200);
      const disabledAt = Date.now();
      // A request sent more than the session check's cache time after the change must be refused.
      let lastAccepted = disabledAt;
      let refused: { status: number; code: string } | null = null;
      while (!refused && Date.now() < disabledAt + 60_000) {
        const sentAt = Date.now();
        const res = await http(b).get('/api/v1/users').set('Authorization', otherAuth);
        if (res.status === 401) refused = { status: res.status, code: res.body.code as string };
        else {
          expect(res.status).toBe(200);
          lastAccepted = sentAt;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
      expect(refused).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
      expect(lastAccepted - disabledAt).toBeLessThanOrEqual(SESSION_CHECK_TTL_MS);
      // Its refresh token is gone too, on every replica.
      await http(b).post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
      await http(b).get('/api/v1/users').set('Authorization', mine).expect(200);
    });
  });
});
