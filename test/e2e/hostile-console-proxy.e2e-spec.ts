import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { applyTestEnv, bearer, createTestDatabase, METRICS_AUTH, startTestService, type TestDatabase } from '#libs/testing';

/**
 * Hostile probes of intake's console proxy (/console/svc/{rectification,statistics}/...): only
 * the services' /api/v1/ passes; every traversal or malformed target is a 400 problem+json naming
 * the path (never a 500); the services' /metrics, /docs, /docs-json and /health are not reachable
 * through it. And /metrics of every service answers only the metrics token.
 */

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** A request sent exactly as written: no client-side URL parsing that would resolve dot segments or backslashes. */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, insecureHTTPParser: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const TRAVERSALS = [
  '..%2f..%2fapi/v1/users',
  '..%2F..%2Fmetrics',
  'api/v1/../../metrics',
  'api/v1/./../health',
  '%2e%2e/%2e%2e/metrics',
  '%2E%2E%2F%2E%2E%2Fdocs-json',
  'api/v1/%2e%2e/%2e%2e/health',
  '%252e%252e/%252e%252e/metrics',
  'api/v1/..%252f..%252fmetrics',
  'api/v1/..\\..\\metrics',
  '..\\..\\metrics',
  'api/v1/%5c..%5cmetrics',
  'api/v1/cases%00',
  'api/v1/%00/../metrics',
  'api/v1/cases/%0d%0aX-Injected:%201',
  'api/v1/..;/metrics',
  'api/v1//cases',
  '%c0%ae%c0%ae/metrics',
  'api/v1/cases/%E9',
  '.%2e/.%2e/metrics',
];

describe('hostile input: the console proxy serves the API and nothing else', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let port: number;
  const portOf = (app: INestApplication) => (app.getHttpServer().address() as AddressInfo).port;

  beforeAll(async () => {
    db = await createTestDatabase('hostile_console_proxy');
    applyTestEnv(db.url);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    process.env.RECTIFICATION_URL = `http://127.0.0.1:${portOf(rectification)}`;
    process.env.STATISTICS_URL = `http://127.0.0.1:${portOf(statistics)}`;
    intake = await startTestService(IntakeModule, INTAKE_APP);
    port = portOf(intake);
  });

  afterAll(async () => {
    delete process.env.RECTIFICATION_URL;
    delete process.env.STATISTICS_URL;
    await intake?.close();
    await rectification?.close();
    await statistics?.close();
    await db?.drop();
  });

  it('passes /api/v1/ requests to each service with the caller’s token', async () => {
    const supervisor = { Authorization: bearer('supervisor') };
    const cases = await raw(port, 'GET', '/console/svc/rectification/api/v1/cases?page=1', supervisor);
    expect(cases.status).toBe(200);
    expect(JSON.parse(cases.body)).toMatchObject({ items: [], total: 0 });
    const report = await raw(port, 'GET', '/console/svc/statistics/api/v1/reports/quarterly?year=2024&quarter=4', supervisor);
    expect(report.status).toBe(200);
    expect(JSON.parse(report.body)).toMatchObject({ badReviews: { total: 0, rectified: 0 }, hotline: { total: 0 } });
    // The service still judges the token itself.
    const anonymous = await raw(port, 'GET', '/console/svc/rectification/api/v1/cases');
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it.each(['rectification', 'statistics'])(
    `refuses ${TRAVERSALS.length} traversal and malformed targets to %s with 400 problem+json naming the path`,
    async (service) => {
      expect(TRAVERSALS.length).toBeGreaterThanOrEqual(10);
      for (const target of TRAVERSALS) {
        for (const method of ['GET', 'POST', 'DELETE']) {
          const path = `/console/svc/${service}/${target}`;
          const answer = await raw(port, method, path, { Authorization: bearer('admin') });
          expect({ path, method, status: answer.status, type: answer.type }).toEqual({
            path,
            method,
            status: 400,
            type: expect.stringMatching(/^application\/problem\+json/) as string,
          });
          const problem = JSON.parse(answer.body) as { code: string; errors: Array<{ field: string }> };
          expect(problem.code).toBe('VALIDATION_FAILED');
          expect(problem.errors.map((e) => e.field)).toEqual([expect.stringMatching(/^(path|url)$/)]);
        }
      }
    },
  );

  it.each(['rectification', 'statistics'])('does not reach the /metrics, /docs, /docs-json or /health of %s', async (service) => {
    for (const target of [
      '',
      '/',
      '/metrics',
      '/docs',
      '/docs/',
      '/docs-json',
      '/docs/static/index.html',
      '/health',
      '/health/ready',
      '/health/live',
      '/api',
      '/api/v1',
      '/api/v1/health/ready',
      '/api/v1/health/live',
      '/api/v1/metrics',
      '/api/v1/docs-json',
    ]) {
      const path = `/console/svc/${service}${target}`;
      const answer = await raw(port, 'GET', path, { Authorization: METRICS_AUTH });
      expect({ path, status: answer.status, type: answer.type }).toEqual({
        path,
        status: 404,
        type: expect.stringMatching(/^application\/problem\+json/) as string,
      });
      expect(answer.body).not.toMatch(/process_cpu|openapi|swagger|pipeline|database/i);
    }
  });

  it('gives the console the calendar warnings through the API, to any signed-in role', async () => {
    for (const role of ['admin', 'supervisor'] as const) {
      const res = await raw(port, 'GET', '/console/svc/rectification/api/v1/calendar/warnings', { Authorization: bearer(role) });
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body) as { warnings: Array<{ message: string; year: number }> };
      expect(Array.isArray(body.warnings)).toBe(true);
      for (const w of body.warnings)
        expect(w).toEqual({
          message: expect.stringMatching(/年/) as string,
          year: expect.any(Number) as number,
          status: expect.stringMatching(/^(PROVISIONAL|MISSING|PUBLISHED_DIFFERS)$/) as string,
        });
    }
    const operator = await raw(port, 'GET', '/console/svc/rectification/api/v1/calendar/warnings', {
      Authorization: bearer('unit_operator', 'CN-01'),
    });
    expect(operator.status).toBe(200);
    expect((await raw(port, 'GET', '/console/svc/rectification/api/v1/calendar/warnings')).status).toBe(401);
  });

  it('serves /metrics of every service only with the metrics token', async () => {
    for (const app of [intake, rectification, statistics]) {
      const p = portOf(app);
      for (const headers of [
        {} as Record<string, string>,
        { Authorization: 'Bearer wrong-token-0123456789' },
        { Authorization: bearer('admin') },
      ]) {
        const denied = await raw(p, 'GET', '/metrics', headers);
        expect(denied.status).toBe(401);
        expect(denied.type).toMatch(/^application\/problem\+json/);
        expect(denied.body).not.toContain('process_cpu');
      }
      const ok = await raw(p, 'GET', '/metrics', { Authorization: METRICS_AUTH });
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('http_request_duration_seconds');
    }
  });
});
