// npm run test:visual — the public 公开 pages as a citizen sees them: served by statistics (after a quarter was
// published and two cases were marked publishable in rectification), rendered by headless Chromium on a desktop and
// a phone. Screenshots go to docs/public/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { type RatingLevel, Topics } from '#libs/contracts';
import { formatPercent } from '../../apps/statistics/src/reports/render/format.js';
import { applyTestEnv, bearer, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { type CaseBody, openCase, publish, reviewEvent } from '../e2e/rectification-fixtures.js';
import { seriousAxeFindings } from '../support/axe.js';
import { launchChromium } from '../support/chromium.js';

const SHOTS = join(process.cwd(), 'docs', 'public');
const [DESKTOP, TABLET, PHONE] = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
  { width: 390, height: 844 },
];
const UNITS = [
  ['GOV-01', '区市场监督管理局'],
  ['GOV-02', '区人力资源和社会保障局'],
  ['GOV-03', '区医疗保障局'],
  ['GOV-04', '区不动产登记中心'],
  ['GOV-05', '区税务局第一税务所'],
  ['GOV-06', '区公安分局出入境管理办公室'],
  ['GOV-07', '区住房保障和房屋管理局'],
  ['GOV-08', '区民政局'],
] as const;

describe('visual: the public 公开 pages in headless Chromium', () => {
  let db: TestDatabase;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let sql: Client;
  let context: BrowserContext;
  let page: Page;
  let closeBrowser: (() => Promise<void>) | undefined;
  let baseUrl: string;
  let twin: {
    units: Array<{
      rank: number;
      unitName: string;
      total: number;
      bad: number;
      goodRate: number | null;
      timelyResponseRate: number | null;
    }>;
    examples: Array<{ matter: string; measures: string }>;
    district: { total: number; goodRate: number | null };
  };
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const supervisor = bearer('supervisor', undefined, { sub: 'supervisor-1' });

  async function closeAndPublish(c: CaseBody, unitCode: string, publication: { matter: string; measures: string }) {
    const operator = bearer('unit_operator', unitCode);
    const act = (action: string, body: object) =>
      request(rectification.getHttpServer()).post(`/api/v1/cases/${c.id}/${action}`).set('Authorization', operator).send(body).expect(200);
    await act('accept', {});
    await act('respond', {
      contactedAt: new Date(Date.parse(String(c.openedAt)) + 3600_000).toISOString(),
      method: 'PHONE',
      note: '已联系评价人',
    });
    await act('rectify', { outcome: 'RECTIFIED', measures: publication.measures, problemCategory: 'EFFICIENCY_WAITING' });
    await act('feedback', { reviewerSatisfied: true, note: '满意' });
    await request(rectification.getHttpServer())
      .put(`/api/v1/cases/${c.id}/publication`)
      .set('Authorization', operator)
      .send({ publishable: true, ...publication })
      .expect(200);
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase('visual_public');
    applyTestEnv(db.url);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // A quarter of ratings over eight units (deterministic), in 2026 Q3 (ended, so it can be published).
    let count = 0;
    for (const [i, [unitCode, unitName]] of UNITS.entries()) {
      for (let n = 0; n < 12; n++) {
        const level = ((n * 7 + i * 3) % 11 < 9 - (i % 4) ? 5 - (n % 3) : 1 + (n % 2)) as RatingLevel;
        const day = String(1 + ((n * 5 + i) % 28)).padStart(2, '0');
        const at = `2026-0${7 + (n % 3)}-${day}T10:00:00+08:00`;
        await publish(
          rectification,
          Topics.ReviewsSubmitted,
          unitCode,
          reviewEvent({ unitCode, unitName, level, ratedAt: at, receivedAt: at }),
        );
        count++;
      }
    }
    const first = await openCase(
      rectification,
      supervisor,
      reviewEvent({
        unitCode: 'GOV-01',
        unitName: '区市场监督管理局',
        ratedAt: '2026-08-12T10:00:00+08:00',
        receivedAt: '2026-08-12T10:00:00+08:00',
      }),
    );
    const second = await openCase(
      rectification,
      supervisor,
      reviewEvent({
        unitCode: 'GOV-04',
        unitName: '区不动产登记中心',
        level: 1,
        tags: ['PROCESS', 'REPEATED_VISITS'],
        serviceItemName: '不动产转移登记',
        ratedAt: '2026-09-03T10:00:00+08:00',
        receivedAt: '2026-09-03T10:00:00+08:00',
      }),
    );
    count += 2;
    await eventually(
      async () =>
        Number(
          (await sql.query(`SELECT count(*)::int AS n FROM statistics.processed_events WHERE consumer = 'statistics.rollups'`)).rows[0].n,
        ),
      (n) => n >= count,
      60_000,
    );
    // Most units call their bad reviewers back within the working day (contactedAt two hours after the case opened).
    const open = (
      await request(rectification.getHttpServer()).get('/api/v1/cases?pageSize=200').set('Authorization', supervisor).expect(200)
    ).body.items as Array<CaseBody & { unitCode: string; openedAt: string }>;
    let onTime = 2;
    for (const [i, c] of open.entries()) {
      if (c.id === first.id || c.id === second.id || i % 4 === 3) continue;
      onTime++;
      const operator = bearer('unit_operator', c.unitCode);
      const act = (action: string, body: object) =>
        request(rectification.getHttpServer())
          .post(`/api/v1/cases/${c.id}/${action}`)
          .set('Authorization', operator)
          .send(body)
          .expect(200);
      await act('accept', {});
      await act('respond', { contactedAt: new Date(Date.parse(c.openedAt) + 2 * 3600_000).toISOString(), method: 'PHONE', note: '已回访' });
    }
    await closeAndPublish(first, 'GOV-01', {
      matter: '食品经营许可办理等候时间较长',
      measures: '增设潮汐窗口，高峰时段加派人员，平均等候时间由40分钟降至15分钟。',
    });
    await closeAndPublish(second, 'GOV-04', {
      matter: '不动产转移登记材料要求不清，群众多次往返',
      measures: '编制一次性告知清单并在窗口和网站公示，推行“一窗受理、集成服务”，材料一次讲清。',
    });
    await eventually(
      async () => Number((await sql.query(`SELECT count(*)::int AS n FROM statistics.public_case_examples WHERE publishable`)).rows[0].n),
      (n) => n === 2,
    );
    // Every response has reached the rollups before the quarter is frozen.
    await eventually(
      async () =>
        (
          await request(statistics.getHttpServer())
            .get('/api/v1/reports/quarterly?year=2026&quarter=3')
            .set('Authorization', supervisor)
            .expect(200)
        ).body.badReviews.respondedOnTime as number,
      (n) => n === onTime,
      30_000,
    );
    await request(statistics.getHttpServer())
      .post('/api/v1/reports/quarterly/publish?year=2026&quarter=3')
      .set('Authorization', supervisor)
      .expect(201);
    twin = (await request(statistics.getHttpServer()).get('/api/v1/public/quarters/2026/3').expect(200)).body;
    baseUrl = (await statistics.getUrl()).replace('[::1]', '127.0.0.1');

    ({ context, close: closeBrowser } = await launchChromium('public', {
      viewport: { width: 1280, height: 900 },
      bypassCSP: true, // for axe's script; the public pages' CSP is checked by test/browser/page-csp.browser-spec.ts
    }));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) consoleErrors.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith(baseUrl) && !r.url().startsWith('data:')) foreignRequests.push(r.url());
    });
  });

  afterAll(async () => {
    await closeBrowser?.();
    await sql?.end();
    await Promise.all([rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it('lists the published quarter on the index page', async () => {
    expect((await page.goto(`${baseUrl}/public`, { waitUntil: 'load' }))?.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: '政务服务“好差评”结果公开' }).waitFor();
    await page.getByRole('link', { name: '2026年第三季度政务服务“好差评”情况' }).click();
    await page.waitForURL(`${baseUrl}/public/2026/3`);
    await page.screenshot({ path: join(SHOTS, 'quarter-desktop.png'), fullPage: true });
  });

  it('shows each unit with its 好评率, 差评 count, 差评及时答复率 and rank, as in the JSON twin, with an alt-texted chart', async () => {
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('zh-CN');
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('h1').innerText()).toBe('2026年第三季度政务服务“好差评”情况公开');
    expect(await page.locator('h2').allInnerTexts()).toEqual(['全区总体情况', '各单位评价结果', '以评促改典型案例']);
    expect(twin.units).toHaveLength(UNITS.length);
    expect(twin.district.total).toBe(UNITS.length * 12 + 2);
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBe(UNITS.length);
    for (const [index, unit] of twin.units.entries()) {
      expect(await rows.nth(index).locator('td').allInnerTexts()).toEqual([
        String(unit.rank),
        unit.unitName,
        String(unit.total),
        formatPercent(unit.goodRate),
        String(unit.bad),
        formatPercent(unit.timelyResponseRate),
      ]);
    }
    await page
      .locator('.cards')
      .filter({ hasText: formatPercent(twin.district.goodRate) })
      .waitFor();
    const chart = page.locator('figure [role="img"]');
    expect(await chart.getAttribute('aria-label')).toContain(`共 ${UNITS.length} 个单位`);
    const box = await chart.locator('svg').boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(200);
    expect(await chart.locator('svg path, svg rect').count()).toBeGreaterThan(UNITS.length);
    const examples = page.locator('.examples li');
    expect(await examples.count()).toBe(2);
    for (const example of twin.examples) await examples.filter({ hasText: example.measures }).waitFor();
  });

  it('is readable: text contrast of at least 4.5:1, and a phone-width layout without sideways scrolling of the page', async () => {
    const ratios = await page.evaluate<Array<{ what: string; ratio: number }>>(`(() => {
      const lum = (rgb) => {
        const [r, g, b] = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const background = (el) => {
        for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (!/rgba\\(0, 0, 0, 0\\)|transparent/.test(c)) return c; }
        return 'rgb(255, 255, 255)';
      };
      return ['h1', 'h2', '.meta', '.cards dt', '.cards dd', 'th', 'td', 'caption', 'figcaption', '.examples dt', '.examples dd', 'footer p', 'header.site a']
        .map((selector) => {
          const el = document.querySelector(selector);
          const a = lum(getComputedStyle(el).color), b = lum(background(el));
          return { what: selector, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
        });
    })()`);
    for (const { what, ratio } of ratios) expect({ what, ok: ratio >= 4.5 }).toEqual({ what, ok: true });
    // WCAG 2.1 AA by axe at desktop, tablet and phone sizes: nothing serious or critical.
    for (const size of [DESKTOP, TABLET, PHONE]) {
      await page.setViewportSize(size);
      expect({ size, axe: await seriousAxeFindings(page) }).toEqual({ size, axe: [] });
    }

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'quarter-mobile.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('loads nothing from elsewhere, logs no errors, and shows a clear page for an unpublished quarter', async () => {
    const response = await page.goto(`${baseUrl}/public/2026/2`, { waitUntil: 'load' });
    expect(response?.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: '未找到已公开的季度' }).waitFor();
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.goto(`${baseUrl}/public`, { waitUntil: 'load' });
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'index.png'), fullPage: true });
    expect(foreignRequests).toEqual([]);
    // The one error expected: the browser's note of the unpublished quarter's 404 answer, nothing else.
    expect(consoleErrors.filter((e) => !(e.includes('status of 404') && e.endsWith(`${baseUrl}/public/2026/2`)))).toEqual([]);
  });
});
