// npm run test:browser — issue #23 point 2: every console page, the PAD and the public pages speak plain Chinese and
// read well on a phone (390×844), a tablet (1024×768) and a desktop (1440×900): axe (WCAG 2.1 A/AA) finds nothing
// serious or critical, no code, English word, UUID or "null" is visible, nothing sticks out sideways. Screenshots of
// every page at every size go to docs/screenshots/. Needs /usr/bin/chromium and fonts-noto-cjk, and `npm run build`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { AxeBuilder } from '@axe-core/playwright';
import { Client } from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import request from 'supertest';
import { AccountsService } from '../../apps/intake/src/accounts/accounts.service.js';
import { CONSOLE_DIR } from '../../apps/intake/src/console/console.module.js';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { CalendarService } from '../../apps/rectification/src/calendar/calendar.service.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  applyTestEnv,
  bearer,
  clientHeaders,
  createTestDatabase,
  deviceHeaders,
  eventually,
  startTestService,
  type Credential,
  type TestDatabase,
} from '#libs/testing';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'docs', 'screenshots');
const UI_TIMEOUT = 30_000;
const SIZES = { phone: { width: 390, height: 844 }, tablet: { width: 1024, height: 768 }, desktop: { width: 1440, height: 900 } } as const;
type Size = keyof typeof SIZES;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const CASE_NUMBER = /^\d{4}-\d{4}-\d{4}$/;

/** What a page may show in Latin letters: the file formats it offers. Anything else is a code or English. */
const ALLOWED_LATIN = new Set(['CSV', 'Excel']);

/** axe findings per page and size: what the report lists, and what the test asserts is zero. */
const findings: Record<string, { serious: number; critical: number }> = {};

