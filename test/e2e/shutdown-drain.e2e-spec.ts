import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { applyTestEnv, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';

/**
 * A graceful stop turns readiness to 503 first and keeps serving for SHUTDOWN_DRAIN_MS, so that a load balancer
 * takes the replica out before its HTTP server closes; liveness stays 200 meanwhile.
 */
describe('graceful stop: not ready first, then closed', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase('drain');
    applyTestEnv(db.url);
    process.env.SHUTDOWN_DRAIN_MS = '1500';
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
  });

  afterAll(async () => {
    delete process.env.SHUTDOWN_DRAIN_MS;
    await db?.drop();
  });

  it('answers 503 on readiness while it drains, serves the API meanwhile, then stops listening', async () => {
    const address = app.getHttpServer().address() as { port: number };
    const base = `http://127.0.0.1:${address.port}`;
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);

    const startedAt = Date.now();
    const closed = app.close();
    const ready = await eventually(
      () => fetch(`${base}/health/ready`),
      (r) => r.status === 503,
      1_000,
      10,
    );
    expect(ready.headers.get('retry-after')).toBe('5');
    const body = (await ready.json()) as { code: string; checks: Record<string, { status: string; message: string }> };
    expect(body.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.checks.shutdown).toMatchObject({ status: 'down', message: 'stopping: finishing what it holds' });
    expect(body.checks.database.status).toBe('up');

    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(((await live.json()) as { ready: boolean }).ready).toBe(false);
    const calendar = await request(base).get('/api/v1/calendar/2026');
    expect(calendar.status).toBe(401);
    expect(Date.now() - startedAt).toBeLessThan(1_500);

    await closed;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_500);
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  });
});
