import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { applyTestEnv, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';

/** A second intake on the embedded bus serves HTTP only: the bus takes one consumer per service (replicas consume on Kafka). */
const HTTP_ONLY_REPLICA = { ...INTAKE_APP, consumesEvents: false } as const;

/**
 * Behind a load balancer every connection comes from the balancer: TRUST_PROXY names it, and the client's address
 * is then the one the balancer puts in X-Forwarded-For, so the per-address login throttle tells clients apart.
 * Without TRUST_PROXY the header is ignored: a client cannot pick its own address to escape the throttle.
 */
describe('TRUST_PROXY: the client address behind a load balancer', () => {
  let db: TestDatabase;
  let behindBalancer: INestApplication;
  let direct: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase('proxy_addr');
    applyTestEnv(db.url);
    process.env.TRUST_PROXY = '127.0.0.1';
    behindBalancer = await startTestService(IntakeModule, INTAKE_APP);
    delete process.env.TRUST_PROXY;
    direct = await startTestService(IntakeModule, HTTP_ONLY_REPLICA);
  });

  afterAll(async () => {
    await behindBalancer?.close();
    await direct?.close();
    await db?.drop();
  });

  const login = (app: INestApplication, username: string, forwardedFor: string) =>
    request(app.getHttpServer())
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', forwardedFor)
      .send({ username, password: 'not-the-password' });

  it('throttles each forwarded client apart when the balancer is trusted', async () => {
    for (let i = 0; i < 5; i++) expect((await login(behindBalancer, 'zhangsan', '203.0.113.7')).status).toBe(401);
    const throttled = await login(behindBalancer, 'zhangsan', '203.0.113.7');
    expect(throttled.status).toBe(429);
    expect(throttled.body.code).toBe('RATE_LIMITED');
    // Another client behind the same balancer is not.
    expect((await login(behindBalancer, 'zhangsan', '198.51.100.20')).status).toBe(401);
  });

  it('ignores X-Forwarded-For from a client when no proxy is trusted', async () => {
    for (let i = 0; i < 5; i++) expect((await login(direct, 'lisi', `192.0.2.${i + 1}`)).status).toBe(401);
    const throttled = await login(direct, 'lisi', '192.0.2.99');
    expect(throttled.status).toBe(429);
    expect(throttled.body.code).toBe('RATE_LIMITED');
  });
});
