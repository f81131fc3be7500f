import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import request from 'supertest';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  type CaseLifecycleData,
  type CaseStatus,
  createCloudEvent,
  EventTypes,
  type ReviewSubmittedData,
  Topics,
  type UnresolvedReportedData,
} from '#libs/contracts';
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

const UNIT_NAMES: Record<string, string> = { 'CN-01': '区市场监督管理局', 'CN-02': '区人力资源和社会保障局' };

function review(
  unitCode: string,
  level: ReviewSubmittedData['level'],
  ratedAt: string,
  extra: Partial<ReviewSubmittedData> = {},
): ReviewSubmittedData {
  return reviewSubmittedData({ unitCode, unitName: UNIT_NAMES[unitCode]!, level, ratedAt, ...extra });
}

function caseState(
  target: { reviewId?: string; reportId?: string; unitCode: string },
  version: number,
  status: CaseStatus,
  extra: Partial<CaseLifecycleData> = {},
): CaseLifecycleData {
  return caseLifecycleData({
    source: target.reportId ? 'UNRESOLVED' : 'BAD_REVIEW',
    unitCode: target.unitCode,
    reviewId: target.reviewId ?? null,
    reportId: target.reportId ?? null,
    status,
    version,
    ...extra,
  });
}

const CASE_TYPE: Record<CaseStatus, string> = {
  PENDING: EventTypes.CaseOpened,
  ACCEPTED: EventTypes.CaseAccepted,
  RESPONDED: EventTypes.CaseResponded,
  RECTIFIED: EventTypes.CaseRectified,
  CLOSED: EventTypes.CaseClosed,
  APPEALING: EventTypes.CaseAppealed,
};