describe('browser: plain Chinese at every size, axe on every page (issue #23)', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let pg: Client;
  let browser: Browser;
  let page: Page;
  let base: string;
  let publicBase: string;
  let device: Credential;
  let hotline: Credential;
  const year = Number(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4));
  const admin = bearer('admin');
  const passwords = { admin: 'Gov-Console-2024', operator: 'Window-Staff-2024', supervisor: 'Desk-Review-2024' };
  const pageErrors: string[] = [];

  const http = (app: INestApplication) => request(app.getHttpServer());

  async function visible(text: string | RegExp) {
    await page.getByText(text).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }

  /** The page as it settles: network quiet, no spinner, no toast. */
  async function settled() {
    await page.waitForLoadState('networkidle');
    await page.locator('.ant-spin-spinning, .ant-skeleton-active').first().waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  }

  /**
   * At each size: the page fits the width, shows no code, English, UUID or null, and axe finds nothing serious or
   * critical; a screenshot of it goes to docs/screenshots/<area>/<name>-<size>.png.
   */
  async function checkEverySize(area: string, name: string, ready: () => Promise<void>, allowLatin: string[] = []) {
    for (const size of Object.keys(SIZES) as Size[]) {
      await page.setViewportSize(SIZES[size]);
      await ready();
      await settled();
      const text = await page.locator('body').innerText();
      expect({ page: `${name}-${size}`, uuid: UUID.exec(text)?.[0] ?? null }).toEqual({ page: `${name}-${size}`, uuid: null });
      const latin = [...new Set(text.match(/[A-Za-z][A-Za-z_]{2,}/g) ?? [])].filter(
        (w) => !ALLOWED_LATIN.has(w) && !allowLatin.includes(w),
      );
      expect({ page: `${name}-${size}`, latin }).toEqual({ page: `${name}-${size}`, latin: [] });
      // Nothing off screen sideways: the document is no wider than the window (tables scroll inside their card).
      const widths = await page.evaluate(() => {
        const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
        return { doc: g.document.documentElement.scrollWidth, win: g.innerWidth };
      });
      expect({ page: `${name}-${size}`, overflow: widths.doc - widths.win > 1 }).toEqual({ page: `${name}-${size}`, overflow: false });
      const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      findings[`${area}/${name}-${size}`] = {
        serious: axe.violations.filter((v) => v.impact === 'serious').reduce((n, v) => n + v.nodes.length, 0),
        critical: axe.violations.filter((v) => v.impact === 'critical').reduce((n, v) => n + v.nodes.length, 0),
      };
      expect({
        page: `${name}-${size}`,
        violations: bad.map(
          (v) =>
            `${v.id}: ${v.nodes
              .map((n) => `${n.target.join(' ')} ${n.any.map((c) => JSON.stringify(c.data ?? '')).join(',')}`)
              .slice(0, 3)
              .join(' | ')}`,
        ),
      }).toEqual({ page: `${name}-${size}`, violations: [] });
      mkdirSync(join(SHOTS, area), { recursive: true });
      await page.screenshot({ path: join(SHOTS, area, `${name}-${size}.png`), animations: 'disabled' });
    }
    await page.setViewportSize(SIZES.desktop);
  }

  async function signIn(username: string, password: string, newPassword?: string) {
    await page.setViewportSize(SIZES.desktop);
    await page.goto(`${base}/console/`);
    // Whoever a failed test left signed in signs out first.
    await page
      .getByRole('button', { name: /^(登录|退出)$/ })
      .first()
      .waitFor();
    if (await page.getByRole('button', { name: '退出' }).isVisible()) await signOut();
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码', { exact: true }).fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    if (newPassword) {
      await page.getByLabel('新密码', { exact: true }).fill(newPassword);
      await page.getByLabel('确认新密码').fill(newPassword);
      await page.getByRole('button', { name: '修改密码并登录' }).click();
    }
    await page.getByRole('button', { name: '退出' }).waitFor({ timeout: UI_TIMEOUT });
  }

  async function signOut() {
    await page.setViewportSize(SIZES.desktop);
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('button', { name: '登录' }).waitFor();
  }

  /** Opens a screen from the menu at any size (the collapsed menu shows icons; the item keeps its name). */
  async function menu(label: string) {
    await page.getByRole('menuitem', { name: label }).click();
    // The pointer leaves the menu, as a hand does: no hover tooltip over the page being checked.
    await page.mouse.move(SIZES.phone.width - 1, SIZES.phone.height - 1);
  }

  function fromDevice(path: string, payload: unknown) {
    const body = JSON.stringify(payload);
    return http(intake)
      .post(path)
      .set(deviceHeaders(device, 'POST', path, body))
      .send(body);
  }

  async function rate(serviceRecordId: string, level: number, tags: string[], comment: string | undefined, ratedAt = new Date()) {
    await fromDevice('/api/v1/ratings', {
      serviceRecordId,
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      level,
      tags,
      ...(comment ? { comment } : {}),
      ...(level <= 2 ? { reviewer: { name: '张三', phone: '13800138000' } } : {}),
      ratedAt: ratedAt.toISOString(),
    }).expect(201);
  }

  async function caseOf(where: string, param: string) {
    return eventually(
      async () => (await pg.query(`SELECT id, case_number, status FROM rectification.cases WHERE ${where}`, [param])).rows[0],
      (row) => row !== undefined,
    );
  }

  beforeAll(async () => {
    expect(readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8')).toContain('<div id="root">'); // npm run build first
    db = await createTestDatabase('plain_zh');
    applyTestEnv(db.url);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    process.env.RECTIFICATION_URL = await rectification.getUrl();
    process.env.STATISTICS_URL = await statistics.getUrl();
    intake = await startTestService(IntakeModule, INTAKE_APP);
    base = (await intake.getUrl()).replace('[::1]', '127.0.0.1');
    publicBase = (await statistics.getUrl()).replace('[::1]', '127.0.0.1');
    const firstPassword = (await intake.get(AccountsService).ensureFirstAdmin())!.password;
    pg = new Client({ connectionString: db.url });
    await pg.connect();

    // This year's holiday arrangement as if never published: provisional until an admin confirms it.
    await pg.query(`DELETE FROM rectification.calendar_days WHERE date BETWEEN $1 AND $2`, [`${year}-01-01`, `${year}-12-31`]);
    await pg.query(`DELETE FROM rectification.calendar_years WHERE year = $1`, [year]);
    rectification.get(CalendarService).invalidate();

    // Three units, a PAD, a 12345 client, an operator and a supervisor.
    for (const [code, name] of [
      ['CN-01', '区市场监督管理局'],
      ['CN-02', '区人力资源和社会保障局'],
      ['CN-03', '区医疗保障局'],
    ])
      await http(intake).post('/api/v1/units').set('Authorization', admin).send({ code, name }).expect(201);
    const registered = await http(intake)
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: 'CN-01', windowNo: 'A03' })
      .expect(201);
    device = { id: registered.body.deviceId as string, secret: registered.body.secret as string };
    const client = await http(intake).post('/api/v1/hotline-clients').set('Authorization', admin).send({ name: '区12345热线' }).expect(201);
    hotline = { id: client.body.clientId as string, secret: client.body.secret as string };
    for (const user of [
      { username: 'op.zhang', displayName: '张敏', role: 'unit_operator', unitCode: 'CN-01', password: 'First-Login-2024' },
      { username: 'sv.li', displayName: '李强', role: 'supervisor', password: 'First-Login-2024' },
    ])
      await http(intake).post('/api/v1/users').set('Authorization', admin).send(user).expect(201);

    // Ratings: the day's good and bad ones (imported at once, as a history import is: no burst check), the bad
    // ones with the tags the issue found unlabelled; then a 刷评 burst from the PAD; then a 12345 complaint.
    const item = (serviceRecordId: string, level: number, tags: string[], comment?: string) => ({
      serviceRecordId,
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      level,
      tags,
      ...(comment ? { comment } : {}),
      ...(level <= 2 ? { reviewer: { name: '张三', phone: '13800138000' } } : {}),
      ratedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    for (const [unitCode, good] of [
      ['CN-01', 6],
      ['CN-02', 9],
      ['CN-03', 4],
    ] as const)
      await http(intake)
        .post('/api/v1/imports/ratings')
        .set('Authorization', admin)
        .send({
          unitCode,
          windowNo: 'A01',
          ratings: [
            ...Array.from({ length: good }, (_, i) => item(`SR-${unitCode}-GOOD-${i}`, i % 3 === 0 ? 4 : 5, [])),
            ...(unitCode === 'CN-01'
              ? [
                  item('SR-BAD-1', 1, ['REPEATED_VISITS', 'POLICY'], '来回跑了三次，政策说法不一'),
                  item('SR-BAD-2', 2, ['EFFICIENCY'], '排队一个多小时'),
                ]
              : [item(`SR-${unitCode}-BAD`, 2, ['GUIDANCE'], '指引不清楚')]),
          ],
        })
        .expect(200);
    const burstAt = Date.now() - 5_000;
    for (let i = 0; i < 7; i++) await rate(`SR-BURST-${i}`, 5, [], undefined, new Date(burstAt + i * 500));
    const complaint = JSON.stringify({
      ticketId: '12345-20261207-0001',
      unitCode: 'CN-01',
      category: 'COMPLAINT',
      content: '窗口办理营业执照变更时工作人员态度差',
      citizen: { name: '李四', phone: '13900139000' },
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      transferredAt: new Date(Date.now() - 60_000).toISOString(),
      dueAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
    });
    await http(intake)
      .post('/api/v1/hotline/complaints')
      .set(clientHeaders(hotline, 'POST', '/api/v1/hotline/complaints', complaint))
      .send(complaint)
      .expect(201);
    await caseOf(`ticket_id = $1`, '12345-20261207-0001');

    const profile = mkdtempSync(join(tmpdir(), 'plain-zh-chromium-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    rmSync(profile, { recursive: true, force: true });
    // bypassCSP lets axe's script into the page; the pages' own CSP is checked by page-csp.browser-spec.ts.
    const context = await browser.newContext({ viewport: SIZES.desktop, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', bypassCSP: true });
    page = await context.newPage();
    // Pages are checked as they stand, not mid-animation (the console drops its transitions for reduced motion).
    await page.emulateMedia({ reducedMotion: 'reduce' });
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (e) => pageErrors.push(String(e)));

    // The admin's first sign-in sets a password.
    await signIn('admin', firstPassword, passwords.admin);
    await signOut();
  });

  afterAll(async () => {
    // The counts, page by page, for the record (the assertions above required 0 serious and 0 critical).
    console.log(
      `axe (serious/critical) by page and size:\n${Object.entries(findings)
        .map(([p, f]) => `${p}: ${f.serious}/${f.critical}`)
        .join('\n')}`,
    );
    await browser?.close();
    await pg?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
    delete process.env.RECTIFICATION_URL;
    delete process.env.STATISTICS_URL;
  });

  it('the login page', async () => {
    await page.goto(`${base}/console/`);
    await checkEverySize('console', 'login', () => visible('登录'));
  });

  it('an admin sees the calendar banner with 确认, confirms the provisional year as it stands, and every admin page reads well', async () => {
    await signIn('admin', passwords.admin);
    const banner = page
      .getByRole('status')
      .locator('.ant-alert')
      .filter({ hasText: `${year} 年工作日历待确认` });
    await banner.waitFor();
    expect(await banner.innerText()).toContain('办理期限暂按法定节假日计算（不含调休）');
    expect(await banner.innerText()).not.toMatch(/PUT|api|calendar/);
    await checkEverySize('console', 'admin-units', () => visible('区人力资源和社会保障局'));
    // Units are edited and disabled, not deleted: a new one renamed, then disabled; its code and history stay.
    await page.getByRole('button', { name: '新建单位' }).click();
    const created = page.getByRole('dialog', { name: '新建单位' });
    await created.getByLabel('单位编码').fill('CN-90');
    await created.getByLabel('单位名称').fill('区档案馆');
    await created.getByRole('button', { name: '创建' }).click();
    await visible('区档案馆');
    await page.getByRole('button', { name: '编辑 区档案馆' }).click();
    const editing = page.getByRole('dialog', { name: '编辑单位「区档案馆」' });
    await editing.getByLabel('单位名称').fill('区档案馆（新馆）');
    await editing.getByRole('button', { name: '保存' }).click();
    await visible('区档案馆（新馆）');
    await page.getByRole('button', { name: '停用 区档案馆（新馆）' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '停用' }).click();
    await page.getByRole('button', { name: '启用 区档案馆（新馆）' }).waitFor();
    expect((await pg.query(`SELECT code, name, disabled_at IS NOT NULL AS disabled FROM intake.units WHERE code = 'CN-90'`)).rows).toEqual([
      { code: 'CN-90', name: '区档案馆（新馆）', disabled: true },
    ]);
    await checkEverySize('console', 'admin-units-disabled', () => visible('已停用'));
    await banner.getByRole('button', { name: `确认 ${year} 年工作日历` }).click();
    await banner.waitFor({ state: 'detached' });
    expect((await pg.query(`SELECT status FROM rectification.calendar_years WHERE year = $1`, [year])).rows).toEqual([
      { status: 'CONFIRMED' },
    ]);

    for (const [label, name, ready] of [
      ['评价器', 'admin-devices', 'A03'],
      ['12345接入', 'admin-hotline-clients', '区12345热线'],
      ['工作日历', 'admin-calendar', '国庆'],
    ] as const) {
      await menu(label);
      await checkEverySize('console', name, () => visible(ready));
    }
    // Usernames are what people type to sign in: the one place Latin letters belong.
    await menu('用户');
    await checkEverySize('console', 'admin-users', () => visible('张敏'), ['admin', 'zhang']);
    // Usernames and the export formats' names (CSV, Excel) are the Latin the audit page shows.
    await menu('审计日志');
    await checkEverySize('console', 'admin-audit', () => visible('导出 CSV'), ['admin', 'zhang', 'CSV', 'Excel']);
    await signOut();
  });

  it('an operator sees no calendar banner, finds cases by number, reads labels, names and Chinese errors, and publishes a closed case', async () => {
    // No banner for an operator, whatever the calendar says (next year may still be provisional from 1 November).
    await signIn('op.zhang', 'First-Login-2024', passwords.operator);
    await visible('来回跑了三次');
    expect(await page.getByText('工作日历待确认').count()).toBe(0);

    const bad = await caseOf(`matter->>'comment' = $1`, '来回跑了三次，政策说法不一');
    const call = await caseOf(`source = 'HOTLINE' AND ticket_id = $1`, '12345-20261207-0001');
    expect(bad.case_number).toMatch(CASE_NUMBER);
    await visible(bad.case_number as string);
    await checkEverySize('console', 'operator-workbench', () => visible(call.case_number as string));

    // 办理 is on screen at the tablet width, and the header holds together on a phone.
    await page.setViewportSize(SIZES.tablet);
    const open = page.getByRole('button', { name: `办理案件 ${bad.case_number}` });
    const box = (await open.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(SIZES.tablet.width);
    await page.setViewportSize(SIZES.phone);
    const header = (await page.locator('.ant-layout-header').boundingBox())!;
    expect(header.height).toBeLessThanOrEqual(64);
    expect((await page.getByRole('button', { name: '退出' }).boundingBox())!.x + 10).toBeLessThanOrEqual(SIZES.phone.width);
    await page.setViewportSize(SIZES.desktop);

    // Search by a part of the number.
    const search = page.locator('input[aria-label="按案件编号查找"]');
    await search.fill((call.case_number as string).slice(5));
    await search.press('Enter');
    await page.getByText(bad.case_number as string).waitFor({ state: 'detached' });
    await visible(call.case_number as string);

    // The 12345 case: its category and content, no 「评价 null 星」, an 事项 that says something.
    await page.getByRole('link', { name: new RegExp(`打开案件 ${call.case_number}`) }).click();
    await visible('办理过程');
    await visible('窗口办理营业执照变更时工作人员态度差');
    expect(await page.locator('main').innerText()).not.toMatch(/null|undefined/);
    expect(await page.getByText('评价', { exact: true }).count()).toBe(0);
    await checkEverySize('console', 'operator-case-hotline', () => visible('投诉'));

    // The bad rating's case: labelled tags; the operator's own steps under the operator's name.
    await page.goto(`${base}/console/#/cases/${bad.id}`);
    await visible('多次跑动、政策解释不清');
    await page.getByRole('button', { name: '签收' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '提交' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await visible('张敏（单位经办人）');

    // Radio groups have a name and an accessible name.
    await page.getByRole('button', { name: '联系评价人 / 回访核实' }).click();
    const methods = page.getByRole('dialog').getByRole('radiogroup', { name: '联系方式' });
    await methods.waitFor();
    expect(
      await methods.locator('input[type=radio]').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { name: string }).name)),
    ).toEqual(expect.arrayContaining(['method']));
    await page.getByRole('dialog').getByLabel('电话').click();
    await page.getByRole('dialog').getByLabel('回访情况').fill('已电话联系评价人');
    await page.getByRole('dialog').getByRole('button', { name: '提交' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    // An extension beyond 15 working days: the field says why in Chinese, with a Beijing time.
    await page.getByRole('button', { name: '申请延期' }).click();
    await page.getByRole('dialog').getByLabel('延期理由').fill('涉及多部门协调');
    const far = new Date(Date.now() + 40 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    await page.getByRole('dialog').getByLabel('延期至').fill(far);
    await page.getByRole('dialog').getByLabel('延期至').press('Enter');
    await page.getByRole('dialog').getByRole('button', { name: '提交' }).click();
    const explain = page.getByRole('dialog').locator('.ant-form-item-explain').first();
    await explain.waitFor();
    expect(await explain.innerText()).toMatch(/^不能晚于 \d{4}-\d{2}-\d{2} 23:59（立案后 15 个工作日）$/);
    await checkEverySize('console', 'operator-extension-refused', async () => explain.waitFor());
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    // Closed through the API, then published as a 以评促改 example from the case page.
    const op = bearer('unit_operator', 'CN-01');
    await http(rectification)
      .post(`/api/v1/cases/${bad.id}/rectify`)
      .set('Authorization', op)
      .send({ outcome: 'RECTIFIED', measures: '设立综合窗口，一次告知所需材料', problemCategory: 'PROCESS_TRIPS' })
      .expect(200);
    await http(rectification)
      .post(`/api/v1/cases/${bad.id}/feedback`)
      .set('Authorization', op)
      .send({ reviewerSatisfied: true, note: '评价人满意' })
      .expect(200);
    await page.reload();
    await visible('以评促改公开案例');
    await page.getByLabel('公开的问题描述').fill('办理食品经营许可需多次往返');
    await page.getByRole('button', { name: '设为公开案例' }).click();
    await visible('已公开');
    expect((await pg.query(`SELECT publishable, published_matter FROM rectification.cases WHERE id = $1`, [bad.id])).rows).toEqual([
      { publishable: true, published_matter: '办理食品经营许可需多次往返' },
    ]);
    await checkEverySize('console', 'operator-case-published', () => visible('已公开'));

    await menu('办不成事');
    await checkEverySize('console', 'operator-unresolved', () => visible('登记办不成事'));
    await menu('本单位季度数据');
    await checkEverySize('console', 'operator-figures', () => visible('本单位季度数据（区市场监督管理局）'));
    await signOut();
  });

  it('a supervisor reads rates from 0, drills down from the ranking to a unit, and reads 刷评 reasons in Chinese', async () => {
    await signIn('sv.li', 'First-Login-2024', passwords.supervisor);
    expect(await page.getByText('工作日历待确认').count()).toBe(0);
    await visible('单位排名（与上季度对比）');
    const ranking = page.getByRole('img', { name: '各单位好评率（本季度与上季度）' });
    await ranking.locator('svg').waitFor();
    const ticks = await ranking.locator('svg text').allTextContents();
    expect(ticks).toEqual(expect.arrayContaining(['0', '100']));
    // Upright unit names: no rotated text in the charts.
    expect(await page.locator('[role=img] svg text[transform*="rotate"]').count()).toBe(0);
    await checkEverySize('console', 'supervisor-desk', () => visible('区医疗保障局'));

    await page.getByRole('link', { name: '查看 区市场监督管理局 的数据与案件' }).click();
    await checkEverySize('console', 'supervisor-unit', () => visible('区市场监督管理局：季度数据'));
    await visible('该单位的案件');

    await menu('刷评疑似');
    await visible(/疑似刷评：同一评价器/);
    await checkEverySize('console', 'supervisor-suspects', () => visible(/疑似刷评：同一评价器/));
    for (const [label, name, ready] of [
      ['超期与督办', 'supervisor-supervision', '超期与督办'],
      ['申诉与延期审批', 'supervisor-decisions', '申诉'],
      ['通报与导出', 'supervisor-reports', '季度通报与导出'],
    ] as const) {
      await menu(label);
      await checkEverySize('console', name, () => visible(ready));
    }
    // The bulletin opens at a link that can be reloaded, printed and sent on: on the console's origin, not a blob:.
    const opening = page.waitForEvent('popup');
    await page.getByRole('button', { name: '查看通报' }).click();
    const bulletin = await opening;
    await bulletin.waitForURL(/\/console\/svc\/statistics\/api\/v1\/reports\/quarterly\/bulletin\?.*link=/);
    expect(new URL(bulletin.url()).origin).toBe(new URL(base).origin);
    await bulletin.getByText('政务服务“好差评”').first().waitFor();
    expect((await bulletin.reload())?.status()).toBe(200);
    await bulletin.close();
    await visible(/通报链接有效至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/);
    await signOut();
  });

  it('the PAD page and the public pages', async () => {
    await page.goto(`${base}/pad/`);
    await checkEverySize('pad', 'pairing', () => visible(/配对/));

    await page.goto(`${publicBase}/public`);
    await checkEverySize('public', 'index', () => visible(/好差评/));
    expect(pageErrors).toEqual([]);
  });
});
