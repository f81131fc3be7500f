// npm run test:browser — the built console and PAD in headless Chromium under the CSP intake sends with them
// (no inline script, never framed): they load, render and work, and the browser reports no CSP violation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { AccountsService } from '../../apps/intake/src/accounts/accounts.service.js';
import { consoleDir } from '../../apps/intake/src/console/console.module.js';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { padAssetsDir } from '../../apps/intake/src/pad/pad-assets.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { APP_PAGE_CSP } from '#libs/platform';
import { applyTestEnv, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const UI_TIMEOUT = 30_000;

describe('browser: the console and the PAD work under their Content-Security-Policy', () => {
  let db: TestDatabase;
  let apps: INestApplication[] = [];
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let base: string;
  let firstPassword: string;
  const violations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // npm run build first: the real pages, not fixtures.
    expect(readFileSync(join(consoleDir(), 'index.html'), 'utf8')).toContain('<div id="root">');
    expect(padAssetsDir()).not.toBeNull();
    db = await createTestDatabase('page_csp');
    applyTestEnv(db.url);
    const rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    const statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    process.env.RECTIFICATION_URL = await rectification.getUrl();
    process.env.STATISTICS_URL = await statistics.getUrl();
    const intake = await startTestService(IntakeModule, INTAKE_APP);
    apps = [intake, rectification, statistics];
    base = (await intake.getUrl()).replace('[::1]', '127.0.0.1');
    firstPassword = (await intake.get(AccountsService).ensureFirstAdmin())!.password;
    profile = mkdtempSync(join(tmpdir(), 'csp-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    // Injected by the browser's debugging protocol, so the page's own CSP does not stop it from listening.
    await context.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('console', (m) => {
      if (/Content Security Policy|CSP violation/i.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await Promise.all(apps.map((app) => app.close()));
    await db?.drop();
    delete process.env.RECTIFICATION_URL;
    delete process.env.STATISTICS_URL;
  });

  it('the console signs the first admin in and shows its screens, with no CSP violation', async () => {
    const res = await page.goto(`${base}/console/`);
    expect(res?.headers()['content-security-policy']).toBe(APP_PAGE_CSP);
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码', { exact: true }).fill(firstPassword);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByLabel('新密码', { exact: true }).fill('Csp-Check-2024');
    await page.getByLabel('确认新密码').fill('Csp-Check-2024');
    await page.getByRole('button', { name: '修改密码并登录' }).click();
    await page.getByRole('button', { name: '退出' }).waitFor();
    // antd's run-time styles applied (a blocked <style> would leave the buttons unstyled).
    const cursor = await page.evaluate<string>(
      `getComputedStyle([...document.querySelectorAll('button')].find((b) => b.textContent.includes('退出'))).cursor`,
    );
    expect(cursor).toBe('pointer');
    await page.waitForLoadState('networkidle');
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('the PAD shows its pairing screen and registers its service worker, with no CSP violation', async () => {
    const res = await page.goto(`${base}/pad/`);
    expect(res?.headers()['content-security-policy']).toBe(APP_PAGE_CSP);
    await page.getByText('评价器配对').first().waitFor();
    const workers = await page.evaluate<string>(`navigator.serviceWorker.ready.then((r) => r.active?.scriptURL ?? '')`);
    expect(workers).toBe(`${base}/pad/sw.js`);
    await page.waitForLoadState('networkidle');
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
