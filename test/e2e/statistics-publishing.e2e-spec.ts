import type { INestApplication } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import request from 'supertest';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { Events, type HotlineCategory, type ReviewSubmittedData, Topics } from '#libs/contracts';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  eventually,
  reviewSubmittedData,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

/** The frozen part of a published quarter's JSON: everything before the appended changedSincePublished member. */
function frozenPart(text: string): string {
  const at = text.lastIndexOf(',"changedSincePublished":');
  expect(at).toBeGreaterThan(0);
  return text.slice(0, at);
}

const binary = (res: request.Test) =>
  res.buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  });

describe('statistics: quarter publishing (frozen snapshots)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  const eventIds = new Set<string>();
  const supervisorId = '3f6c2a9e-1b4d-4c8e-a7f0-5d2b9e8c1a36';
  const supervisor = bearer('supervisor', undefined, { sub: supervisorId, name: '王督查' });

  async function submit(data: ReviewSubmittedData): Promise<void> {
    const event = Events.reviewSubmitted(data, { source: 'test' });
    await sql.query(`INSERT INTO event_bus.events (topic, message_key, event_id, value) VALUES ($1, $2, $3, $4)`, [
      Topics.ReviewsSubmitted,
      data.unitCode,
      event.id,
      JSON.stringify(event),
    ]);
    eventIds.add(event.id);
  }
  async function drained(): Promise<void> {
    await eventually(
      async () =>
        Number((await sql.query(`SELECT count(*) AS n FROM statistics.processed_events WHERE consumer = 'statistics.rollups'`)).rows[0].n),
      (n) => n === eventIds.size,
    );
  }
  const http = () => request(app.getHttpServer());
  const rating = (unitCode: string, level: 1 | 2 | 3 | 4 | 5, ratedAt: string, extra: Partial<ReviewSubmittedData> = {}) =>
    reviewSubmittedData({ unitCode, unitName: `单位${unitCode}`, level, ratedAt, ...extra });

  beforeAll(async () => {
    db = await createTestDatabase('stats_publish');
    applyTestEnv(db.url);
    app = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await submit(rating('CN-01', 5, '2024-10-08T09:00:00+08:00'));
    await submit(rating('CN-01', 4, '2024-11-20T09:00:00+08:00'));
    await submit(rating('CN-01', 1, '2024-12-31T23:59:00+08:00'));
    await submit(rating('CN-02', 5, '2024-11-02T09:00:00+08:00'));
    await drained();
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await db?.drop();
  });

  it('refuses a quarter that has not ended, other roles, and bad periods', async () => {
    const now = new Date();
    const year = now.getUTCFullYear() + 1;
    const res = await http().post(`/api/v1/reports/quarterly/publish?year=${year}&quarter=1`).set('Authorization', supervisor).expect(409);
    expect(res.body).toMatchObject({ status: 409, code: 'QUARTER_NOT_ENDED' });
    const forbidden = await http()
      .post('/api/v1/reports/quarterly/publish?year=2024&quarter=4')
      .set('Authorization', bearer('unit_operator', 'CN-01'))
      .expect(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const bad = await http().post('/api/v1/reports/quarterly/publish?year=2024&quarter=5').set('Authorization', supervisor).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['quarter']);
    expect((await sql.query(`SELECT count(*)::int AS n FROM statistics.published_quarters`)).rows[0].n).toBe(0);
  });

  it('freezes a quarter: byte-identical JSON, CSV and XLSX after a late import while live=true moves; once only', async () => {
    const published = await http()
      .post('/api/v1/reports/quarterly/publish?year=2024&quarter=4')
      .set('Authorization', supervisor)
      .expect(201);
    expect(published.headers['content-type']).toMatch(/^application\/json/);
    expect(published.body).toMatchObject({
      period: { year: 2024, quarter: 4 },
      reviews: { total: 4, good: 3, bad: 1, goodRate: 0.75 },
      published: { by: supervisorId, byName: '王督查' },
      changedSincePublished: null,
    });
    const publishedAt = published.body.published.at as string;
    expect(Math.abs(Date.parse(publishedAt) - Date.now())).toBeLessThan(60_000);
    expect(published.body.units.map((u: { unitCode: string }) => u.unitCode).sort()).toEqual(['CN-01', 'CN-02']);

    const again = await http().post('/api/v1/reports/quarterly/publish?year=2024&quarter=4').set('Authorization', supervisor).expect(409);
    expect(again.body).toMatchObject({ status: 409, code: 'ALREADY_PUBLISHED' });

    const before = await http().get('/api/v1/reports/quarterly?year=2024&quarter=4').set('Authorization', supervisor).expect(200);
    expect(before.text).toBe(published.text);
    const csvBefore = await http()
      .get('/api/v1/reports/quarterly?year=2024&quarter=4&format=csv')
      .set('Authorization', supervisor)
      .expect(200);
    expect(csvBefore.text).toContain('发布状态,已发布');
    expect(csvBefore.text).toContain('发布人,王督查');

    // A late import into the published quarter: one more good rating and one more bad one.
    await submit(rating('CN-01', 5, '2024-10-09T09:00:00+08:00', { imported: true }));
    await submit(rating('CN-02', 2, '2024-10-10T09:00:00+08:00', { imported: true }));
    await drained();

    const after = await http().get('/api/v1/reports/quarterly?year=2024&quarter=4').set('Authorization', supervisor).expect(200);
    expect(frozenPart(after.text)).toBe(frozenPart(published.text));
    expect(after.body.reviews).toMatchObject({ total: 4, bad: 1, goodRate: 0.75 });
    expect(after.body.changedSincePublished).toEqual({ reviews: 2, bad: 1, goodRate: 4 / 6 - 0.75 });
    const stored = await sql.query(`SELECT report FROM statistics.published_reports WHERE year = 2024 AND quarter = 4 AND scope = ''`);
    expect(frozenPart(after.text)).toBe((stored.rows[0].report as string).slice(0, -1));

    const live = await http().get('/api/v1/reports/quarterly?year=2024&quarter=4&live=true').set('Authorization', supervisor).expect(200);
    expect(live.body.reviews).toMatchObject({ total: 6, good: 4, bad: 2 });
    expect(live.body.published).toBeUndefined();

    const csvAfter = await http()
      .get('/api/v1/reports/quarterly?year=2024&quarter=4&format=csv')
      .set('Authorization', supervisor)
      .expect(200);
    expect(csvAfter.text).toBe(csvBefore.text);
    const xlsx = await binary(
      http().get('/api/v1/reports/quarterly?year=2024&quarter=4&format=xlsx').set('Authorization', supervisor),
    ).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Uint8Array.from(xlsx.body as Buffer).buffer);
    const summary = book.getWorksheet('汇总')!;
    const cells = summary
      .getSheetValues()
      .flat()
      .filter((v) => typeof v === 'string' || typeof v === 'number');
    expect(cells).toEqual(expect.arrayContaining(['评价总数', 4, '发布人', '王督查']));
    expect(cells).not.toContain(6);

    // A unit's own view is frozen too.
    const unit = await http()
      .get('/api/v1/reports/quarterly?year=2024&quarter=4')
      .set('Authorization', bearer('unit_operator', 'CN-02'))
      .expect(200);
    expect(unit.body).toMatchObject({ reviews: { total: 1, bad: 0 }, published: { by: supervisorId, byName: '王督查', at: publishedAt } });
    expect(unit.body.changedSincePublished).toEqual({ reviews: 1, bad: 1, goodRate: -0.5 });
  });

  it('renders the bulletin of a published quarter from the snapshot, saying 已发布 with time and publisher', async () => {
    const html = (await http().get('/api/v1/reports/quarterly/bulletin?year=2024&quarter=4').set('Authorization', supervisor).expect(200))
      .text;
    expect(html).toContain('已发布：');
    expect(html).toContain('发布人 王督查。');
    expect(html).not.toContain(supervisorId);
    expect(html).toContain('共收到评价 4 件');
    const live = (
      await http().get('/api/v1/reports/quarterly/bulletin?year=2024&quarter=4&live=true').set('Authorization', supervisor).expect(200)
    ).text;
    expect(live).toContain('共收到评价 6 件');
    expect(live).not.toContain('已发布');
  });

  it('lists every registered unit and counts 12345 transfers by category, only complaints as reviews', async () => {
    const event = Events.unitRegistered(
      { unitCode: 'CN-09', unitName: '区新设单位', registeredAt: new Date().toISOString() },
      { source: 'test' },
    );
    await sql.query(`INSERT INTO event_bus.events (topic, message_key, event_id, value) VALUES ($1, $2, $3, $4)`, [
      Topics.ReviewsSubmitted,
      'CN-09',
      event.id,
      JSON.stringify(event),
    ]);
    eventIds.add(event.id);
    const hotline = (category: HotlineCategory, grade: 'BAD' | 'NONE') =>
      reviewSubmittedData({
        unitCode: 'CN-01',
        unitName: '单位CN-01',
        channel: 'HOTLINE_12345',
        level: null,
        grade,
        category,
        ticketId: `T-${category}`,
        ratedAt: '2025-02-10T10:00:00+08:00',
      });
    const complaint = hotline('COMPLAINT', 'BAD');
    const consultation = hotline('CONSULTATION', 'NONE');
    for (const r of [complaint, consultation, hotline('REQUEST', 'NONE')]) await submit(r);
    await drained();
    const report = (await http().get('/api/v1/reports/quarterly?year=2025&quarter=1').set('Authorization', supervisor).expect(200)).body;
    expect(report.reviews).toMatchObject({ total: 1, bad: 1, byChannel: { PAD: 0, HOTLINE_12345: 1 } });
    expect(report.hotline).toEqual({
      total: 3,
      byCategory: { COMPLAINT: 1, REQUEST: 1, SUGGESTION: 0, CONSULTATION: 1 },
      closed: 0,
      overdue: 0,
    });
    expect(report.units.map((u: { unitCode: string; total: number }) => [u.unitCode, u.total])).toEqual([
      ['CN-01', 1],
      ['CN-02', 0],
      ['CN-09', 0],
    ]);
    const csv = (await http().get('/api/v1/reports/quarterly?year=2025&quarter=1&format=csv').set('Authorization', supervisor).expect(200))
      .text;
    expect(csv).toContain('12345咨询,1');
  });

  it('lists published quarters; snapshots cannot be changed or deleted, not even in SQL', async () => {
    const list = await http().get('/api/v1/reports/quarterly/published').set('Authorization', supervisor).expect(200);
    expect(list.body).toEqual({
      items: [{ year: 2024, quarter: 4, publishedAt: expect.any(String), publishedBy: supervisorId, publishedByName: '王督查' }],
    });
    await expect(sql.query(`UPDATE statistics.published_reports SET report = '{}'`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM statistics.published_quarters`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`TRUNCATE statistics.published_reports`)).rejects.toThrow(/append-only/);
    expect((await sql.query(`SELECT count(*)::int AS n FROM statistics.published_reports`)).rows[0].n).toBe(3);
  });
});
