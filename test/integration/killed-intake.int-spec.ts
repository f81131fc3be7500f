import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { applyTestEnv, bearer, createTestDatabase, deviceHeaders, eventually, startTestService, type TestDatabase } from '#libs/testing';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * DESIGN.md's "nothing lost": the compiled intake is killed with SIGKILL while ratings
 * pour in. Every rating it acknowledged is stored exactly once with exactly one event,
 * and after a restart every stored rating reaches the statistics rollups exactly once
 * (the relay may publish again what it had sent but not yet marked; consumers dedupe).
 */
describe('a killed intake loses nothing it acknowledged', () => {
  let db: TestDatabase;
  let statistics: INestApplication;
  let intake: ChildProcess | null = null;
  let sql: Client;
  let baseUrl: string;
  const unitCode = `KILL-${randomUUID().slice(0, 8)}`;

  const startIntake = async (port: number): Promise<void> => {
    intake = spawn(process.execPath, ['dist/apps/intake/src/main.js'], {
      env: { ...process.env, INTAKE_PORT: String(port), LOG_LEVEL: 'error' },
      stdio: 'ignore',
    });
    await eventually(
      async () => (await fetch(`${baseUrl}/health`)).status,
      (status) => status === 200,
      60_000,
      200,
    );
  };

  beforeAll(async () => {
    if (!process.env.KAFKA_BROKERS)
      throw new Error('KAFKA_BROKERS is not set: integration tests need the real broker (scripts/kafka.sh start).');
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore', timeout: 180_000 });
    db = await createTestDatabase('killed');
    applyTestEnv(db.url, { kafka: true });
    process.env.RATING_MAX_AGE_DAYS = '3660'; // the fixtures rate on fixed dates of 2024 (the age bound has its own tests)
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    await startIntake(port);
  });

  afterAll(async () => {
    intake?.kill('SIGTERM');
    await sql?.end();
    await statistics?.close();
    await db?.drop();
  });

  it('stores, publishes and counts every acknowledged rating exactly once', async () => {
    const admin = bearer('admin');
    await request(baseUrl).post('/api/v1/units').set('Authorization', admin).send({ code: unitCode, name: '强杀测试单位' }).expect(201);
    const reg = await request(baseUrl).post('/api/v1/devices').set('Authorization', admin).send({ unitCode, windowNo: 'K1' }).expect(201);
    const device = { id: reg.body.deviceId as string, secret: reg.body.secret as string };

    const acknowledged: string[] = [];
    let sent = 0;
    let failed = 0;
    const rate = async () => {
      const i = sent++;
      const body = JSON.stringify({
        serviceRecordId: `${unitCode}-${i}`,
        serviceItemCode: 'S-1',
        level: i % 10 === 0 ? 2 : 5,
        // A minute apart: a real window's pace, clear of the 刷评 rule.
        ratedAt: new Date(Date.parse('2024-11-20T09:00:00+08:00') + i * 60_000).toISOString(),
      });
      try {
        const res = await fetch(`${baseUrl}/api/v1/ratings`, {
          method: 'POST',
          headers: deviceHeaders(device, 'POST', '/api/v1/ratings', body),
          body,
        });
        if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        else failed++;
      } catch {
        failed++; // the connection died with the process: not acknowledged
      }
    };
    // Eight clients rate continuously; the intake process is killed in the middle of it.
    let killed = false;
    const clients = Array.from({ length: 8 }, async () => {
      while (!killed || sent < 0) {
        await rate();
        if (acknowledged.length >= 150 && !killed) {
          killed = true;
          intake!.kill('SIGKILL');
        }
      }
    });
    await Promise.all(clients);
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    await startIntake(Number(new URL(baseUrl).port));

    // Every acknowledged rating: stored once, one event.
    const stored = await sql.query<{ id: string; events: number }>(
      `SELECT r.id, (SELECT count(*)::int FROM intake.outbox o
                      WHERE o.payload->>'type' = 'gov.review.submitted' AND o.payload->'data'->>'reviewId' = r.id::text) AS events
       FROM intake.reviews r WHERE r.unit_code = $1`,
      [unitCode],
    );
    const byId = new Map(stored.rows.map((r) => [r.id, r.events]));
    for (const id of acknowledged) expect(byId.get(id)).toBe(1);
    expect(stored.rows.every((r) => r.events === 1)).toBe(true);

    // The relay of the new process publishes what the killed one left; statistics counts each stored rating once.
    await eventually(
      async () => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM intake.outbox WHERE published_at IS NULL`)).rows[0]!.n,
      (n) => n === 0,
      60_000,
      200,
    );
    const report = await eventually(
      async () =>
        (
          await request(statistics.getHttpServer())
            .get(`/api/v1/reports/quarterly?year=2024&quarter=4&unitCode=${unitCode}`)
            .set('Authorization', bearer('supervisor'))
            .expect(200)
        ).body as { reviews: { total: number; bad: number } },
      (r) => r.reviews.total === stored.rows.length,
      60_000,
      200,
    );
    const bad = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM intake.reviews WHERE unit_code = $1 AND grade = 'BAD'`, [
      unitCode,
    ]);
    expect(report.reviews).toMatchObject({ total: stored.rows.length, bad: bad.rows[0]!.n });
    expect(failed).toBeGreaterThan(0); // the kill really interrupted traffic
  });
});
