// npm run test:visual — the quarterly 通报 as a person sees it: rendered by headless Chromium (/usr/bin/chromium,
// Debian packages `chromium` and `fonts-noto-cjk`), printed to A4, and photographed to docs/bulletin.png.
// Not part of `npm test`: a fresh machine has no Chromium.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { INTAKE_SCHEMA } from '../../apps/intake/src/data-source.js';
import { RECTIFICATION_SCHEMA } from '../../apps/rectification/src/data-source.js';
import type { QuarterlyReport } from '../../apps/statistics/src/reports/domain/report.js';
import { formatPercent } from '../../apps/statistics/src/reports/render/format.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { seedReviewDataset } from '../../scripts/bench/statistics-dataset.js';
import { migrateServiceSchema, type ServiceSchema, serviceDataSourceOptions } from '#libs/database';
import { applyTestEnv, bearer, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';
import { launchChromium } from '../support/chromium.js';

const MAX_A4_PAGES = 6;
const SCREENSHOT = join(process.cwd(), 'docs', 'bulletin.png');

describe('visual: the quarterly bulletin in headless Chromium', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let context: BrowserContext;
  let page: Page;
  let closeBrowser: (() => Promise<void>) | undefined;
  let report: QuarterlyReport;
  let baseUrl: string;
  const consoleErrors: string[] = [];
  // The last complete Shanghai quarter, with the two quarters before it as history.
  const quarterStart = DateTime.now().setZone('Asia/Shanghai').startOf('quarter').minus({ quarters: 1 });
  const year = quarterStart.year;
  const quarter = quarterStart.quarter;

  async function migrate(schema: ServiceSchema) {
    const ds = new DataSource(serviceDataSourceOptions(schema, db.url, 2));
    await ds.initialize();
    try {
      await migrateServiceSchema(ds, schema.schema);
    } finally {
      await ds.destroy();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('visual');
    applyTestEnv(db.url);
    await migrate(INTAKE_SCHEMA);
    await migrate(RECTIFICATION_SCHEMA);
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    try {
      // ~100,000 reviews a quarter over 32 units: the benchmark's dataset, smaller.
      const from = quarterStart.minus({ quarters: 2 }).toISODate()!;
      await seedReviewDataset(sql, { total: 300_000, batch: 300_000, from, log: () => undefined });
    } finally {
      await sql.end();
    }
    app = await startTestService(StatisticsModule, STATISTICS_APP);
    baseUrl = await app.getUrl();
    await request(app.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', bearer('admin')).expect(200);
    report = (
      await request(app.getHttpServer())
        .get(`/api/v1/reports/quarterly?year=${year}&quarter=${quarter}`)
        .set('Authorization', bearer('supervisor'))
        .expect(200)
    ).body as QuarterlyReport;

    ({ context, close: closeBrowser } = await launchChromium('bulletin', {
      viewport: { width: 900, height: 1200 },
      extraHTTPHeaders: { Authorization: bearer('supervisor') },
    }));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      // The browser's own favicon probe is not the page's request (the service has no /favicon.ico).
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) consoleErrors.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    const response = await page.goto(`${baseUrl}/api/v1/reports/quarterly/bulletin?year=${year}&quarter=${quarter}`, {
      waitUntil: 'load',
    });
    expect(response?.status()).toBe(200);
    await page.evaluate('document.fonts.ready.then(() => undefined)'); // (strings: this project's tsconfig has no DOM lib)
  });

  afterAll(async () => {
    await closeBrowser?.();
    await app?.close();
    await db?.drop();
  });

  it('shows the title, the period and the headline numbers of the report', async () => {
    expect(report.reviews.total).toBeGreaterThan(50_000);
    const quarterName = ['一', '二', '三', '四'][quarter - 1];
    const title = `${year}年第${quarterName}季度政务服务“好差评”情况通报`;
    expect(await page.title()).toBe(title);
    await expectVisible(page.locator('h1'), title);
    await expectVisible(page.locator('p.period'), `${year}年${quarterStart.month}月1日至`);
    const headline = page.locator('p.headline');
    await expectVisible(headline, `本季度共收到评价 ${report.reviews.total} 件，好评率 ${formatPercent(report.reviews.goodRate)}`);
    await expectVisible(headline, `差评及时答复率 ${formatPercent(report.badReviews.timelyResponseRate)}`);
    await expectVisible(headline, `差评整改率 ${formatPercent(report.badReviews.rectificationRate)}`);
    await expectVisible(headline, `其中好评 ${report.reviews.good} 件、差评 ${report.reviews.bad} 件`);
  });

  it('shows the ranking table: every unit in rank order with its good rate', async () => {
    const rows = page.locator('table:not(.narrow)').first().locator('tbody tr');
    expect(await rows.count()).toBe(32);
    expect(report.units).toHaveLength(32);
    for (const index of [0, 1, 15, 31]) {
      const unit = report.units[index]!;
      const cells = await rows.nth(index).locator('td').allInnerTexts();
      expect(cells).toEqual([
        String(unit.rank),
        unit.unitName,
        String(unit.total),
        String(unit.good),
        String(unit.bad),
        formatPercent(unit.goodRate),
        formatPercent(unit.timelyResponseRate),
      ]);
      expect(await rows.nth(index).isVisible()).toBe(true);
    }
    const tags = await page.locator('table.narrow').first().locator('tbody tr').allInnerTexts();
    expect(tags.length).toBeGreaterThanOrEqual(3);
  });

  it('renders at least three SVG charts of non-zero size, with drawn content', async () => {
    const charts = page.locator('figure.chart svg');
    expect(await charts.count()).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < (await charts.count()); i++) {
      const box = await charts.nth(i).boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(100);
      expect(await charts.nth(i).locator('path, rect').count()).toBeGreaterThan(3);
    }
    // Chinese text is laid out with a CJK font: its glyphs are full-width (advance = font size), unlike the boxes drawn without one.
    const widths = await page.evaluate<number[]>(`(() => {
      const canvas = document.createElement('canvas').getContext('2d');
      canvas.font = '16px "Noto Sans CJK SC", sans-serif';
      return ['好', '差', '评'].map((c) => canvas.measureText(c).width);
    })()`);
    for (const width of widths) expect(width).toBeCloseTo(16, 1);
  });

  it('logs no console errors, prints to at most a few A4 pages, and is photographed to docs/bulletin.png', async () => {
    expect(consoleErrors).toEqual([]);
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(MAX_A4_PAGES);
    const png = await page.screenshot({ fullPage: true, type: 'png' });
    expect(png.length).toBeGreaterThan(50_000);
    writeFileSync(SCREENSHOT, png);
  });
});

async function expectVisible(locator: ReturnType<Page['locator']>, text: string) {
  expect(await locator.isVisible()).toBe(true);
  expect(await locator.innerText()).toContain(text);
}