describe('statistics: rollups from events, quarterly and summary reports, exports, bulletin, scope', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  const eventIds = new Set<string>();
  const supervisor = bearer('supervisor');

  async function publish(topic: string, type: string, data: object, id?: string): Promise<string> {
    const event = createCloudEvent({ type, source: 'test', data, id });
    const key = (data as { unitCode: string }).unitCode;
    await sql.query(`INSERT INTO event_bus.events (topic, message_key, event_id, value) VALUES ($1, $2, $3, $4)`, [
      topic,
      key,
      event.id,
      JSON.stringify(event),
    ]);
    eventIds.add(event.id);
    return event.id;
  }
  const submit = (r: ReviewSubmittedData) => publish(Topics.ReviewsSubmitted, EventTypes.ReviewSubmitted, r);
  const lifecycle = (c: CaseLifecycleData, type = CASE_TYPE[c.status]) => publish(Topics.CasesLifecycle, type, c);

  /** Waits until the consumer has recorded every published event id. */
  async function drained(): Promise<void> {
    await eventually(
      async () =>
        Number((await sql.query(`SELECT count(*) AS n FROM statistics.processed_events WHERE consumer = 'statistics.rollups'`)).rows[0].n),
      (n) => n === eventIds.size,
    );
  }

  const get = (path: string, auth = supervisor) => request(app.getHttpServer()).get(path).set('Authorization', auth);

  beforeAll(async () => {
    db = await createTestDatabase('stats');
    applyTestEnv(db.url);
    app = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();

    // Previous quarter (2024-Q3), CN-01: one good, one bad.
    await submit(review('CN-01', 5, '2024-08-01T10:00:00+08:00'));
    await submit(review('CN-01', 1, '2024-09-30T23:30:00+08:00'));

    // 2024-Q4, CN-01.
    await submit(review('CN-01', 5, '2024-11-20T09:00:00+08:00'));
    await submit(review('CN-01', 4, '2024-09-30T16:30:00Z')); // 2024-10-01 00:30 in Shanghai → Q4
    const item = { serviceItemCode: '310105-XK-0001', serviceItemName: '食品经营许可' };
    const rectified = review('CN-01', 2, '2024-11-20T09:30:00+08:00', { tags: ['EFFICIENCY', 'ATTITUDE'], ...item });
    const rectifiedEvent = await submit(rectified);
    await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSubmitted, rectified, rectifiedEvent); // redelivery: same event id
    const overdue = review('CN-01', 1, '2024-11-20T10:00:00+08:00', { tags: ['EFFICIENCY'], ...item });
    await submit(overdue);
    await submit(review('CN-01', 1, '2024-11-20T10:00:01+08:00', { suspect: true, suspectReason: 'burst' }));
    const appealed = review('CN-01', 2, '2024-11-20T11:00:00+08:00', { tags: ['OTHER'] });
    await submit(appealed);
    const hotline = review('CN-01', null, '2024-11-20T10:00:00+08:00', {
      channel: 'HOTLINE_12345',
      ticketId: '12345-20241120-0001',
      serviceItemCode: '310105-XK-0002',
      serviceItemName: '营业执照变更',
    });
    await submit(hotline);
    const cleared = review('CN-01', 3, '2024-11-21T09:00:00+08:00', { suspect: true, suspectReason: 'burst' });
    await submit(cleared);
    await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSuspectChanged, {
      reviewId: cleared.reviewId,
      unitCode: 'CN-01',
      suspect: false,
      reason: null,
    });
    const notYetDue = review('CN-01', 2, '2024-12-05T09:00:00+08:00');
    await submit(notYetDue);

    // 2024-Q4, CN-02: one good, one bad explained in time.
    await submit(review('CN-02', 5, '2024-11-02T09:00:00+08:00'));
    const explained = review('CN-02', 1, '2024-11-03T09:00:00+08:00', { tags: ['ATTITUDE'], ...item });
    await submit(explained);

    // Case lifecycles (full state each time, versions increasing; one stale event).
    const respondedOnTime = { respondedAt: '2024-11-21T09:00:00+08:00', respondedOnTime: true };
    await lifecycle(caseState(rectified, 1, 'PENDING'));
    await lifecycle(caseState(rectified, 3, 'RESPONDED', respondedOnTime));
    await lifecycle(caseState(rectified, 5, 'CLOSED', { ...respondedOnTime, outcome: 'RECTIFIED' }));
    await lifecycle(caseState(rectified, 2, 'ACCEPTED')); // stale: ignored
    await lifecycle(caseState(overdue, 1, 'PENDING'));
    await lifecycle(caseState(overdue, 2, 'PENDING', { overdue: true }), EventTypes.CaseOverdue);
    await lifecycle(caseState(appealed, 1, 'PENDING'));
    await lifecycle(caseState(appealed, 2, 'APPEALING'));
    await lifecycle(caseState(appealed, 3, 'CLOSED', { outcome: 'APPEAL_UPHELD' }), EventTypes.CaseAppealDecided);
    await lifecycle(
      caseState(hotline, 2, 'RESPONDED', { source: 'HOTLINE', respondedAt: '2024-11-25T09:00:00+08:00', respondedOnTime: false }),
    );
    await lifecycle(caseState(notYetDue, 1, 'PENDING', { responseDueAt: '2099-01-05T23:59:59.999+08:00' }));
    await lifecycle(caseState(explained, 4, 'CLOSED', { ...respondedOnTime, outcome: 'EXPLAINED' }));

    // 2023-Q4, CN-02: its only bad review of level 1, removed by an upheld appeal (no other review shares its row).
    const onlyAppealed = review('CN-02', 1, '2023-11-02T09:00:00+08:00', { tags: ['OTHER'] });
    await submit(onlyAppealed);
    await lifecycle(caseState(onlyAppealed, 1, 'PENDING'));
    await lifecycle(caseState(onlyAppealed, 2, 'APPEALING'));
    await lifecycle(caseState(onlyAppealed, 3, 'CLOSED', { outcome: 'APPEAL_UPHELD' }), EventTypes.CaseAppealDecided);

    // 办不成事 reports: one closed, one open.
    const report = (n: number): UnresolvedReportedData => ({
      reportId: randomUUID(),
      unitCode: 'CN-01',
      unitName: UNIT_NAMES['CN-01']!,
      matter: `事项${n}`,
      description: '材料不齐',
      serviceItemCode: null,
      reportedAt: '2024-11-22T10:00:00+08:00',
      reportedBy: 'operator',
      contact: { maskedName: null, maskedPhone: null, sealed: null },
    });
    const [u1, u2] = [report(1), report(2)];
    await publish(Topics.UnresolvedReported, EventTypes.UnresolvedReported, u1);
    await publish(Topics.UnresolvedReported, EventTypes.UnresolvedReported, u2);
    await lifecycle(caseState(u1, 3, 'CLOSED'));
    await lifecycle(caseState(u2, 1, 'PENDING'));
    await drained();
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await db?.drop();
  });

  it('counts an upheld appeal whose review was the only one of its unit, channel and level', async () => {
    const res = await get('/api/v1/reports/quarterly?year=2023&quarter=4&unitCode=CN-02').expect(200);
    expect(res.body.reviews).toMatchObject({ total: 0, good: 0, bad: 0 });
    expect(res.body.badReviews).toMatchObject({ total: 0, appealsUpheld: 1 });
  });

  it('answers the quarter of one unit with every formula, leaving suspect and appeal-upheld reviews out', async () => {
    const res = await get('/api/v1/reports/quarterly?year=2024&quarter=4&unitCode=CN-01').expect(200);
    expect(res.body.period).toEqual({ year: 2024, quarter: 4, from: '2024-10-01', to: '2024-12-31', timezone: 'Asia/Shanghai' });
    expect(res.body.reviews).toEqual({
      total: 7,
      good: 3,
      bad: 4,
      goodRate: 3 / 7,
      byLevel: { '1': 1, '2': 2, '3': 1, '4': 1, '5': 1 },
      byChannel: { PAD: 6, HOTLINE_12345: 1, ONLINE: 0, QR: 0, SMS: 0, PROVINCE: 0 },
    });
    // due = 2 responded + 1 unanswered past its responseDueAt (the 2099 one is not due yet).
    expect(res.body.badReviews).toEqual({
      total: 4,
      due: 3,
      respondedOnTime: 1,
      timelyResponseRate: 1 / 3,
      rectified: 1,
      rectificationRate: 1 / 4,
      open: 3,
      overdue: 1,
      appealsUpheld: 1,
      provisionalDeadlines: 0,
    });
    expect(res.body.unresolvedReports).toEqual({ total: 2, closed: 1 });
    expect(res.body.units).toEqual([
      { unitCode: 'CN-01', unitName: '区市场监督管理局', total: 7, good: 3, bad: 4, goodRate: 3 / 7, timelyResponseRate: 1 / 3, rank: 1 },
    ]);
    expect(res.body.topBadTags).toEqual([
      { tag: 'EFFICIENCY', label: '办事效率低', count: 2 },
      { tag: 'ATTITUDE', label: '服务态度差', count: 1 },
    ]);
    expect(res.body.topBadServiceItems).toEqual([
      { serviceItemCode: '310105-XK-0001', serviceItemName: '食品经营许可', count: 2 },
      { serviceItemCode: '310105-XK-0002', serviceItemName: '营业执照变更', count: 1 },
    ]);
    expect(res.body.previousQuarter).toEqual({ total: 2, goodRate: 0.5 });
    expect(Date.parse(res.body.generatedAt)).not.toBeNaN();
  });

  it('shows a supervisor every unit, ranked by good rate', async () => {
    const res = await get('/api/v1/reports/quarterly?year=2024&quarter=4').expect(200);
    expect(res.body.reviews).toMatchObject({ total: 9, good: 4, bad: 5, goodRate: 4 / 9 });
    expect(res.body.badReviews).toMatchObject({
      total: 5,
      due: 4,
      respondedOnTime: 2,
      timelyResponseRate: 0.5,
      rectified: 2,
      rectificationRate: 0.4,
    });
    expect(res.body.units.map((u: { unitCode: string; rank: number; goodRate: number }) => [u.unitCode, u.rank, u.goodRate])).toEqual([
      ['CN-02', 1, 0.5],
      ['CN-01', 2, 3 / 7],
    ]);
    expect(res.body.topBadTags.map((t: { tag: string; count: number }) => [t.tag, t.count])).toEqual([
      ['ATTITUDE', 2],
      ['EFFICIENCY', 2],
    ]);
    expect(res.body.topBadServiceItems[0]).toEqual({ serviceItemCode: '310105-XK-0001', serviceItemName: '食品经营许可', count: 3 });
  });

  it('gives null rates for an empty quarter', async () => {
    const res = await get('/api/v1/reports/quarterly?year=2023&quarter=2').expect(200);
    expect(res.body.reviews).toMatchObject({ total: 0, goodRate: null });
    expect(res.body.badReviews).toMatchObject({ total: 0, due: 0, timelyResponseRate: null, rectificationRate: null });
    expect(res.body.previousQuarter).toEqual({ total: 0, goodRate: null });
  });

  it('keeps a unit operator to its own unit', async () => {
    const operator = bearer('unit_operator', 'CN-02');
    const own = await get('/api/v1/reports/quarterly?year=2024&quarter=4', operator).expect(200);
    expect(own.body.units).toEqual([expect.objectContaining({ unitCode: 'CN-02', total: 2, rank: 1 })]);
    expect(own.body.reviews.total).toBe(2);
    for (const path of [
      '/api/v1/reports/quarterly?year=2024&quarter=4&unitCode=CN-01',
      '/api/v1/reports/summary?from=2024-01-01&to=2024-11-30&unitCode=CN-01',
      '/api/v1/reports/quarterly/bulletin?year=2024&quarter=4&unitCode=CN-01',
    ]) {
      const denied = await get(path, operator).expect(403);
      expect(denied.body).toMatchObject({ code: 'FORBIDDEN_UNIT' });
      expect(JSON.stringify(denied.body)).not.toContain('区市场监督管理局');
    }
    await request(app.getHttpServer()).get('/api/v1/reports/quarterly?year=2024&quarter=4').expect(401);
  });

  it('answers any date range with the same shape', async () => {
    const res = await get('/api/v1/reports/summary?from=2024-07-01&to=2024-11-30&unitCode=CN-01').expect(200);
    expect(res.body.period).toEqual({ from: '2024-07-01', to: '2024-11-30', timezone: 'Asia/Shanghai' });
    // Q3's two plus Q4 up to 30 November (the 5 December rating falls outside); Q3's bad one has no case yet, so it is open.
    expect(res.body.reviews).toMatchObject({ total: 8, good: 4, bad: 4, goodRate: 0.5 });
    expect(res.body.badReviews).toMatchObject({ total: 4, due: 3, open: 3 });
    expect(res.body.previousQuarter).toBeNull();
    const invalid = await get('/api/v1/reports/summary?from=2024-12-01&to=2024-11-30').expect(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
  });

  it('exports csv and xlsx', async () => {
    const csv = await get('/api/v1/reports/quarterly?year=2024&quarter=4&format=csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('report-2024-Q4.csv');
    expect(csv.text).toContain('CN-01,区市场监督管理局,7,3,4,42.86%');
    const xlsx = await get('/api/v1/reports/summary?from=2024-10-01&to=2024-12-31&format=xlsx')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Uint8Array.from(xlsx.body as Buffer).buffer);
    const units = book.getWorksheet('单位排名')!;
    const values = units
      .getSheetValues()
      .flat()
      .filter((v) => typeof v === 'string' || typeof v === 'number');
    expect(values).toEqual(expect.arrayContaining(['CN-02', 'CN-01', '区市场监督管理局']));
  });

  it('renders the printable bulletin with charts and percentages', async () => {
    const res = await get('/api/v1/reports/quarterly/bulletin?year=2024&quarter=4').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<svg');
    expect(res.text).toContain('44.44%'); // 4 / 9
    expect(res.text).toContain('区市场监督管理局');
  });

  it('lets only an admin rebuild', async () => {
    const res = await request(app.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', supervisor).expect(403);
    expect(res.body.status).toBe(403);
  });

  it('brings a review back when its suspect flag is set again and cleared, and changes nothing on redelivery', async () => {
    const [{ n: before }] = (await sql.query(`SELECT sum(reviews)::int AS n FROM statistics.review_rollups`)).rows;
    const flagged = review('CN-02', 5, '2024-12-01T09:00:00+08:00');
    await submit(flagged);
    await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSuspectChanged, {
      reviewId: flagged.reviewId,
      unitCode: 'CN-02',
      suspect: true,
      reason: 'x',
    });
    await drained();
    expect((await sql.query(`SELECT sum(reviews)::int AS n FROM statistics.review_rollups`)).rows[0].n).toBe(before);
    const id = await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSuspectChanged, {
      reviewId: flagged.reviewId,
      unitCode: 'CN-02',
      suspect: false,
      reason: null,
    });
    await publish(
      Topics.ReviewsSubmitted,
      EventTypes.ReviewSuspectChanged,
      { reviewId: flagged.reviewId, unitCode: 'CN-02', suspect: false, reason: null },
      id,
    );
    await drained();
    const res = await get('/api/v1/reports/quarterly?year=2024&quarter=4&unitCode=CN-02').expect(200);
    expect(res.body.reviews).toMatchObject({ total: 3, good: 2 });
  });
});
