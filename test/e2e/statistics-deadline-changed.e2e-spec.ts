import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { type CaseDeadlineChangedData, createCloudEvent, EventTypes, Topics } from '#libs/contracts';
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

/**
 * Statistics follows `gov.case.deadline-changed`: the moved response deadline decides the `due` of
 * 差评及时答复率, and the bulletin footnotes the bad reviews whose deadline rests on a provisional day.
 */
describe('statistics: deadlines moved by a calendar change', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  const eventIds = new Set<string>();
  const get = (path: string) => request(app.getHttpServer()).get(path).set('Authorization', bearer('supervisor'));

  async function publish(topic: string, type: string, data: { unitCode: string }): Promise<void> {
    const event = createCloudEvent({ type, source: 'test', data });
    await sql.query(`INSERT INTO event_bus.events (topic, message_key, event_id, value) VALUES ($1, $2, $3, $4)`, [
      topic,
      data.unitCode,
      event.id,
      JSON.stringify(event),
    ]);
    eventIds.add(event.id);
    await eventually(
      async () =>
        Number((await sql.query(`SELECT count(*) AS n FROM statistics.processed_events WHERE consumer = 'statistics.rollups'`)).rows[0].n),
      (n) => n === eventIds.size,
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase('stats_deadline');
    applyTestEnv(db.url);
    app = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await db?.drop();
  });

  it('moves the response due day and clears the provisional footnote when the year is confirmed', async () => {
    const review = reviewSubmittedData({ unitCode: 'CN-01', unitName: '区市场监督管理局', level: 1, ratedAt: '2026-11-20T10:00:00+08:00' });
    await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSubmitted, review);
    const opened = caseLifecycleData({
      source: 'BAD_REVIEW',
      unitCode: 'CN-01',
      reviewId: review.reviewId,
      status: 'PENDING',
      version: 1,
      openedAt: '2026-11-20T10:00:00+08:00',
      responseDueAt: '2026-11-23T23:59:59.999+08:00',
      deadlineProvisional: true,
    });
    await publish(Topics.CasesLifecycle, EventTypes.CaseOpened, opened);

    const before = (await get('/api/v1/reports/quarterly?year=2026&quarter=4').expect(200)).body;
    expect(before.badReviews).toMatchObject({ total: 1, due: 1, respondedOnTime: 0, timelyResponseRate: 0, provisionalDeadlines: 1 });
    const bulletin = (await get('/api/v1/reports/quarterly/bulletin?year=2026&quarter=4').expect(200)).text;
    expect(bulletin).toContain('<p>注：本期有 1 件差评的答复、整改期限涉及尚未发布或确认的年度节假日安排');

    // The confirmed calendar moves the response deadline far later: not due yet, so out of `due`.
    const changed: CaseDeadlineChangedData = {
      ...opened,
      version: 2,
      responseDueAt: '2099-01-05T23:59:59.999+08:00',
      deadlineProvisional: false,
      actor: 'system',
      previousResponseDueAt: opened.responseDueAt,
      previousRectifyDueAt: opened.rectifyDueAt,
      previousDeadlineProvisional: true,
      calendarYear: 2099,
      calendarChange: 'CONFIRMED',
    };
    await publish(Topics.CasesLifecycle, EventTypes.CaseDeadlineChanged, changed);
    const after = (await get('/api/v1/reports/quarterly?year=2026&quarter=4').expect(200)).body;
    expect(after.badReviews).toMatchObject({ total: 1, due: 0, timelyResponseRate: null, provisionalDeadlines: 0 });
    expect((await get('/api/v1/reports/quarterly/bulletin?year=2026&quarter=4').expect(200)).text).not.toContain('class="footnotes"');
    const pending = await sql.query(`SELECT due_day::text AS day, pending FROM statistics.bad_pending_rollups WHERE pending <> 0`);
    expect(pending.rows).toEqual([{ day: '2099-01-05', pending: 1 }]);

    // The rollup rows themselves: nothing left on the old due day, no provisional count.
    const provisional = await sql.query(`SELECT coalesce(sum(reviews), 0)::int AS n FROM statistics.provisional_deadline_rollups`);
    expect(provisional.rows[0].n).toBe(0);
  });

  it('dead-letters a deadline-changed event without its previous deadlines (schema validated)', async () => {
    const broken = caseLifecycleData({ unitCode: 'CN-01', status: 'PENDING', version: 9 });
    await publish(Topics.CasesLifecycle, EventTypes.CaseDeadlineChanged, broken);
    const rows = await sql.query(
      `SELECT outcome, reason FROM statistics.processed_events WHERE consumer = 'statistics.rollups' AND outcome = 'dead_lettered'`,
    );
    expect(rows.rows).toEqual([{ outcome: 'dead_lettered', reason: expect.stringContaining('previousResponseDueAt') }]);
  });
});
