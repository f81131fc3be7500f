import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { Topics } from '#libs/contracts';
import { applyTestEnv, bearer, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { type CaseBody, openCase, publish, reviewEvent } from './rectification-fixtures.js';

// Written independently of the product's own rules: what must never appear in public data.
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/;
const ID_CARD = /(?<![\dXx])\d{17}[\dXx](?![\dXx])/;

describe('公开: the publishable flag of closed cases (rectification) and the public pages (statistics)', () => {
  let db: TestDatabase;
  let rectification: InstanceType<typeof Object> & INestApplication;
  let statistics: INestApplication;
  let sql: Client;
  const operator = bearer('unit_operator', 'PUB-01', { sub: 'op-pub-01' });
  const supervisor = bearer('supervisor', undefined, { sub: '王督查' });
  const cases = () => request(rectification.getHttpServer());
  const stats = () => request(statistics.getHttpServer());
  // An ended quarter, so that it can be published.
  const Q = { year: 2026, quarter: 3 };
  const inQ3 = (day: string) => `2026-08-${day}T10:00:00+08:00`;
  let published: CaseBody;
  let unpublished: CaseBody;
  let withdrawn: CaseBody;

  async function close(c: CaseBody, measures: string) {
    const act = (action: string, body: object) =>
      cases().post(`/api/v1/cases/${c.id}/${action}`).set('Authorization', operator).send(body).expect(200);
    await act('accept', {});
    await act('respond', { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已电话联系张三，13800138000' });
    await act('rectify', { outcome: 'RECTIFIED', measures, problemCategory: 'EFFICIENCY_WAITING' });
    await act('feedback', { reviewerSatisfied: true, note: '评价人满意' });
  }
  const setPublication = (c: CaseBody, body: object, auth = operator) =>
    cases().put(`/api/v1/cases/${c.id}/publication`).set('Authorization', auth).send(body);

  beforeAll(async () => {
    db = await createTestDatabase('case_publication');
    applyTestEnv(db.url);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const unit = { unitCode: 'PUB-01', unitName: '区市场监督管理局' };
    const bad = (day: string, serviceItemName: string) =>
      reviewEvent({
        ...unit,
        ratedAt: inQ3(day),
        receivedAt: inQ3(day),
        serviceItemName,
        comment: '等了很久，张三 13800138000 身份证31010519800101123X',
      });
    const [e1, e2, e3] = [bad('03', '食品经营许可'), bad('04', '个体工商户登记'), bad('05', '药品经营许可')];
    published = await openCase(rectification, supervisor, e1);
    unpublished = await openCase(rectification, supervisor, e2);
    withdrawn = await openCase(rectification, supervisor, e3);
    for (const [day, level, unitCode, unitName] of [
      ['06', 5, 'PUB-01', '区市场监督管理局'],
      ['07', 4, 'PUB-01', '区市场监督管理局'],
      ['08', 5, 'PUB-02', '区人力资源和社会保障局'],
    ] as const) {
      const event = reviewEvent({ unitCode, unitName, level, tags: [], ratedAt: inQ3(day), receivedAt: inQ3(day) });
      await publish(rectification, Topics.ReviewsSubmitted, unitCode, event);
    }
    await eventually(
      async () =>
        Number(
          (await sql.query(`SELECT count(*)::int AS n FROM statistics.processed_events WHERE consumer = 'statistics.rollups'`)).rows[0].n,
        ),
      (n) => n >= 6,
    );
  });

  afterAll(async () => {
    await sql?.end();
    await Promise.all([rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it('lets the unit publish only a closed case, never with personal data in the text, and withdraw it', async () => {
    expect((await setPublication(published, { publishable: true }).expect(409)).body.code).toBe('INVALID_TRANSITION');
    await close(published, '增设潮汐窗口，高峰时段加派人员，平均等候时间由40分钟降至15分钟');
    await close(unpublished, '已优化叫号');
    await close(withdrawn, '已开展业务培训');

    expect((await setPublication(published, { publishable: true }, bearer('unit_operator', 'PUB-02')).expect(403)).body.code).toBe(
      'FORBIDDEN_UNIT',
    );
    expect((await setPublication(published, { publishable: true }, supervisor).expect(403)).body.code).toBe('FORBIDDEN');
    const leaky = await setPublication(published, {
      publishable: true,
      matter: '张三反映等候时间长',
      measures: '已回电13800138000，工号E1024已培训',
    }).expect(400);
    expect(leaky.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'matter', message: "must not contain the reviewer's name" },
        { field: 'measures', message: 'must not contain a phone number' },
        { field: 'measures', message: 'must not name the staff member (工号)' },
      ]),
    );
    // Phone and ID numbers in any spelling: spaces, dashes, full-width digits.
    for (const [measures, message] of [
      ['已回电 138 0013 8000', 'must not contain a phone number'],
      ['已回电 138-0013-8000', 'must not contain a phone number'],
      ['已回电 １３８ ００１３ ８０００', 'must not contain a phone number'],
      ['已回电 ＋８６－１３８－００１３－８０００', 'must not contain a phone number'],
      ['已致电 (021) 6438 1234', 'must not contain a phone number'],
      ['核对身份证 310105 19800101 123X', 'must not contain an ID card number'],
      ['核对身份证 ３１０１０５１９８００１０１１２３Ｘ', 'must not contain an ID card number'],
    ]) {
      const refused = await setPublication(published, { publishable: true, measures }).expect(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'measures', message }] });
    }
    expect(
      (await setPublication(published, { publishable: 'yes', extra: 1 }).expect(400)).body.errors
        .map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['extra', 'publishable']);
    // Nothing was stored by the refused requests.
    expect((await sql.query(`SELECT publishable FROM rectification.cases WHERE id = $1`, [published.id])).rows[0].publishable).toBe(false);

    const ok = await setPublication(published, { publishable: true }).expect(200);
    expect(ok.body).toEqual({
      caseId: published.id,
      publishable: true,
      matter: '食品经营许可（不满意：办事效率低）',
      measures: '增设潮汐窗口，高峰时段加派人员，平均等候时间由40分钟降至15分钟',
      changedAt: expect.any(String),
    });
    await setPublication(withdrawn, {
      publishable: true,
      matter: '药品经营许可办理等候时间较长',
      measures: '开展业务培训，压缩办理时限',
    }).expect(200);
    await setPublication(withdrawn, { publishable: false }).expect(200);

    const view = (await cases().get(`/api/v1/cases/${published.id}`).set('Authorization', operator).expect(200)).body;
    expect(view.publication).toMatchObject({ publishable: true, matter: '食品经营许可（不满意：办事效率低）' });
    expect(view.timeline.map((t: { action: string }) => t.action)).toContain('publication');
    const outbox = await sql.query(
      `SELECT payload->>'type' AS type, payload->'data'->>'publishable' AS publishable FROM rectification.outbox WHERE topic = $1 ORDER BY id`,
      [Topics.CasesPublication],
    );
    expect(outbox.rows).toEqual([
      { type: 'gov.case.publication-changed', publishable: 'true' },
      { type: 'gov.case.publication-changed', publishable: 'true' },
      { type: 'gov.case.publication-changed', publishable: 'false' },
    ]);
  });

  it('shows nothing of a quarter before it is published: 404 in JSON and HTML', async () => {
    const json = await stats().get(`/api/v1/public/quarters/${Q.year}/${Q.quarter}`).expect(404);
    expect(json.headers['content-type']).toContain('application/problem+json');
    expect(json.body.code).toBe('NOT_FOUND');
    const html = await stats().get(`/public/${Q.year}/${Q.quarter}`).expect(404);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.text).toContain('未找到已公开的季度');
    expect((await stats().get('/api/v1/public/quarters').expect(200)).body).toEqual({ items: [] });
    const bad = await stats().get('/api/v1/public/quarters/1999/5').expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['quarter', 'year']);
  });

  it('answers a published quarter with its frozen unit figures and the published examples only, cacheable, without personal data', async () => {
    await stats()
      .post(`/api/v1/reports/quarterly/publish?year=${Q.year}&quarter=${Q.quarter}`)
      .set('Authorization', supervisor)
      .expect(201);
    const report = (
      await stats().get(`/api/v1/reports/quarterly?year=${Q.year}&quarter=${Q.quarter}`).set('Authorization', supervisor).expect(200)
    ).body;
    const url = `/api/v1/public/quarters/${Q.year}/${Q.quarter}`;
    const answer = await eventually(
      async () => await stats().get(url).expect(200),
      (res) => res.body.examples.length === 1 && Number((res.body.examples as unknown[]).length) === 1,
    );
    await eventually(
      async () =>
        Number((await sql.query(`SELECT count(*)::int AS n FROM statistics.public_case_examples WHERE NOT publishable`)).rows[0].n),
      (n) => n === 1,
    );
    const res = await stats().get(url).expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=600');
    expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    await stats()
      .get(url)
      .set('If-None-Match', res.headers.etag as string)
      .expect(304);
    expect(answer.body.examples).toEqual(res.body.examples);
    const body = res.body;
    expect(body.period).toEqual({ year: 2026, quarter: 3, from: '2026-07-01', to: '2026-09-30', timezone: 'Asia/Shanghai' });
    expect(body.district).toEqual({
      total: report.reviews.total,
      good: report.reviews.good,
      bad: report.reviews.bad,
      goodRate: report.reviews.goodRate,
      timelyResponseRate: report.badReviews.timelyResponseRate,
      rectificationRate: report.badReviews.rectificationRate,
    });
    expect(body.district.total).toBe(6);
    expect(body.units).toEqual(
      report.units.map((u: Record<string, unknown>) => ({
        rank: u.rank,
        unitCode: u.unitCode,
        unitName: u.unitName,
        total: u.total,
        good: u.good,
        bad: u.bad,
        goodRate: u.goodRate,
        timelyResponseRate: u.timelyResponseRate,
      })),
    );
    expect(body.units.find((u: { unitCode: string }) => u.unitCode === 'PUB-01')).toMatchObject({ total: 5, bad: 3, goodRate: 0.4 });
    expect(body.examples).toEqual([
      {
        unitName: '区市场监督管理局',
        source: 'BAD_REVIEW',
        matter: '食品经营许可（不满意：办事效率低）',
        measures: '增设潮汐窗口，高峰时段加派人员，平均等候时间由40分钟降至15分钟',
        outcome: 'RECTIFIED',
        openedAt: new Date(inQ3('03')).toISOString(),
        closedAt: expect.any(String),
      },
    ]);

    const list = (await stats().get('/api/v1/public/quarters').expect(200)).body;
    expect(list.items).toEqual([{ year: 2026, quarter: 3, publishedAt: expect.any(String), href: url, page: '/public/2026/3' }]);
    // Another quarter stays unpublished.
    await stats().get(`/api/v1/public/quarters/2026/2`).expect(404);

    const html = await stats().get('/public/2026/3').expect(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['cache-control']).toContain('public');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.text).toContain('<html lang="zh-CN">');
    expect(html.text).toContain('2026年第三季度政务服务“好差评”情况公开');
    expect(html.text).toContain('增设潮汐窗口');
    expect(html.text).not.toMatch(/<script|<link|<img|(src|href)="https?:|url\(|@import/); // nothing loaded from elsewhere
    const index = await stats().get('/public').expect(200);
    expect(index.text).toContain('href="/public/2026/3"');

    // No personal data anywhere public: not the reviewer, the phone, the ID card, the staff id, the citizen's comment, the unit's notes.
    for (const text of [JSON.stringify(body), JSON.stringify(list), html.text, index.text]) {
      expect(text).not.toMatch(MOBILE);
      expect(text).not.toMatch(ID_CARD);
      for (const secret of ['张三', 'E1024', '等了很久', '评价人满意', '已优化叫号', '开展业务培训', 'op-pub-01', '王督查'])
        expect(text).not.toContain(secret);
    }
  });

  it('documents the public endpoints and the publication endpoint in OpenAPI', async () => {
    const spec = (await stats().get('/docs-json').expect(200)).body;
    expect(spec.paths['/api/v1/public/quarters/{year}/{quarter}'].get.responses['200']).toBeDefined();
    const rect = (await cases().get('/docs-json').expect(200)).body;
    expect(rect.paths['/api/v1/cases/{id}/publication'].put.requestBody.content['application/json'].schema.$ref).toContain(
      'SetPublicationDto',
    );
  });
});
