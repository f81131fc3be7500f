import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { shanghaiDate } from '#libs/common';
import { applyTestEnv, bearer, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';

/** The frozen part of a published quarter's JSON: everything before the appended changedSincePublished member. */
const frozenPart = (text: string) => text.slice(0, text.lastIndexOf(',"changedSincePublished":'));

describe('a district brings its history in: units from registration, imports into reports, a published quarter that stops moving', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor', undefined, { sub: '区政务办' });
  const quarterly = (query = '') =>
    request(statistics.getHttpServer())
      .get(`/api/v1/reports/quarterly?year=2024&quarter=4${query}`)
      .set('Authorization', supervisor)
      .expect(200);
  const importRatings = (ratings: object[]) =>
    request(intake.getHttpServer())
      .post('/api/v1/imports/ratings')
      .set('Authorization', admin)
      .send({ unitCode: 'CN-01', ratings })
      .expect(200);
  const item = (n: number, level: number, ratedAt: string, extra: object = {}) => ({
    serviceRecordId: `OLD-${n}`,
    serviceItemCode: '310105-XK-0001',
    serviceItemName: '食品经营许可',
    level,
    ratedAt,
    ...extra,
  });

  beforeAll(async () => {
    db = await createTestDatabase('history');
    applyTestEnv(db.url);
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
  });

  afterAll(async () => {
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it('lists registered units at once, counts imports, freezes the published quarter while live figures move', async () => {
    for (const [code, name] of [
      ['CN-01', '区市场监督管理局'],
      ['CN-02', '区人力资源和社会保障局'],
    ])
      await request(intake.getHttpServer()).post('/api/v1/units').set('Authorization', admin).send({ code, name }).expect(201);
    // Units without a single review are in the live report (incrementally, from gov.unit.registered).
    await eventually(
      async () => (await quarterly()).body.units.map((u: { unitCode: string; unitName: string }) => `${u.unitCode} ${u.unitName}`),
      (units: string[]) => units.join() === 'CN-01 区市场监督管理局,CN-02 区人力资源和社会保障局',
    );

    const imported = await importRatings([
      item(1, 5, '2024-10-08T09:00:00+08:00'),
      item(2, 4, '2024-11-20T09:00:00+08:00'),
      item(3, 1, '2024-12-31T16:59:00+08:00', { tags: ['ATTITUDE'], reviewer: { name: '王五', phone: '13700137000' } }),
    ]);
    expect(imported.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created', 'created']);
    await eventually(
      async () => (await quarterly()).body.reviews,
      (r: { total: number }) => r.total === 3,
    );

    // The bad imported rating opened a case whose clock started at receipt, today.
    const today = shanghaiDate(new Date());
    const cases = await eventually(
      async () =>
        (
          await request(rectification.getHttpServer())
            .get(`/api/v1/cases?from=${today}&to=${today}`)
            .set('Authorization', supervisor)
            .expect(200)
        ).body,
      (page: { total: number; items: Array<{ openedAt: string }> }) => page.total === 1,
    );
    expect(cases.items[0]).toMatchObject({
      source: 'BAD_REVIEW',
      unitCode: 'CN-01',
      reviewId: imported.body.results[2].id,
      status: 'PENDING',
    });
    expect(Date.now() - Date.parse(cases.items[0].openedAt)).toBeLessThan(60_000);

    const published = await request(statistics.getHttpServer())
      .post('/api/v1/reports/quarterly/publish?year=2024&quarter=4')
      .set('Authorization', supervisor)
      .expect(201);
    expect(published.body).toMatchObject({
      reviews: { total: 3, good: 2, bad: 1 },
      published: { by: '区政务办' },
      changedSincePublished: null,
    });

    // A late import into the published quarter.
    await importRatings([item(4, 5, '2024-12-01T09:00:00+08:00'), item(5, 2, '2024-12-02T09:00:00+08:00')]);
    await eventually(
      async () => (await quarterly('&live=true')).body.reviews,
      (r: { total: number }) => r.total === 5,
    );
    const after = await quarterly();
    expect(frozenPart(after.text)).toBe(frozenPart(published.text));
    expect(after.body.reviews).toMatchObject({ total: 3, bad: 1 });
    expect(after.body.changedSincePublished).toEqual({ reviews: 2, bad: 1, goodRate: 3 / 5 - 2 / 3 });
    const live = (await quarterly('&live=true')).body;
    expect(live.reviews).toMatchObject({ total: 5, good: 3, bad: 2 });
    expect(live.published).toBeUndefined();
  });
});
