// npm run test:browser — the console in headless Chromium (/usr/bin/chromium, Debian packages `chromium` and
// `fonts-noto-cjk`) against the three services running on a real PostgreSQL, each on an ephemeral port, intake
// serving the built console (npm run build) and forwarding the other services' APIs. Screenshots of every screen
// go to docs/console/. Not part of `npm test`: a fresh machine has no Chromium.
import { mkdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { AccountsService } from '../../apps/intake/src/accounts/accounts.service.js';
import { CONSOLE_DIR } from '../../apps/intake/src/console/console.module.js';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { pairingCodeHash } from '../../apps/intake/src/pairing/pairing-code.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { applyTestEnv, bearer, createTestDatabase, deviceHeaders, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { launchChromium } from '../support/chromium.js';

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
  let closeBrowser: (() => Promise<void>) | undefined;
  let base: string;
  let firstPassword: string;
  let device: { id: string; secret: string };
  let hotlineReceiver: Server;
  let hotlineCallbackUrl: string;
  const pageErrors: string[] = [];
  const passwords = { admin: 'Gov-Console-2024', operator: 'Window-Staff-2024', supervisor: 'Desk-Review-2024' };

  const dialog = () => page.getByRole('dialog');
  const shot = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: UI_TIMEOUT }); // toasts gone
    // Dialogs as they stand once opened or closed, not half-faded: their motion classes gone (a dialog is
    // transparent, yet "visible", while it prepares to appear), any other finite animation fast-forwarded.
    // A locator, not a page-side string: the console's CSP (script-src 'self') forbids evaluating strings in the page.
    await page
      .locator(['appear', 'enter', 'leave'].flatMap((m) => [`.ant-modal[class*="-${m}"]`, `.ant-modal-mask[class*="-${m}"]`]).join(', '))
      .first()
      .waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), animations: 'disabled' });
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
    try {
      await dialog().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    } catch (err) {
      // Say why the dialog stayed: the server's answer (toast) and the fields' messages, and keep the page.
      const where = join(tmpdir(), 'console-failure.png');
      await page.screenshot({ path: where, fullPage: true });
      const toasts = await page.locator('.ant-message-notice').allInnerTexts();
      const fields = await dialog().locator('.ant-form-item-explain').allInnerTexts();
      throw new Error(`${String(err)}\n(toasts: ${JSON.stringify(toasts)}; fields: ${JSON.stringify(fields)}; the page: ${where})`, {
        cause: err,
      });
    }
  };

  /** Answers an open Popconfirm with its button and waits until it has closed. */
  async function confirmPopover(button: string) {
    const open = page.locator('.ant-popconfirm:visible');
    await open.getByRole('button', { name: button, exact: true }).click();
    await open.first().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  }

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
        (
          await pg.query(
            `SELECT id, status, outcome, urge_count, problem_category FROM rectification.cases WHERE matter->>'comment' = $1`,
            [comment],
          )
        ).rows[0],
      (row) => row !== undefined,
    );
  }

  /** This quarter and the one before, in Asia/Shanghai, as the console's quarter picker counts them. */
  function quarters() {
    const now = new Date(Date.now() + 8 * 3_600_000);
    const current = { year: now.getUTCFullYear(), quarter: Math.floor(now.getUTCMonth() / 3) + 1 };
    const last = current.quarter === 1 ? { year: current.year - 1, quarter: 4 } : { year: current.year, quarter: current.quarter - 1 };
    const label = (q: { year: number; quarter: number }) => `${q.year}年第${'一二三四'[q.quarter - 1]}季度`;
    return { current, last, label };
  }

  /** Signed PAD request (rating, heartbeat) from the registered device. */
  function fromDevice(path: string, payload: unknown) {
    const body = JSON.stringify(payload);
    return request(intake.getHttpServer())
      .post(path)
      .set(deviceHeaders(device, 'POST', path, body))
      .send(body);
  }

  async function quarterlyReviews(q: { year: number; quarter: number }): Promise<{ total: number; good: number; bad: number }> {
    const res = await request(statistics.getHttpServer())
      .get(`/api/v1/reports/quarterly?year=${q.year}&quarter=${q.quarter}&unitCode=CN-01`)
      .set('Authorization', bearer('supervisor'))
      .expect(200);
    return (res.body as { reviews: { total: number; good: number; bad: number } }).reviews;
  }

  /** The 单位排名 sheet's row of a unit in a downloaded XLSX: rank, code, name, total, good, bad, 好评率, 及时答复率. */
  async function xlsxUnitRow(file: Buffer, unitCode: string) {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file as unknown as ArrayBuffer);
    const title = workbook.getWorksheet('汇总')!.getRow(1).getCell(1).text;
    let row: unknown[] | undefined;
    workbook.getWorksheet('单位排名')!.eachRow((r) => {
      const values = (r.values as unknown[]).slice(1);
      if (values[1] === unitCode) row = values;
    });
    return { title, row };
  }

  beforeAll(async () => {
    // Where the 12345 client registered in the console gets its replies: an endpoint that is down (503).
    hotlineReceiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503).end());
    });
    await new Promise<void>((resolve) => hotlineReceiver.listen(0, '127.0.0.1', resolve));
    hotlineCallbackUrl = `http://127.0.0.1:${(hotlineReceiver.address() as AddressInfo).port}/12345/replies`;
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

    ({ context, close: closeBrowser } = await launchChromium('console', {
      viewport: { width: 1366, height: 768 },
      acceptDownloads: true,
    }));
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  afterAll(async () => {
    await closeBrowser?.();
    await pg?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
    delete process.env.RECTIFICATION_URL;
    delete process.env.STATISTICS_URL;
    await new Promise((resolve) => hotlineReceiver?.close(resolve));
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
    await visible('从未连接');

    // A pairing code for the PAD page: shown once, with its expiry; the stored hash is of that code.
    await page
      .getByRole('row', { name: /3号窗口评价器/ })
      .getByRole('button', { name: '生成配对码' })
      .click();
    const shown = (await dialog().getByLabel('配对码', { exact: true }).innerText()).trim();
    expect(shown).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const code = shown.replace('-', '');
    await visible('有效期至', dialog());
    await shot('admin-device-pairing-code');
    const [stored] = (await pg.query(`SELECT code_hash, device_id, expires_at FROM intake.device_pairing_codes`)).rows;
    expect(stored).toMatchObject({ code_hash: pairingCodeHash(code), device_id: device.id });
    const expiry = (await dialog().getByLabel('配对码有效期').innerText()).match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/)![0];
    expect(new Date(`${expiry.replace(' ', 'T')}+08:00`).getTime()).toBe(Math.floor((stored.expires_at as Date).getTime() / 1000) * 1000);
    await dialog().getByRole('button', { name: '我已记下' }).click();
    await dialog().waitFor({ state: 'hidden' });

    // The PAD page exchanges it (a new secret: the one shown at registration stops working) and reports in.
    const paired = await request(intake.getHttpServer()).post('/api/v1/pairing/exchange').send({ code: shown }).expect(200);
    expect(paired.body).toMatchObject({ deviceId: device.id, unitCode: 'CN-01', windowNo: 'A03' });
    device = { id: device.id, secret: paired.body.secret as string };
    // Two items of an offline upload are refused (nothing is stored); the PAD counts them as 未通过 in its heartbeat.
    const refused = await fromDevice('/api/v1/ratings/batch', {
      ratings: [
        {
          serviceRecordId: 'SR-PAD-CLOCK',
          serviceItemCode: '310105-XK-0001',
          level: 5,
          ratedAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
        {
          serviceRecordId: 'SR-PAD-PHONE',
          serviceItemCode: '310105-XK-0001',
          level: 1,
          reviewer: { phone: '12345' },
          ratedAt: new Date().toISOString(),
        },
      ],
    }).expect(200);
    expect(refused.body.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'rejected']);
    await fromDevice('/api/v1/pad/heartbeat', { queueLength: 0, rejectedCount: 2, appVersion: '1.0.0' }).expect(200);
    await page.reload();
    await visible('在线');
    expect(await page.getByText('从未连接').count()).toBe(0);
    await shot('admin-devices');
    // The 未通过 counter explained: which items, and why, in Chinese.
    await page.getByRole('button', { name: '查看 A03 窗口未通过的评价' }).click();
    await visible('回访电话：不是有效的手机号码', dialog());
    await visible('评价时间：比服务器时间晚 300 秒以上（请检查评价器的时钟）', dialog());
    const rows = await dialog().locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('第 1 条');
    expect(rows[0]).toContain('SR-PAD-CLOCK');
    expect(rows[1]).toContain('第 2 条');
    expect(rows[1]).toContain('SR-PAD-PHONE');
    expect(rows.join('\n')).not.toMatch(/[A-Za-z]{4,} [a-z]{3,}/); // no English sentence
    await shot('admin-device-rejected');
    await dialog().locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();
    await dialog().waitFor({ state: 'hidden' });

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
    // The calendar banner is an admin's (plain-chinese.browser-spec.ts): an operator sees none, whatever the calendar.
    expect(await page.getByText('工作日历待确认').count()).toBe(0);
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
    await dialog().getByRole('button', { name: '提交' }).click();
    await visible('请选择问题分类', dialog());
    // The suggestions come from the text (等了很久) and the tag (办事效率低); the operator picks one.
    await dialog()
      .getByRole('button', { name: /建议：排队等候时间长/ })
      .click();
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
    expect(closed).toMatchObject({ status: 'CLOSED', outcome: 'RECTIFIED', problem_category: 'EFFICIENCY_WAITING' });
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

  it('the supervisor sees the quarter on the desk, urges the appealed case, upholds the appeal, decides 刷评 suspects, publishes the last quarter and downloads the XLSX', async () => {
    // The last quarter's ratings came from the previous platform (history import).
    const { last } = quarters();
    const midLast = new Date(Date.UTC(last.year, (last.quarter - 1) * 3 + 1, 15, 2, 0, 0)).toISOString();
    const imported = await request(intake.getHttpServer())
      .post('/api/v1/imports/ratings')
      .set('Authorization', bearer('admin'))
      .send({
        unitCode: 'CN-01',
        ratings: [5, 4, 1].map((level, i) => ({
          serviceRecordId: `HIST-${randomUUID().slice(0, 8)}-${i}`,
          serviceItemCode: '310105-XK-0001',
          level,
          ...(level < 3 ? { tags: ['EFFICIENCY'] } : {}),
          ratedAt: midLast,
        })),
      })
      .expect(200);
    expect(imported.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created', 'created']);
    await eventually(
      () => quarterlyReviews(last),
      (r) => r.total === 3,
    );

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

    // Six ratings from one PAD within a few seconds: 刷评 suspects, out of the figures until decided.
    for (let i = 0; i < 6; i++) {
      await fromDevice('/api/v1/ratings', {
        serviceRecordId: `CN-2024-BURST-${i}`,
        serviceItemCode: '310105-XK-0001',
        level: 5,
        ratedAt: new Date().toISOString(),
      }).expect(201);
    }
    expect((await pg.query(`SELECT count(*)::int AS n FROM intake.reviews WHERE suspect`)).rows[0].n).toBe(6);
    await menu('刷评疑似');
    await visible('刷评疑似评价');
    const suspectRows = page.locator('.ant-table-tbody tr.ant-table-row');
    const rowCount = (n: number) =>
      eventually(
        () => suspectRows.count(),
        (count) => count === n,
        UI_TIMEOUT,
        100,
      );
    await rowCount(6);
    // The reason in Chinese (the label home words the stored rule), no English.
    await visible(/^疑似刷评：同一评价器.*10 秒内.*超过 5 条/, page.locator('.ant-table-tbody'));
    expect(await page.locator('.ant-table-tbody').innerText()).not.toContain('BURST');
    await shot('supervisor-suspects');
    // Confirm the first as 刷评, clear the next: each leaves the open ones.
    await suspectRows.first().getByRole('button', { name: '确认刷评' }).click();
    await confirmPopover('确认刷评');
    await rowCount(5);
    await suspectRows.first().getByRole('button', { name: '解除疑似' }).click();
    await confirmPopover('解除');
    await rowCount(4);
    const decided = (
      await pg.query(
        `SELECT suspect, suspect_confirmed_at IS NOT NULL AS confirmed, suspect_cleared_at IS NOT NULL AS cleared
         FROM intake.reviews WHERE suspect_confirmed_at IS NOT NULL OR suspect_cleared_at IS NOT NULL ORDER BY suspect`,
      )
    ).rows;
    expect(decided).toEqual([
      { suspect: false, confirmed: false, cleared: true },
      { suspect: true, confirmed: true, cleared: false },
    ]);
    await page.getByText('已确认刷评', { exact: true }).click();
    await rowCount(1);
    await visible('已确认刷评', page.locator('.ant-table-tbody'));
    await shot('supervisor-suspects-confirmed');
    // In the figures: the upheld appeal's bad rating has left them, the cleared suspect counts, the confirmed one stays out.
    const { current, label } = quarters();
    await eventually(
      () => quarterlyReviews(current),
      (r) => r.total === 2 && r.good === 1 && r.bad === 1,
    );

    // Publish the last quarter through the page: it shows as frozen, and its XLSX holds its figures.
    await menu('通报与导出');
    await visible(`${label(last)}尚未发布`);
    await page.getByRole('button', { name: '发布该季度通报' }).click();
    await confirmPopover('发布');
    await visible(`${label(last)}已发布（数据已冻结）`);
    expect(await page.getByRole('button', { name: '发布该季度通报' }).count()).toBe(0);
    expect((await pg.query(`SELECT year, quarter FROM statistics.published_quarters`)).rows).toEqual([
      { year: last.year, quarter: last.quarter },
    ]);
    await shot('supervisor-reports-published');
    const downloadXlsx = async () => {
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: '下载 Excel' }).click();
      const download = await downloading;
      const file = readFileSync((await download.path())!);
      expect(file.subarray(0, 2).toString()).toBe('PK'); // an XLSX is a zip
      return { name: download.suggestedFilename(), file };
    };
    const lastXlsx = await downloadXlsx();
    expect(lastXlsx.name).toBe(`${label(last)}好差评.xlsx`);
    const lastSheet = await xlsxUnitRow(lastXlsx.file, 'CN-01');
    expect(lastSheet.title).toContain(label(last));
    // The history imported into the last quarter: three ratings, two good (好评率 2/3).
    // No 及时答复率 yet: the imported bad rating's case is not due (an empty cell).
    expect(lastSheet.row).toEqual([1, 'CN-01', '区市场监督管理局', 3, 2, 1, 2 / 3]);

    // This quarter's XLSX: the rectified bad rating and the cleared suspect; not published (it has not ended).
    await page.getByLabel('季度').click();
    await page.locator('.ant-select-item-option', { hasText: `第${'一二三四'[current.quarter - 1]}季度` }).click();
    if (current.year !== last.year) {
      await page.getByLabel('年份').click();
      await page.locator('.ant-select-item-option', { hasText: `${current.year}年` }).click();
    }
    await visible(`${label(current)}尚未结束，结束后方可发布`);
    const currentXlsx = await downloadXlsx();
    expect(currentXlsx.name).toBe(`${label(current)}好差评.xlsx`);
    const currentSheet = await xlsxUnitRow(currentXlsx.file, 'CN-01');
    expect(currentSheet.row?.slice(0, 7)).toEqual([1, 'CN-01', '区市场监督管理局', 2, 1, 1, 0.5]);
    await shot('supervisor-reports');
    await signOut();
  });

  it('the admin reads the audit log: logins, account changes and the reveal with its reason', async () => {
    await signIn('admin', passwords.admin);
    await menu('审计日志');
    await visible('op.zhang');
    for (const text of ['登录', '修改密码', '创建用户']) await visible(text);
    await shot('admin-audit');
    // Only the contact reveals, of today (Beijing): the reveal names its case, its fields and its reason.
    await page.getByLabel('操作类型').fill('联系方式');
    await page.locator('.ant-select-item-option', { hasText: '查看联系方式' }).click();
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
    await page.getByPlaceholder('开始日期').fill(today);
    await page.getByPlaceholder('结束日期').fill(today);
    await page.getByPlaceholder('结束日期').press('Enter');
    await visible(/查看.*的评价人联系方式.*事由：电话回访评价人核实情况/);
    await visible('共 1 条');
    await shot('admin-audit-reveals');
    // The export carries the same filter: the one reveal, its summary in Chinese, no other action.
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出 CSV' }).click();
    const csvDownload = await downloading;
    expect(csvDownload.suggestedFilename()).toBe(`审计日志（${today}至${today}）.csv`);
    const csvLines = readFileSync((await csvDownload.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csvLines).toHaveLength(2);
    expect(csvLines[1]).toContain('查看联系方式');
    expect(csvLines[1]).toContain('事由：电话回访评价人核实情况');
    const actions = (await pg.query(`SELECT action, actor_name FROM intake.audit_log ORDER BY id`)).rows;
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: 'USER_CREATED', actor_name: 'admin' },
        { action: 'LOGIN', actor_name: 'op.zhang' },
        { action: 'PASSWORD_CHANGED', actor_name: 'sup.li' },
        { action: 'LOGOUT', actor_name: 'op.zhang' },
        { action: 'SUSPECT_CONFIRMED', actor_name: 'sup.li' },
        { action: 'SUSPECT_CLEARED', actor_name: 'sup.li' },
      ]),
    );

    await menu('工作日历');
    await visible('法定节假日');
    await shot('admin-calendar');
    await menu('12345接入');
    await page.getByRole('button', { name: '登记热线系统' }).click();
    await dialog().getByLabel('名称').fill('区12345热线');
    await dialog().getByLabel('回调地址（可选）').fill(hotlineCallbackUrl);
    await dialog().getByRole('button', { name: '登记' }).click();
    await page.getByRole('button', { name: '我已妥善保存' }).click();
    await visible(hotlineCallbackUrl);
    await visible('暂无答复');
    // A reply to it waits in rectification's outbox, as closing a 12345 case leaves it; its endpoint answers 503.
    const [client] = (await pg.query(`SELECT id FROM intake.hotline_clients`)).rows;
    await eventually(
      async () => (await pg.query(`SELECT 1 FROM rectification.hotline_clients WHERE client_id = $1`, [client.id])).rowCount,
      (n) => n === 1,
    );
    await pg.query(
      `INSERT INTO rectification.hotline_callbacks (id, case_id, ticket_id, client_id, body) VALUES ($1, $2, '12345-20240001', $3, '{}')`,
      [randomUUID(), randomUUID(), client.id],
    );
    await eventually(
      async () => (await pg.query(`SELECT last_error FROM rectification.hotline_callbacks`)).rows[0].last_error,
      (error) => error === 'HTTP 503',
    );
    await page.reload();
    await visible('投递失败，重试中');
    await visible('HTTP 503');
    await visible(/失败重试 1/);
    await shot('admin-hotline-clients');
    expect(pageErrors).toEqual([]);
  });
});
