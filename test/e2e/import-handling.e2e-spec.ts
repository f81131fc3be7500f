import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { applyTestEnv, bearer, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';

/**
 * Imported bad reviews with the previous platform's `handling` open no case, and the quarterly
 * report's badReviews figures (responded on time, rectified, upheld) come from that history —
 * incrementally and after a rebuild alike. Without `handling` a bad item opens a case as before.
 */
describe('imports: bad reviews handled on the previous platform', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let pg: Client;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');
  const UNIT = 'IH-01';
  const importRatings = (ratings: object[]) =>
    request(intake.getHttpServer())
      .post('/api/v1/imports/ratings')
      .set('Authorization', admin)
      .send({ unitCode: UNIT, ratings })
      .expect(200);
  const quarterly = async () =>
    (
      await request(statistics.getHttpServer())
        .get(`/api/v1/reports/quarterly?year=2024&quarter=2&unitCode=${UNIT}`)
        .set('Authorization', supervisor)
        .expect(200)
    ).body as { badReviews: Record<string, number | null>; goodReviews?: unknown };
  // Friday 2024-04-12 10:00 Shanghai: the 1-working-day deadline is the end of Monday 2024-04-15.
  const RATED = '2024-04-12T10:00:00+08:00';
  const item = (n: number, level: number, handling?: object) => ({
    serviceRecordId: `IH-${n}`,
    serviceItemCode: '310105-XK-0001',
    serviceItemName: '食品经营许可',
    level,
    ratedAt: RATED,
    ...(handling ? { handling } : {}),
  });

  beforeAll(async () => {
    db = await createTestDatabase('import_handling');
    applyTestEnv(db.url);
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await request(intake.getHttpServer())
      .post('/api/v1/units')
      .set('Authorization', admin)
      .send({ code: UNIT, name: '区档案局' })
      .expect(201);
  });

  afterAll(async () => {
    await pg?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it('refuses a handling on a good item, before the rating or before the response, naming each field', async () => {
    const res = await importRatings([
      item(90, 5, { respondedAt: '2024-04-12T11:00:00+08:00', outcome: 'RECTIFIED' }),
      item(91, 1, { respondedAt: '2024-04-12T09:00:00+08:00', outcome: 'RECTIFIED', closedAt: '2024-04-12T08:00:00+08:00' }),
      item(92, 2, { respondedAt: '2024-04-12T11:00:00+08:00', outcome: 'REOPENED', respondedOnTime: 'yes' }),
      item(93, 2, { respondedAt: '2024-04-12 11:00', outcome: 'EXPLAINED', note: 'x' }),
    ]);
    const fields = (i: number) =>
      (res.body.results[i] as { status: string; errors: Array<{ field: string }> }).errors.map((e) => e.field).sort();
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(fields(0)).toEqual(['handling']);
    expect(fields(1)).toEqual(['handling.closedAt', 'handling.respondedAt']);
    expect(fields(2)).toEqual(['handling.outcome', 'handling.respondedOnTime']);
    expect(fields(3)).toEqual(expect.arrayContaining(['handling.note', 'handling.respondedAt']));
    expect((await pg.query(`SELECT count(*)::int AS n FROM intake.reviews WHERE unit_code = $1`, [UNIT])).rows[0].n).toBe(0);
  });

  it('opens cases only for bad items without handling; the figures come from the history, and rebuild agrees', async () => {
    // First the handled history, then the items without: once the latter's cases exist, the former have been consumed.
    const handled = await importRatings([
      item(1, 1, {
        respondedAt: '2024-04-12T15:00:00+08:00',
        respondedOnTime: true,
        outcome: 'RECTIFIED',
        closedAt: '2024-04-18T17:00:00+08:00',
      }),
      item(2, 2, { respondedAt: '2024-04-16T09:00:00+08:00', respondedOnTime: false, outcome: 'EXPLAINED' }),
      item(3, 1, {
        respondedAt: '2024-04-13T09:00:00+08:00',
        respondedOnTime: true,
        outcome: 'APPEAL_UPHELD',
        closedAt: '2024-04-20T09:00:00+08:00',
      }),
      // respondedOnTime absent: judged by the working-day calendar (Monday evening is on time; Tuesday is late).
      item(4, 2, { respondedAt: '2024-04-15T20:00:00+08:00', outcome: 'RECTIFIED' }),
      item(5, 1, { respondedAt: '2024-04-16T10:00:00+08:00', outcome: 'RECTIFIED' }),
      item(6, 5),
    ]);
    expect(handled.body.results.map((r: { status: string }) => r.status)).toEqual(Array(6).fill('created'));
    const stored = await pg.query(
      `SELECT service_record_id, handling FROM intake.reviews WHERE unit_code = $1 AND handling IS NOT NULL ORDER BY service_record_id`,
      [UNIT],
    );
    expect(stored.rows.map((r) => [r.service_record_id, r.handling.outcome, r.handling.respondedOnTime])).toEqual([
      ['IH-1', 'RECTIFIED', true],
      ['IH-2', 'EXPLAINED', false],
      ['IH-3', 'APPEAL_UPHELD', true],
      ['IH-4', 'RECTIFIED', true],
      ['IH-5', 'RECTIFIED', false],
    ]);
    expect(stored.rows[0].handling).toEqual({
      respondedAt: '2024-04-12T07:00:00.000Z',
      respondedOnTime: true,
      outcome: 'RECTIFIED',
      closedAt: '2024-04-18T09:00:00.000Z',
    });

    const open = await importRatings([item(7, 1), item(8, 2)]);
    const openIds = open.body.results.map((r: { id: string }) => r.id).sort();
    const cases = await eventually(
      async () =>
        (await pg.query(`SELECT review_id FROM rectification.cases WHERE unit_code = $1`, [UNIT])).rows.map((r) => r.review_id as string),
      (ids) => ids.length >= 2,
    );
    expect(cases.sort()).toEqual(openIds);

    const expected = {
      total: 6, // IH-1, 2, 4, 5, 7, 8: the upheld appeal leaves the count
      due: 4, // the four handled ones responded; the two open cases are not yet due
      respondedOnTime: 2, // IH-1 (said so), IH-4 (judged by the calendar)
      rectified: 4, // IH-1, IH-2 (explained), IH-4, IH-5
      open: 2,
      overdue: 0,
      appealsUpheld: 1,
      timelyResponseRate: 0.5,
    };
    const live = await eventually(
      () => quarterly(),
      (r) => r.badReviews.total === 6 && r.badReviews.appealsUpheld === 1,
    );
    expect(live.badReviews).toMatchObject(expected);
    // Nothing more opened once every event was applied.
    expect((await pg.query(`SELECT count(*)::int AS n FROM rectification.cases WHERE unit_code = $1`, [UNIT])).rows[0].n).toBe(2);

    await request(statistics.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', admin).expect(200);
    const rebuilt = await quarterly();
    expect(rebuilt.badReviews).toEqual(live.badReviews);
    expect(rebuilt.badReviews).toMatchObject(expected);
  });
});
