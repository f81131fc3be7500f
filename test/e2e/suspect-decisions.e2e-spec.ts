import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  eventually,
  startTestService,
  type TestDatabase,
} from '#libs/testing';
import { sql } from './rectification-fixtures.js';

/** A supervisor's 刷评 decisions as the quarterly figures see them: cleared counts again, confirmed stays out — also after a rebuild. */
describe('刷评 decisions from intake to statistics: clear brings a rating back, confirm keeps it out', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication; // its schema is one of the rebuild's sources
  let statistics: INestApplication;
  let device: Credential;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');
  const burst: string[] = [];

  const reviewsTotal = async () =>
    (
      await request(statistics.getHttpServer())
        .get('/api/v1/reports/quarterly?year=2024&quarter=4&unitCode=CN-01')
        .set('Authorization', supervisor)
        .expect(200)
    ).body.reviews as { total: number; good: number; bad: number; byLevel: Record<string, number> };
  const rate = (level: number, ratedAt: string, path = '/api/v1/ratings') => {
    const rating = { serviceRecordId: `SR-${Math.random().toString(36).slice(2, 10)}`, serviceItemCode: '310105-XK-0001', level, ratedAt };
    const raw = JSON.stringify(path.endsWith('batch') ? { ratings: [rating] } : rating);
    return request(intake.getHttpServer())
      .post(path)
      .set(deviceHeaders(device, 'POST', path, raw))
      .send(raw);
  };

  beforeAll(async () => {
    db = await createTestDatabase('suspect_decisions');
    applyTestEnv(db.url);
    process.env.RATING_MAX_AGE_DAYS = '3660'; // the ratings fall on fixed dates of 2024
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    await request(intake.getHttpServer())
      .post('/api/v1/units')
      .set('Authorization', admin)
      .send({ code: 'CN-01', name: '区市场监督管理局' })
      .expect(201);
    const registered = await request(intake.getHttpServer())
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: 'CN-01', windowNo: 'A01' })
      .expect(201);
    device = { id: registered.body.deviceId, secret: registered.body.secret };
  });

  afterAll(async () => {
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
    delete process.env.RATING_MAX_AGE_DAYS;
  });

  it('leaves a burst out of the figures', async () => {
    // Six ratings whose ratedAt fall within 10 s: all six are flagged; one rating a minute later counts.
    for (let i = 0; i < 6; i++) burst.push((await rate(5, `2024-11-21T10:00:0${i}+08:00`).expect(201)).body.id as string);
    await rate(4, '2024-11-21T10:01:30+08:00', '/api/v1/ratings/batch').expect(200);
    const flagged = await sql<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM intake.reviews WHERE suspect`);
    expect(flagged[0].n).toBe(6);
    const reviews = await eventually(reviewsTotal, (r) => r.total === 1);
    expect(reviews.byLevel).toMatchObject({ '4': 1, '5': 0 });
  });

  it('counts a cleared suspect again, and keeps a confirmed one out', async () => {
    await request(intake.getHttpServer()).post(`/api/v1/ratings/${burst[0]}/clear-suspect`).set('Authorization', supervisor).expect(200);
    await request(intake.getHttpServer()).post(`/api/v1/ratings/${burst[1]}/confirm-suspect`).set('Authorization', supervisor).expect(200);
    // The decisions' events (the second suspect-changed of each rating) have been consumed by statistics.
    const decisions = await sql<{ event_id: string; suspect: string }>(
      db.url,
      `SELECT payload->>'id' AS event_id, payload->'data'->>'suspect' AS suspect FROM intake.outbox
       WHERE payload->>'type' = 'gov.review.suspect-changed' AND payload->'data'->>'reviewId' = ANY($1) ORDER BY id`,
      [[burst[0], burst[1]]],
    );
    expect(decisions.map((d) => d.suspect)).toEqual(['true', 'true', 'false', 'true']); // burst flags, then clear and confirm
    await eventually(
      async () =>
        (
          await sql<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM statistics.processed_events WHERE event_id = ANY($1)`, [
            decisions.slice(2).map((d) => d.event_id),
          ])
        )[0].n,
      (n) => n === 2,
    );
    const reviews = await eventually(reviewsTotal, (r) => r.total === 2);
    expect(reviews.byLevel).toMatchObject({ '4': 1, '5': 1 });
    const facts = await sql<{ review_id: string; suspect: boolean }>(
      db.url,
      `SELECT review_id, suspect FROM statistics.review_facts WHERE review_id = ANY($1) ORDER BY suspect`,
      [[burst[0], burst[1]]],
    );
    expect(facts).toEqual([
      { review_id: burst[0], suspect: false },
      { review_id: burst[1], suspect: true },
    ]);
  });

  it('gives the same figures after a rebuild from the source tables', async () => {
    await request(statistics.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', admin).expect(200);
    const reviews = await reviewsTotal();
    expect(reviews.total).toBe(2);
    expect(reviews.byLevel).toMatchObject({ '4': 1, '5': 1 });
  });
});
