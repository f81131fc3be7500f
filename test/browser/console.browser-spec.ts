// npm run test:browser — the console in headless Chromium (/usr/bin/chromium, Debian packages `chromium` and
// `fonts-noto-cjk`) against the three services running on a real PostgreSQL, each on an ephemeral port, intake
// serving the built console (npm run build) and forwarding the other services' APIs. Screenshots of every screen
// go to docs/console/. Not part of `npm test`: a fresh machine has no Chromium.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import request from 'supertest';
import { AccountsService } from '../../apps/intake/src/accounts/accounts.service.js';
import { CONSOLE_DIR } from '../../apps/intake/src/console/console.module.js';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { applyTestEnv, createTestDatabase, deviceHeaders, eventually, startTestService, type TestDatabase } from '#libs/testing';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'docs', 'console');
const UI_TIMEOUT = 30_000;

describe('browser: the console from the first admin to a closed case, an upheld appeal and the audit log', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let pg: Client;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let base: string;
  let firstPassword: string;
  let device: { id: string; secret: string };
  const pageErrors: string[] = [];
  const passwords = { admin: 'Gov-Console-2024', operator: 'Window-Staff-2024', supervisor: 'Desk-Review-2024' };

  const dialog = () => page.getByRole('dialog');
  const shot = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: UI_TIMEOUT }); // toasts gone
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };
  const visible = async (text: string | RegExp, scope: ReturnType<Page['locator']> | Page = page) => {
    try {
      await scope.getByText(text).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    } catch (err) {
      const where = join(tmpdir(), 'console-failure.png');
      await page.screenshot({ path: where, fullPage: true });
      throw new Error(`${String(err)}\n(the page as it was: ${where})`, { cause: err });
    }
  };
  const menu = async (label: string) => {
    await page.getByRole('menuitem', { name: label }).click();
  };
  const submitDialog = async (button = '提交') => {
    await dialog().getByRole('button', { name: button }).click();
    await dialog().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  };

  /** Picks a radio by its label and waits until the form shows it chosen (antd updates it on its next render). */
  async function choose(label: string) {
    const radio = dialog().getByLabel(label);
    await radio.click();
    await eventually(
      () => radio.isChecked(),
      (checked) => checked,
      UI_TIMEOUT,
      100,
    );
  }

  async function signIn(username: string, password: string, newPassword?: string) {
    await page.goto(`${base}/console/`);
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
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('button', { name: '登录' }).waitFor();
  }

  async function pick(label: string, option: string) {
    await dialog().getByLabel(label).click();
    await page.locator('.ant-select-item-option', { hasText: option }).first().click();
  }

  async function sendBadRating(serviceRecordId: string, level: number, tags: string[], comment: string) {
    const body = JSON.stringify({
      serviceRecordId,
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      level,
      tags,
      comment,
      reviewer: { name: '张三', phone: '13800138000' },
      ratedAt: new Date().toISOString(),
    });
    await request(intake.getHttpServer())
      .post('/api/v1/ratings')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
      .send(body)
      .expect(201);
  }

  async function caseRow(comment: string) {
    return eventually(
      async () =>
        (await pg.query(`SELECT id, status, outcome, urge_count FROM rectification.cases WHERE matter->>'comment' = $1`, [comment]))
          .rows[0],
      (row) => row !== undefined,
    );
  }

  beforeAll(async () => {
    expect(readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8')).toContain('<div id="root">'); // npm run build first
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase('console');
    applyTestEnv(db.url);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    process.env.RECTIFICATION_URL = await rectification.getUrl();
    process.env.STATISTICS_URL = await statistics.getUrl();
    intake = await startTestService(IntakeModule, INTAKE_APP);
    base = (await intake.getUrl()).replace('[::1]', '127.0.0.1');
    firstPassword = (await intake.get(AccountsService).ensureFirstAdmin())!.password;
    pg = new Client({ connectionString: db.url });
    await pg.connect();

    profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await pg?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
    delete process.env.RECTIFICATION_URL;
    delete process.env.STATISTICS_URL;
  });

  it('the admin signs in with the one-time password, sets a new one, and registers a unit, a PAD and two accounts', async () => {
    await page.goto(`${base}/console/`);
    await shot('login');
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码', { exact: true }).fill(firstPassword);
    await page.getByRole('button', { name: '登录' }).click();
    // The server's password policy, shown under the field.
    await page.getByLabel('新密码', { exact: true }).fill('admin-2024');
    await page.getByLabel('确认新密码').fill('admin-2024');
    await page.getByRole('button', { name: '修改密码并登录' }).click();
    await visible('密码不能包含用户名');
    await shot('password-change');
    await page.getByLabel('新密码', { exact: true }).fill(passwords.admin);
    await page.getByLabel('确认新密码').fill(passwords.admin);
    await page.getByRole('button', { name: '修改密码并登录' }).click();
    await page.getByRole('button', { name: '退出' }).waitFor();

    await page.getByRole('button', { name: '新建单位' }).click();
    await dialog().getByRole('button', { name: '创建' }).click();
    await visible('请填写单位编码', dialog());
    await dialog().getByLabel('单位编码').fill('CN-01');
    await dialog().getByLabel('单位名称').fill('区市场监督管理局');
    await submitDialog('创建');
    await visible('区市场监督管理局');
    await shot('admin-units');
    expect((await pg.query(`SELECT code, name FROM intake.units`)).rows).toEqual([{ code: 'CN-01', name: '区市场监督管理局' }]);

    await menu('评价器');
    await page.getByRole('button', { name: '登记评价器' }).click();
    await pick('单位', 'CN-01');
    await dialog().getByLabel('窗口号').fill('A03');
    await dialog().getByLabel('名称（可选）').fill('3号窗口评价器');
    await dialog().getByRole('button', { name: '登记' }).click();
    const secret = await page.getByLabel('设备密钥').innerText();
    await shot('admin-device-secret');
    await page.getByRole('button', { name: '我已妥善保存' }).click();
    const [row] = (await pg.query(`SELECT id, unit_code, window_no, label FROM intake.devices`)).rows;
    expect(row).toMatchObject({ unit_code: 'CN-01', window_no: 'A03', label: '3号窗口评价器' });
    device = { id: row.id, secret: secret.trim() };
    expect(device.secret).toHaveLength(43);
    await visible('3号窗口评价器');
    await shot('admin-devices');

    await menu('用户');
    for (const account of [
      { username: 'op.zhang', name: '张经办', role: '单位经办人', unit: 'CN-01' },
      { username: 'sup.li', name: '李督查', role: '督查人员' },
    ]) {
      await page.getByRole('button', { name: '新建用户' }).click();
      await dialog().getByLabel('用户名').fill(account.username);
      await dialog().getByLabel('姓名').fill(account.name);
      await pick('角色', account.role);
      if (account.unit) await pick('所属单位', account.unit);
      await dialog().getByLabel('初始密码').fill('First-Login-2024');
      await submitDialog('保存');
      await visible(account.username);
    }
    await shot('admin-users');
    expect((await pg.query(`SELECT username, role, unit_code, must_change_password FROM intake.users ORDER BY created_at`)).rows).toEqual([
      { username: 'admin', role: 'admin', unit_code: null, must_change_password: false },
      { username: 'op.zhang', role: 'unit_operator', unit_code: 'CN-01', must_change_password: true },
      { username: 'sup.li', role: 'supervisor', unit_code: null, must_change_password: true },
    ]);
    await signOut();
  });

  it("the unit's operator takes a bad rating's case from PENDING to CLOSED through the forms, revealing the contact with a reason", async () => {
    await sendBadRating('CN-2024-000123', 1, ['EFFICIENCY'], '等了很久');
    await sendBadRating('CN-2024-000124', 2, ['ATTITUDE'], '窗口无人');
    await signIn('op.zhang', 'First-Login-2024', passwords.operator);
    await visible(/等了很久/); // the live list picks the cases up without a reload
    await visible(/窗口无人/);
    await visible('剩余');
    // Loud until confirmed: while rectification warns of an unconfirmed calendar year, every page says so.
    const ready = await request(rectification.getHttpServer()).get('/health/ready');
    const calendarWarning = ((ready.body as { warnings?: Array<{ name: string }> }).warnings ?? []).some((w) => w.name === 'calendar');
    if (calendarWarning) await visible('工作日历待确认');
    else expect(await page.getByText('工作日历待确认').count()).toBe(0);
    await shot('operator-workbench');

    await page.getByRole('link', { name: /等了很久/ }).click();
    await visible('办理过程');
    await page.getByRole('button', { name: '签收' }).click();
    await submitDialog();
    await visible('已签收');

    await page.getByRole('button', { name: '查看完整联系方式' }).click();
    await dialog().getByRole('button', { name: '查看' }).click();
    await visible('请填写查看事由', dialog());
    await dialog().getByLabel('查看事由').fill('电话回访评价人核实情况');
    await dialog().getByRole('button', { name: '查看' }).click();
    await visible('13800138000');

    await page.getByRole('button', { name: '联系评价人 / 回访核实' }).click();
    await dialog().getByRole('button', { name: '提交' }).click();
    await visible('请填写内容', dialog());
    await choose('电话');
    await dialog().getByLabel('回访情况').fill('已电话联系评价人，说明情况并致歉');
    await submitDialog();
    await visible('已回访');

    await page.getByRole('button', { name: '整改 / 情况说明' }).click();
    await dialog().getByLabel('整改措施 / 情况说明').fill('增开一个窗口，高峰时段实行预约分流');
    await submitDialog();
    await visible('已整改');

    await page.getByRole('button', { name: '反馈评价人' }).click();
    await choose('满意（办结）');
    await dialog().getByLabel('说明').fill('评价人表示满意');
    await submitDialog();
    await visible('已办结');
    await visible('当前没有可办理的操作');
    await shot('operator-case-closed');

    const closed = await caseRow('等了很久');
    expect(closed).toMatchObject({ status: 'CLOSED', outcome: 'RECTIFIED' });
    const timeline = (await pg.query(`SELECT action, note FROM rectification.case_timeline WHERE case_id = $1 ORDER BY id`, [closed.id]))
      .rows;
    expect(timeline.map((t) => t.action)).toEqual(['open', 'accept', 'reveal-contact', 'respond', 'rectify', 'feedback']);
    expect(timeline[2].note).toBe('电话回访评价人核实情况');

    // The other case is appealed: a malicious rating, says the unit.
    await page.goBack();
    await page.getByRole('link', { name: /窗口无人/ }).click();
    await page.getByRole('button', { name: '签收' }).click();
    await submitDialog();
    await page.getByRole('button', { name: '申诉' }).click();
    await dialog().getByLabel('申诉理由').fill('当时窗口正常服务，监控可证实，属恶意差评');
    await submitDialog();
    await visible('申诉中');
    expect((await caseRow('窗口无人')).status).toBe('APPEALING');

    await menu('办不成事');
    await visible('登记办不成事');
    await shot('operator-unresolved');
    await menu('本单位季度数据');
    await visible('差评整改率');
    await shot('operator-figures');
    await page.setViewportSize({ width: 820, height: 1180 }); // a tablet, upright
    await menu('工作台');
    await visible(/等了很久/);
    await shot('operator-workbench-tablet');
    await page.setViewportSize({ width: 1366, height: 768 });
    await signOut();
  });

  it('the supervisor sees the quarter on the desk, urges the appealed case, upholds the appeal and downloads the XLSX', async () => {
    await signIn('sup.li', 'First-Login-2024', passwords.supervisor);
    await visible('季度概览');
    await visible('区市场监督管理局');
    const total = page.locator('.ant-card', { hasText: '评价总数' }).locator('.ant-statistic-content-value').first();
    await eventually(
      async () => (await total.innerText()).trim(),
      (text) => text === '2',
    );
    await visible('100.00%'); // rectification rate: the closed case of the two... and the ranking's timely response
    await page.locator('[aria-label="各单位好评率（本季度与上季度）"] svg').waitFor();
    await shot('supervisor-desk');

    await menu('超期与督办');
    await page.getByText('全部（待办在前）').click();
    await visible(/窗口无人/);
    await page
      .getByRole('row', { name: /窗口无人/ })
      .getByRole('button', { name: '督办' })
      .click();
    await dialog().getByLabel('督办意见').fill('请于明日前提交申诉材料');
    await submitDialog();
    await eventually(
      async () => (await caseRow('窗口无人')).urge_count,
      (count) => count === 1,
    );
    await shot('supervisor-supervision');

    await menu('申诉与延期审批');
    await visible(/窗口无人/);
    await shot('supervisor-decisions');
    await page
      .getByRole('row', { name: /窗口无人/ })
      .getByRole('button', { name: '裁定' })
      .click();
    await choose('申诉成立（差评不计入统计）');
    await dialog().getByLabel('说明').fill('监控录像证实窗口正常服务，申诉成立');
    await submitDialog();
    await eventually(
      async () => await caseRow('窗口无人'),
      (row) => row.status === 'CLOSED' && row.outcome === 'APPEAL_UPHELD',
    );
    await visible('待裁定的申诉（0）');

    await menu('刷评疑似');
    await visible('刷评疑似评价');
    await shot('supervisor-suspects');

    await menu('通报与导出');
    await page.getByLabel('季度').click();
    const quarter = Math.floor(new Date(Date.now() + 8 * 3_600_000).getUTCMonth() / 3) + 1;
    await page.locator('.ant-select-item-option', { hasText: `第${'一二三四'[quarter - 1]}季度` }).click();
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: '下载 Excel' }).click();
    const download = await downloading;
    const file = readFileSync((await download.path())!);
    expect(download.suggestedFilename()).toMatch(/^\d{4}年第.季度好差评\.xlsx$/);
    expect(file.subarray(0, 2).toString()).toBe('PK'); // an XLSX is a zip
    expect(file.length).toBeGreaterThan(4000);
    await shot('supervisor-reports');
    await signOut();
  });

  it('the admin reads the audit log: logins, account changes and the reveal with its reason', async () => {
    await signIn('admin', passwords.admin);
    await menu('审计日志');
    await visible('op.zhang');
    for (const text of ['登录', '修改密码', '创建用户']) await visible(text);
    await shot('admin-audit');
    await page.getByRole('tab', { name: '查看评价人联系方式' }).click();
    await visible('电话回访评价人核实情况');
    await shot('admin-audit-reveals');
    const actions = (await pg.query(`SELECT action, actor_name FROM intake.audit_log ORDER BY id`)).rows;
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: 'USER_CREATED', actor_name: 'admin' },
        { action: 'LOGIN', actor_name: 'op.zhang' },
        { action: 'PASSWORD_CHANGED', actor_name: 'sup.li' },
        { action: 'LOGOUT', actor_name: 'op.zhang' },
      ]),
    );

    await menu('工作日历');
    await visible('法定节假日');
    await shot('admin-calendar');
    await menu('12345接入');
    await page.getByRole('button', { name: '登记热线系统' }).click();
    await dialog().getByLabel('名称').fill('区12345热线');
    await dialog().getByLabel('回调地址（可选）').fill('https://hotline.example.gov.cn/callback');
    await dialog().getByRole('button', { name: '登记' }).click();
    await page.getByRole('button', { name: '我已妥善保存' }).click();
    await visible('https://hotline.example.gov.cn/callback');
    await shot('admin-hotline-clients');
    expect(pageErrors).toEqual([]);
  });
});
