import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { bulletinLinkKey, issueToken } from '../../apps/statistics/src/bulletin-links/bulletin-link-token.js';
import { BULLETIN_CSP } from '../../apps/statistics/src/reports/reports.controller.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { Events, type ReviewSubmittedData, Topics } from '#libs/contracts';
import {
  applyTestEnv,
  bearer,
  consoleAccounts,
  createTestDatabase,
  eventually,
  reviewSubmittedData,
  startTestService,
  TEST_JWT_SECRET,
  type TestDatabase,
} from '#libs/testing';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * Issue #23: the bulletin as a shareable address. A supervisor makes a link; it opens that one bulletin without a bearer
 * token — on statistics and through the console's proxy, on the console's origin — for 7 days; an expired, altered or
 * other-quarter link is refused with problem+json. A published quarter's bulletin names its publisher, never by id.
 */
describe('bulletin links: the 通报 at an address that can be shared, reloaded and printed', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let statistics: INestApplication;
  let sql: Client;
  let supervisor: string;
  let supervisorId: string;
  const eventIds = new Set<string>();
  const stats = () => request(statistics.getHttpServer());
  const console_ = () => request(intake.getHttpServer());
  const PROXY = '/console/svc/statistics';

  async function submit(data: ReviewSubmittedData): Promise<void> {
    const event = Events.reviewSubmitted(data, { source: 'test' });
    await sql.query(`INSERT INTO event_bus.events (topic, message_key, event_id, value) VALUES ($1, $2, $3, $4)`, [
      Topics.ReviewsSubmitted,
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
  const rating = (level: 1 | 5, ratedAt: string) => reviewSubmittedData({ unitCode: 'BL-01', unitName: '示范单位', level, ratedAt });
  const makeLink = async (query: string, auth = supervisor) =>
    (await stats().post(`/api/v1/reports/quarterly/bulletin-links?${query}`).set('Authorization', auth).expect(201)).body as {
      url: string;
      expiresAt: string;
    };
  const tokenOf = (url: string) => new URL(url, 'http://x').searchParams.get('link')!;
  const problem = (res: request.Response, status: number, code: string) => {
    expect({ status: res.status, type: res.headers['content-type'], code: res.body.code }).toEqual({
      status,
      type: expect.stringMatching(/^application\/problem\+json/) as string,
      code,
    });
    expect(res.text).not.toContain('<html');
  };

  beforeAll(async () => {
    db = await createTestDatabase('bulletin_links');
    applyTestEnv(db.url);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    process.env.STATISTICS_URL = `http://127.0.0.1:${(statistics.getHttpServer().address() as AddressInfo).port}`;
    intake = await startTestService(IntakeModule, INTAKE_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // A supervisor with a console account, signed in as people are: the access token carries the display name.
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO intake.users (username, display_name, role, password_hash) VALUES ('wang.admin', '王管理', 'admin', 'unused') RETURNING id`,
    );
    const created = await consoleAccounts(intake).createUser(bearer('admin', undefined, { sub: rows[0]!.id }), {
      username: 'zhao.sup',
      displayName: '赵督查',
      role: 'supervisor',
    });
    supervisorId = created.id;
    supervisor = `Bearer ${created.tokens.accessToken}`;
    await submit(rating(5, '2024-11-02T09:00:00+08:00'));
    await submit(rating(1, '2024-12-20T09:00:00+08:00'));
  });

  afterAll(async () => {
    delete process.env.STATISTICS_URL;
    await sql?.end();
    await intake?.close();
    await statistics?.close();
    await db?.drop();
  });

  it('gives a supervisor a 7-day address that carries no name, phone or account; others may not make one', async () => {
    const before = Date.now();
    const link = await makeLink('year=2024&quarter=4');
    expect(link.url).toMatch(/^\/api\/v1\/reports\/quarterly\/bulletin\?year=2024&quarter=4&link=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const expiresIn = Date.parse(link.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * 86_400_000 + 1_000);
    const payload = Buffer.from(tokenOf(link.url).split('.')[0]!, 'base64url').toString('utf8');
    expect(JSON.parse(payload)).toEqual({ v: 1, id: expect.any(String), y: 2024, q: 4, l: false, exp: Date.parse(link.expiresAt) / 1000 });
    expect(payload).not.toContain(supervisorId);
    expect(payload).not.toContain('赵督查');

    for (const auth of [bearer('unit_operator', 'BL-01'), bearer('admin')]) {
      problem(
        await stats().post('/api/v1/reports/quarterly/bulletin-links?year=2024&quarter=4').set('Authorization', auth),
        403,
        'FORBIDDEN',
      );
    }
    problem(await stats().post('/api/v1/reports/quarterly/bulletin-links?year=2024&quarter=4'), 401, 'UNAUTHENTICATED');
    const bad = await stats().post('/api/v1/reports/quarterly/bulletin-links?year=2024&quarter=5&link=x').set('Authorization', supervisor);
    problem(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['link', 'quarter']);
  });

  it('opens the bulletin without a bearer, on statistics and through the console proxy, with the page’s own CSP', async () => {
    const link = await makeLink('year=2024&quarter=4');
    for (const [via, http] of [
      ['statistics', () => stats().get(link.url)],
      ['console proxy', () => console_().get(`${PROXY}${link.url}`)],
    ] as const) {
      const page = await http().expect(200);
      expect({ via, type: page.headers['content-type'] }).toEqual({ via, type: 'text/html; charset=utf-8' });
      expect(page.headers['content-security-policy']).toBe(BULLETIN_CSP);
      expect(page.headers['content-security-policy']).not.toMatch(/script-src/);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['x-robots-tag']).toBe('noindex, nofollow');
      expect(page.text).toContain('<h1>2024年第四季度政务服务“好差评”情况通报</h1>');
      expect(page.text).toContain('本季度共收到评价 2 件，好评率 50%');
      expect(page.text).not.toContain('已发布');
      expect(page.text).not.toContain('<script');
      // Reloading is just asking again (the live figures are rendered anew: same figures, a new 生成时间).
      expect((await http().expect(200)).text).toContain('本季度共收到评价 2 件，好评率 50%');
    }
    // Without a link the page still wants a bearer.
    problem(await console_().get(`${PROXY}/api/v1/reports/quarterly/bulletin?year=2024&quarter=4`), 401, 'UNAUTHENTICATED');
  });

  it('refuses expired, altered and other-quarter links with problem+json, directly and through the proxy', async () => {
    const key = bulletinLinkKey(TEST_JWT_SECRET); // no BULLETIN_LINK_SECRET in the tests: the key derives from JWT_SECRET
    const expired = issueToken(key, { id: 'expired-link', year: 2024, quarter: 4, live: false, exp: Math.floor(Date.now() / 1000) - 1 });
    const q4 = await makeLink('year=2024&quarter=4');
    const q3 = await makeLink('year=2024&quarter=3');
    const [payload, signature] = tokenOf(q4.url).split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const retargeted = Buffer.from(JSON.stringify({ ...decoded, q: 3 })).toString('base64url');
    const prolonged = Buffer.from(JSON.stringify({ ...decoded, exp: Number(decoded.exp) + 86_400 })).toString('base64url');
    const foreign = issueToken(bulletinLinkKey('another-deployment-secret-0123456789abcdef'), {
      id: 'foreign-link',
      year: 2024,
      quarter: 4,
      live: false,
      exp: Number(decoded.exp),
    });
    const bulletin = (query: string) => `/api/v1/reports/quarterly/bulletin?${query}`;
    const cases: Array<[string, number, string]> = [
      [bulletin(`year=2024&quarter=4&link=${expired}`), 401, 'BULLETIN_LINK_EXPIRED'],
      [bulletin(`year=2024&quarter=3&link=${retargeted}.${signature}`), 401, 'BULLETIN_LINK_INVALID'],
      [bulletin(`year=2024&quarter=4&link=${prolonged}.${signature}`), 401, 'BULLETIN_LINK_INVALID'],
      [bulletin(`year=2024&quarter=4&link=${payload}.${signature.slice(1)}`), 401, 'BULLETIN_LINK_INVALID'],
      [bulletin(`year=2024&quarter=4&link=${foreign}`), 401, 'BULLETIN_LINK_INVALID'],
      [bulletin(`year=2024&quarter=4&link=${tokenOf(q3.url)}`), 403, 'BULLETIN_LINK_MISMATCH'],
      [bulletin(`year=2024&quarter=3&link=${tokenOf(q4.url)}`), 403, 'BULLETIN_LINK_MISMATCH'],
      [bulletin(`year=2023&quarter=4&link=${tokenOf(q4.url)}`), 403, 'BULLETIN_LINK_MISMATCH'],
      [bulletin(`year=2024&quarter=4&live=true&link=${tokenOf(q4.url)}`), 403, 'BULLETIN_LINK_MISMATCH'],
      [bulletin(`year=2024&quarter=4&unitCode=BL-01&link=${tokenOf(q4.url)}`), 403, 'BULLETIN_LINK_MISMATCH'],
    ];
    for (const [url, status, code] of cases) {
      for (const res of [await stats().get(url), await console_().get(`${PROXY}${url}`)]) {
        expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status, code });
        problem(res, status, code);
      }
    }
    // A bearer alongside a bad link does not rescue it: the link is what is judged.
    problem(
      await stats()
        .get(bulletin(`year=2024&quarter=4&link=${expired}`))
        .set('Authorization', supervisor),
      401,
      'BULLETIN_LINK_EXPIRED',
    );
  });

  it('serves the frozen bulletin once the quarter is published, naming the publisher by name, never by id', async () => {
    const link = await makeLink('year=2024&quarter=4');
    const published = await stats()
      .post('/api/v1/reports/quarterly/publish?year=2024&quarter=4')
      .set('Authorization', supervisor)
      .expect(201);
    expect(published.body.published).toEqual({ at: expect.any(String), by: supervisorId, byName: '赵督查' });
    const list = await stats().get('/api/v1/reports/quarterly/published').set('Authorization', supervisor).expect(200);
    expect(list.body.items).toEqual([
      { year: 2024, quarter: 4, publishedAt: published.body.published.at, publishedBy: supervisorId, publishedByName: '赵督查' },
    ]);
    // A late rating moves the live figures; the link made before publication now opens the frozen ones.
    await submit(rating(5, '2024-12-30T09:00:00+08:00'));
    const page = (await console_().get(`${PROXY}${link.url}`).expect(200)).text;
    expect(page).toContain('本季度共收到评价 2 件');
    expect(page).toContain('发布人 赵督查。本通报数据为发布时的固定数据。');
    expect(page).toContain('发布后新增或变动的数据（评价 +1 件、差评 0 件）不改变本通报。');
    expect(page).not.toMatch(UUID);
    // A live link of the same quarter shows the live figures.
    const live = await makeLink('year=2024&quarter=4&live=true');
    expect(live.url).toContain('&live=true&link=');
    const livePage = (await stats().get(live.url).expect(200)).text;
    expect(livePage).toContain('本季度共收到评价 3 件');
    expect(livePage).not.toContain('已发布');
    // The signed-in page says the same.
    const signedIn = (
      await stats().get('/api/v1/reports/quarterly/bulletin?year=2024&quarter=4').set('Authorization', supervisor).expect(200)
    ).text;
    expect(signedIn).toContain('发布人 赵督查。');
  });

  it('shows 「—」 for a publisher whose token carried no name, not the account id', async () => {
    const anonymousId = '5b8e3c1a-7d2f-4e6b-9a0c-1f3d5e7a9b2c';
    const published = await stats()
      .post('/api/v1/reports/quarterly/publish?year=2024&quarter=3')
      .set('Authorization', bearer('supervisor', undefined, { sub: anonymousId }))
      .expect(201);
    expect(published.body.published).toEqual({ at: expect.any(String), by: anonymousId, byName: null });
    const link = await makeLink('year=2024&quarter=3');
    const page = (await stats().get(link.url).expect(200)).text;
    expect(page).toContain('发布人 —。');
    expect(page).not.toContain(anonymousId);
  });

  it('records each link made in the audit log, under the supervisor’s name, without the token', async () => {
    const made = 7; // the links the tests above made; refused attempts make none
    const admin = bearer('admin', undefined, {
      sub: (await sql.query(`SELECT id FROM intake.users WHERE username = 'wang.admin'`)).rows[0].id,
    });
    const entries = await eventually(
      async () =>
        (await console_().get('/api/v1/audit?action=BULLETIN_LINK_CREATED&pageSize=50').set('Authorization', admin).expect(200)).body
          .items as Array<Record<string, unknown>>,
      (items) => items.length === made,
    );
    const last = entries[0]!;
    expect(last).toMatchObject({
      action: 'BULLETIN_LINK_CREATED',
      service: 'statistics',
      actorDisplayName: '赵督查',
      actorRole: 'supervisor',
      summary: expect.stringMatching(
        /^生成 2024 年第 3 季度全区通报的分享链接（有效至 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}，北京时间）$/,
      ) as string,
    });
    expect(last.detail).toEqual({ linkId: expect.any(String), year: 2024, quarter: 3, live: false, expiresAt: expect.any(String) });
    expect(JSON.stringify(entries)).not.toMatch(/link=|\.[A-Za-z0-9_-]{43}/);
  });
});
