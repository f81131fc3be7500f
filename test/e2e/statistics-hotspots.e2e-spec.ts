import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { type CaseLifecycleData, createCloudEvent, EventTypes, type ReviewSubmittedData, Topics } from '#libs/contracts';
import {
  applyTestEnv,
  bearer,
  caseLifecycleData,
  createTestDatabase,
  eventually,
  reviewSubmittedData,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

/** The window of date=2024-11-30 is 2024-11-24 … 11-30; its baseline the 8 weeks from 2024-09-29 to 11-23. */
const DATE = '2024-11-30';
const SPIKING = { serviceItemCode: '310105-XK-0101', serviceItemName: '食品经营许可' };
const STEADY = { serviceItemCode: '310105-XK-0102', serviceItemName: '营业执照变更' };
const NEW = { serviceItemCode: '310105-XK-0103', serviceItemName: '户外广告设置' };

/** A Shanghai instant `daysBefore` days before DATE, at 10:00. */
function dayBefore(daysBefore: number): string {
  const d = new Date(Date.parse(`${DATE}T10:00:00+08:00`) - daysBefore * 86_400_000);
  return d.toISOString();
}

describe('GET /analysis/hotspots: the last 7 days against the own 8-week baseline', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  let published = 0;
  const supervisor = bearer('supervisor');

  async function publish(topic: string, type: string, data: { unitCode: string }) {
    const event = createCloudEvent({ type, source: 'test', data });
    await sql.query(`INSERT INTO event_bus.events (topic, message_key, event_id, value) VALUES ($1, $2, $3, $4)`, [
      topic,
      data.unitCode,
      event.id,
      JSON.stringify(event),
    ]);
    published++;
  }
  const bad = async (unitCode: string, daysBefore: number, item: Partial<ReviewSubmittedData>) => {
    const r = reviewSubmittedData({ unitCode, level: 1, grade: 'BAD', ratedAt: dayBefore(daysBefore), ...item });
    await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSubmitted, r);
    return r;
  };
  const rectified = (r: ReviewSubmittedData, version: number, extra: Partial<CaseLifecycleData>) =>
    publish(
      Topics.CasesLifecycle,
      EventTypes.CaseRectified,
      caseLifecycleData({ source: 'BAD_REVIEW', unitCode: r.unitCode, reviewId: r.reviewId, status: 'RECTIFIED', version, ...extra }),
    );

  beforeAll(async () => {
    db = await createTestDatabase('stats_hotspots');
    applyTestEnv(db.url);
    app = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // SPIKING: one bad review a week for 8 weeks, then 6 in the window across two units.
    for (let w = 0; w < 8; w++) await bad('CN-01', 7 + 7 * w + 2, SPIKING);
    for (let d = 0; d < 6; d++) await bad(d < 4 ? 'CN-01' : 'CN-02', d, SPIKING);
    // STEADY: three a week throughout, four in the window: ordinary.
    for (let w = 0; w < 8; w++) for (let k = 0; k < 3; k++) await bad('CN-01', 7 + 7 * w + k, STEADY);
    for (let d = 0; d < 4; d++) await bad('CN-01', d, STEADY);
    // NEW: no history, three in the window: not enough.
    for (let d = 0; d < 3; d++) await bad('CN-02', d, NEW);
    // A category: five window cases rectified as 排队等候, none before; one later event without the field keeps it.
    const waiting = [];
    for (let d = 0; d < 5; d++) waiting.push(await bad('CN-02', d, { serviceItemCode: null, serviceItemName: null }));
    for (const r of waiting) await rectified(r, 4, { problemCategory: 'EFFICIENCY_WAITING' });
    await publish(
      Topics.CasesLifecycle,
      EventTypes.CaseUrged,
      caseLifecycleData({ source: 'BAD_REVIEW', unitCode: 'CN-02', reviewId: waiting[0]!.reviewId, status: 'RECTIFIED', version: 5 }),
    );
    await eventually(
      async () =>
        Number((await sql.query(`SELECT count(*) AS n FROM statistics.processed_events WHERE consumer = 'statistics.rollups'`)).rows[0].n),
      (n) => n === published,
    );
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await db?.drop();
  });

  it('lists the spiking service item and the spiking category, each with its numbers and the link to its cases', async () => {
    const body = (
      await request(app.getHttpServer()).get(`/api/v1/analysis/hotspots?date=${DATE}`).set('Authorization', supervisor).expect(200)
    ).body;
    expect(body).toMatchObject({
      windowFrom: '2024-11-24',
      windowTo: '2024-11-30',
      baselineFrom: '2024-09-29',
      rule: { windowDays: 7, baselineWeeks: 8, minCount: 3, pThreshold: 0.01, minExpected: 0.5 },
    });
    expect(body.hotspots).toEqual([
      {
        kind: 'SERVICE_ITEM',
        code: SPIKING.serviceItemCode,
        name: '食品经营许可',
        windowCount: 6,
        baselineCount: 8,
        baselineWeeklyMean: 1,
        expected: 1,
        pValue: expect.any(Number),
        unitCodes: ['CN-01', 'CN-02'],
        cases: {
          serviceItemCode: SPIKING.serviceItemCode,
          from: '2024-11-24',
          to: '2024-11-30',
          path: `/api/v1/cases?serviceItemCode=${SPIKING.serviceItemCode}&from=2024-11-24&to=2024-11-30`,
        },
      },
      {
        kind: 'CATEGORY',
        code: 'EFFICIENCY_WAITING',
        name: null,
        windowCount: 5,
        baselineCount: 0,
        baselineWeeklyMean: 0,
        expected: 0.5,
        pValue: expect.any(Number),
        unitCodes: ['CN-02'],
        cases: {
          problemCategory: 'EFFICIENCY_WAITING',
          from: '2024-11-24',
          to: '2024-11-30',
          path: '/api/v1/cases?problemCategory=EFFICIENCY_WAITING&from=2024-11-24&to=2024-11-30',
        },
      },
    ]);
    // P(X ≥ 6 | 1) = 1 − e^-1 (1 + 1 + 1/2 + 1/6 + 1/24 + 1/120)
    expect(body.hotspots[0].pValue).toBeCloseTo(1 - Math.exp(-1) * (1 + 1 + 1 / 2 + 1 / 6 + 1 / 24 + 1 / 120), 10);
  });

  it('a week later the spike is baseline history and nothing stands out', async () => {
    const body = (
      await request(app.getHttpServer()).get('/api/v1/analysis/hotspots?date=2024-12-07').set('Authorization', supervisor).expect(200)
    ).body;
    expect(body.hotspots).toEqual([]);
  });

  it('is for supervisors; a bad date names the field', async () => {
    await request(app.getHttpServer()).get('/api/v1/analysis/hotspots').set('Authorization', bearer('unit_operator', 'CN-01')).expect(403);
    await request(app.getHttpServer()).get('/api/v1/analysis/hotspots').set('Authorization', bearer('admin')).expect(403);
    const badDate = await request(app.getHttpServer())
      .get('/api/v1/analysis/hotspots?date=2024-13-01')
      .set('Authorization', supervisor)
      .expect(400);
    expect(badDate.body.errors).toEqual([expect.objectContaining({ field: 'date' })]);
    const today = (await request(app.getHttpServer()).get('/api/v1/analysis/hotspots').set('Authorization', supervisor).expect(200)).body;
    expect(today.windowTo).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
