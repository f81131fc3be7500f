import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { applyTestEnv, bearer, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';

/** A known path asked with a method none of its routes takes: 405 problem+json with `Allow`, on every service. */
describe('method not allowed: 405 with Allow on every service', () => {
  let db: TestDatabase;
  const apps: Record<'intake' | 'rectification' | 'statistics', INestApplication> = {} as never;

  beforeAll(async () => {
    db = await createTestDatabase('method_not_allowed');
    applyTestEnv(db.url);
    apps.intake = await startTestService(IntakeModule, INTAKE_APP);
    apps.rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    apps.statistics = await startTestService(StatisticsModule, STATISTICS_APP);
  });

  afterAll(async () => {
    for (const app of Object.values(apps)) await app?.close();
    await db?.drop();
  });

  const cases = [
    ['intake', 'delete', '/api/v1/ratings', 'GET, HEAD, POST'],
    ['intake', 'put', '/api/v1/ratings/batch', 'POST'],
    ['intake', 'post', '/health', 'GET, HEAD'],
    ['rectification', 'delete', '/api/v1/cases', 'GET, HEAD'],
    ['rectification', 'get', '/api/v1/cases/C-1/accept', 'POST'],
    ['rectification', 'patch', '/health/ready', 'GET, HEAD'],
    ['statistics', 'put', '/api/v1/reports/summary', 'GET, HEAD'],
    ['statistics', 'get', '/api/v1/reports/rebuild', 'POST'],
    ['statistics', 'delete', '/metrics', 'GET, HEAD'],
  ] as const;

  it.each(cases)('%s: %s %s → 405, Allow: %s', async (service, method, path, allow) => {
    const res = await request(apps[service].getHttpServer())[method](path).set('Authorization', bearer('admin'));
    expect(res.status).toBe(405);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toEqual({
      type: expect.stringMatching(/method-not-allowed$/),
      title: 'Method not allowed',
      status: 405,
      detail: `${method.toUpperCase()} is not allowed on ${path}.`,
      code: 'METHOD_NOT_ALLOWED',
      errors: [{ field: 'method', message: `must be one of ${allow}` }],
      instance: path,
    });
  });

  it('leaves unknown paths at 404 and allowed methods untouched', async () => {
    for (const app of Object.values(apps)) {
      const unknown = await request(app.getHttpServer()).delete('/api/v1/nowhere');
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('NOT_FOUND');
      expect(unknown.headers.allow).toBeUndefined();
      expect((await request(app.getHttpServer()).get('/health/live')).status).toBe(200);
    }
  });
});
