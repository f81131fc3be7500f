// 分析研判 in the console (headless Chromium, as console.browser-spec.ts runs it: /usr/bin/chromium against the three
// services on a real PostgreSQL, intake serving the built console). One 类问题 from grouping to 已解决: a supervisor
// groups two bad reviews' cases of two units, assigns an improvement action to each unit, each unit's operator reports
// it, the supervisor returns one and accepts both. Screenshots at desktop and phone sizes go to docs/screenshots/analysis/.
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { CONSOLE_DIR } from '../../apps/intake/src/console/console.module.js';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  applyTestEnv,
  bearer,
  consoleAccounts,
  type Credential,
  createTestDatabase,
  deviceHeaders,
  eventually,
  ownPassword,
  registerDevice,
  startTestService,
  type TestDatabase,
} from '#libs/testing';
import { seriousAxeFindings } from '../support/axe.js';
import { launchChromium } from '../support/chromium.js';

const SHOTS = join(process.cwd(), 'docs', 'screenshots', 'analysis');
const UI_TIMEOUT = 30_000;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const TABLET = { width: 1024, height: 768 };
const UNITS = { a: { code: 'CN-01', name: '区市场监督管理局' }, b: { code: 'CN-02', name: '区人力资源和社会保障局' } };
const SERVICE_ITEM = { code: '310105-XK-0001', name: '食品经营许可' };

/** What a person must never read on these pages: unit or category codes, English statuses, ids. */
const CODES = [
  /CN-\d+/,
  /\b(OPEN|SOLVED|ASSIGNED|REPORTED|ACCEPTED|RETURNED|PENDING|RESPONDED|RECTIFIED|CLOSED|APPEALING)\b/,
  /\b[A-Z]{3,}_[A-Z_]+\b/,
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
  /310105-XK/,
];

interface ActionBody {
  id: string;
  unitCode: string;
  unitName: string;
  status: string;
  dueAt: string;
  report: string | null;
  evidence: string[];
  returnNote: string | null;
  returnedCount: number;
}
interface ClassBody {
  id: string;
  title: string;
  categoryCode: string;
  status: string;
  solvedAt: string | null;
  openedBy: string;
  cases: Array<{ id: string; unitCode: string }>;
  actions: ActionBody[];
  timeline: Array<{ action: string; actor: string; unitCode: string | null; note: string | null }>;
}

describe('browser: one 类问题 from grouping to 已解决, in names and plain Chinese', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let pg: Client;
  let context: BrowserContext;
  let page: Page;
  let closeBrowser: (() => Promise<void>) | undefined;
  let base: string;
  const pageErrors: string[] = [];
  const devices: Record<'a' | 'b', Credential> = {} as Record<'a' | 'b', Credential>;
  const people = {
    supervisor: { username: 'sup.li', displayName: '李督查', role: 'supervisor', id: '' },
    operatorA: { username: 'op.zhang', displayName: '张经办', role: 'unit_operator', unitCode: UNITS.a.code, id: '' },
    operatorB: { username: 'op.wang', displayName: '王经办', role: 'unit_operator', unitCode: UNITS.b.code, id: '' },
  };
  /** The cases: two about waiting (the class), one about attitude, one not yet rectified. */
  const comments = { a: '周一上午排队两个小时', b: '取号后等了一个多小时', rude: '窗口人员态度生硬', open: '材料要求说不清楚' };
  const caseIds: Record<keyof typeof comments, string> = {} as Record<keyof typeof comments, string>;
  let classId = '';
  const title = '多个窗口周一上午排队等候时间长';

  const main = () => page.locator('[role="main"]');
  const dialog = () => page.getByRole('dialog');
  const api = (path: string) =>
    request(rectification.getHttpServer()).get(`/api/v1${path}`).set('Authorization', bearer('supervisor')).expect(200);
  const theClass = async () => (await api(`/problem-classes/${classId}`)).body as ClassBody;
  const actionOf = async (unitCode: string) => (await theClass()).actions.find((a) => a.unitCode === unitCode)!;

  async function failure(err: unknown, what: string): Promise<never> {
    const where = join(tmpdir(), 'analysis-failure.png');
    await page.screenshot({ path: where, fullPage: true });
    const toasts = await page.locator('.ant-message-notice').allInnerTexts();
    throw new Error(`${what}: ${String(err)}\n(toasts: ${JSON.stringify(toasts)}; the page as it was: ${where})`, { cause: err });
  }

  const visible = async (text: string | RegExp, scope: Locator | Page = page) => {
    try {
      await scope.getByText(text).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    } catch (err) {
      await failure(err, `waiting for ${String(text)}`);
    }
  };

  /** The page's content says nothing in codes. */
  async function plainChinese(where: string) {
    await page.waitForLoadState('networkidle');
    const text = await main().innerText();
    for (const code of CODES) expect({ where, found: text.match(code)?.[0] ?? null }).toEqual({ where, found: null });
  }

  /** Screenshots at desktop and phone sizes (the whole page, or `part` of it), the page checked for codes at both. */
  async function shots(name: string, ready: string | RegExp, part?: Locator) {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['tablet', TABLET],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      await visible(ready);
      await page.waitForLoadState('networkidle');
      await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: UI_TIMEOUT });
      await settled();
      await plainChinese(`${name}-${size}`);
      // WCAG 2.1 AA: nothing serious or critical on the page at this size, once a choice's dropdown has closed.
      await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
      expect({ where: `${name}-${size}`, axe: await seriousAxeFindings(page) }).toEqual({ where: `${name}-${size}`, axe: [] });
      const path = join(SHOTS, `${name}-${size}.png`);
      if (part) await part.screenshot({ path, animations: 'disabled' });
      else await page.screenshot({ path, fullPage: true, animations: 'disabled' });
    }
    await page.setViewportSize(DESKTOP);
  }

  async function submitDialog(button: string) {
    await dialog().getByRole('button', { name: button, exact: true }).click();
    try {
      await dialog().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    } catch (err) {
      const fields = await dialog().locator('.ant-form-item-explain').allInnerTexts();
      await failure(err, `the dialog stayed open (fields: ${JSON.stringify(fields)})`);
    }
  }

  async function confirmPopover(button: string) {
    const open = page.locator('.ant-popconfirm:visible');
    await open.getByRole('button', { name: button, exact: true }).click();
    await open.first().waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  }

  /** Dialogs and popovers as they stand once opened or closed, not mid-motion. */
  async function settled() {
    await page
      .locator(['appear', 'enter', 'leave'].flatMap((m) => [`.ant-modal[class*="-${m}"]`, `.ant-popover[class*="-${m}"]`]).join(', '))
      .first()
      .waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  }

  /** Picks an option of a select (by searching it) and waits until `shown` (the form or dialog holding it) shows it chosen. */
  async function choose(select: Locator, option: string, shown: Locator) {
    await settled();
    await select.click();
    await select.fill(option); // searches the options: the one wanted is the first, taken with Enter
    await page.locator('.ant-select-item-option-active:visible', { hasText: option }).first().waitFor();
    await select.press('Enter');
    await shown.getByText(option).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }

  async function signIn(who: { username: string }) {
    await page.goto(`${base}/console/`);
    await page.getByLabel('用户名').fill(who.username);
    await page.getByLabel('密码', { exact: true }).fill(ownPassword(who.username));
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('button', { name: '退出' }).waitFor({ timeout: UI_TIMEOUT });
  }

  async function signOut() {
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('button', { name: '登录' }).waitFor();
  }

  async function badRating(unit: 'a' | 'b', serviceRecordId: string, comment: string) {
    const body = JSON.stringify({
      serviceRecordId,
      serviceItemCode: SERVICE_ITEM.code,
      serviceItemName: SERVICE_ITEM.name,
      level: 1,
      tags: ['EFFICIENCY'],
      comment,
      reviewer: { name: '张三', phone: '13800138000' },
      ratedAt: new Date().toISOString(),
    });
    await request(intake.getHttpServer())
      .post('/api/v1/ratings')
      .set(deviceHeaders(devices[unit], 'POST', '/api/v1/ratings', body))
      .send(body)
      .expect(201);
    return eventually(
      async () => (await pg.query(`SELECT id FROM rectification.cases WHERE matter->>'comment' = $1`, [comment])).rows[0]?.id as string,
      (id) => id !== undefined,
    );
  }

  /** The unit takes the case to RECTIFIED with a 问题分类, through the API (the case pages are another suite's). */
  async function rectify(unit: 'a' | 'b', caseId: string, problemCategory: string) {
    const auth = bearer('unit_operator', UNITS[unit].code);
    const step = (action: string, body: object) =>
      request(rectification.getHttpServer()).post(`/api/v1/cases/${caseId}/${action}`).set('Authorization', auth).send(body).expect(200);
    await step('accept', {});
    await step('respond', { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已电话联系评价人' });
    await step('rectify', { outcome: 'RECTIFIED', measures: '高峰时段增开窗口', problemCategory });
  }

  beforeAll(async () => {
    expect(readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8')).toContain('<div id="root">'); // npm run build first
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase('analysis_console');
    applyTestEnv(db.url);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    process.env.RECTIFICATION_URL = await rectification.getUrl();
    process.env.STATISTICS_URL = await statistics.getUrl();
    intake = await startTestService(IntakeModule, INTAKE_APP);
    base = (await intake.getUrl()).replace('[::1]', '127.0.0.1');
    pg = new Client({ connectionString: db.url });
    await pg.connect();

    devices.a = await registerDevice(intake.getHttpServer(), UNITS.a, 'A01');
    devices.b = await registerDevice(intake.getHttpServer(), UNITS.b, 'B01');
    const accounts = consoleAccounts(intake);
    for (const person of Object.values(people)) {
      const { id: _id, ...body } = person;
      person.id = (await accounts.createUser(bearer('admin'), body)).id;
    }
    caseIds.a = await badRating('a', 'SR-A-1', comments.a);
    caseIds.b = await badRating('b', 'SR-B-1', comments.b);
    caseIds.rude = await badRating('a', 'SR-A-2', comments.rude);
    caseIds.open = await badRating('b', 'SR-B-2', comments.open);
    await rectify('a', caseIds.a, 'EFFICIENCY_WAITING');
    await rectify('b', caseIds.b, 'EFFICIENCY_WAITING');
    await rectify('a', caseIds.rude, 'ATTITUDE_RUDE');

    ({ context, close: closeBrowser } = await launchChromium('analysis', {
      viewport: DESKTOP,
      bypassCSP: true, // for axe's script; the console's CSP is checked by page-csp.browser-spec.ts
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
  });

  it('the desk names the hotspot’s units and opens its cases', async () => {
    // Four bad reviews of one service item this week, none before: a hotspot across both units.
    const hotspots = await eventually(
      async () =>
        (await request(statistics.getHttpServer()).get('/api/v1/analysis/hotspots').set('Authorization', bearer('supervisor')).expect(200))
          .body as { hotspots: Array<{ kind: string; code: string; windowCount: number; unitCodes: string[] }> },
      (b) => b.hotspots.some((h) => h.kind === 'SERVICE_ITEM' && h.windowCount === 4),
    );
    expect(hotspots.hotspots.find((h) => h.kind === 'SERVICE_ITEM')).toMatchObject({
      code: SERVICE_ITEM.code,
      unitCodes: [UNITS.a.code, UNITS.b.code],
    });

    await signIn(people.supervisor);
    const card = page.locator('.ant-card', { hasText: '热点问题（近7日）' });
    const row = card.getByRole('row', { name: new RegExp(SERVICE_ITEM.name) });
    await visible(SERVICE_ITEM.name, card);
    expect(await row.innerText()).toContain(`${UNITS.a.name}、${UNITS.b.name}`);
    await row.click(); // the row opens its cases
    for (const comment of Object.values(comments)) await visible(new RegExp(comment), card);
    await shots('supervisor-desk-hotspots', comments.open, card); // the rest of the desk is another page's
    await card.getByRole('link', { name: new RegExp(comments.b) }).click();
    await page.waitForURL(`**/cases/${caseIds.b}`);
    await visible('办理过程');
  });

  it('the supervisor picks two cases of two units by 问题分类 and groups them into a class', async () => {
    await page.getByRole('menuitem', { name: '类问题' }).click();
    await visible('整改中（0）');
    await visible('已解决（0）');
    await visible('暂无类问题');
    await page.getByRole('button', { name: '新建类问题' }).click();
    await visible('选择案件');
    const cases = page.locator('.ant-card', { hasText: '选择案件' }).locator('.ant-table-tbody tr.ant-table-row');
    await eventually(
      () => cases.count(),
      (n) => n === 4,
      UI_TIMEOUT,
      100,
    );
    await choose(page.getByLabel('按问题分类筛选案件'), '排队等候时间长', page.locator('.ant-card', { hasText: '选择案件' }));
    await eventually(
      () => cases.count(),
      (n) => n === 2,
      UI_TIMEOUT,
      100,
    );
    const listed = (await cases.allInnerTexts()).join('\n');
    expect(listed).toContain(UNITS.a.name);
    expect(listed).toContain(UNITS.b.name);
    expect(listed).toContain(comments.a);
    expect(listed).toContain(comments.b);
    expect(listed).not.toContain(comments.rude);
    for (const comment of [comments.a, comments.b]) await cases.filter({ hasText: comment }).getByRole('checkbox').check();
    await visible('已选 2 件');
    await page.getByLabel('标题').fill(title);
    await choose(page.getByLabel('问题分类', { exact: true }), '排队等候时间长', page.locator('form'));
    await page.getByLabel('问题描述').fill('两个单位的窗口在周一上午排队超过一小时，取号后无人引导');
    await visible(`已选 2 件案件，涉及 ${UNITS.a.name}、${UNITS.b.name}`);
    await shots('supervisor-class-new', '已选 2 件');

    await page.getByRole('button', { name: '建立类问题' }).click();
    await page.waitForURL(/\/classes\/[0-9a-f-]{36}$/);
    classId = page.url().split('/').pop()!;
    await visible('办理过程');
    const cls = await theClass();
    expect(cls).toMatchObject({
      title,
      categoryCode: 'EFFICIENCY_WAITING',
      status: 'OPEN',
      openedBy: people.supervisor.id,
      solvedAt: null,
    });
    expect(cls.cases.map((c) => c.id).sort()).toEqual([caseIds.a, caseIds.b].sort());
    const casesCard = page.locator('.ant-card', { hasText: '案件（2）' });
    expect(await casesCard.innerText()).toContain(UNITS.a.name);
    expect(await casesCard.innerText()).toContain(UNITS.b.name);
    await visible('整改中', page.getByLabel('类问题状态'));
    await visible(`${people.supervisor.displayName}（督查人员）`);
    await visible('归入 2 件案件');
  });

  it('the supervisor assigns an improvement action to each unit, due in working days', async () => {
    for (const [unit, action, days] of [
      [UNITS.a, '周一上午增开两个窗口，推行线上预约分时段办理', 5],
      [UNITS.b, '设置取号引导员，公示各窗口等候人数', 10],
    ] as const) {
      await page.getByRole('button', { name: '交办整改措施' }).click();
      await choose(dialog().getByLabel('承办单位'), unit.name, dialog());
      await dialog().getByLabel('整改措施').fill(action);
      await dialog().getByLabel('完成期限（工作日）').fill(String(days));
      await submitDialog('交办');
      const assigned = await actionOf(unit.code);
      expect(assigned).toMatchObject({ unitName: unit.name, status: 'ASSIGNED', evidence: [] });
      // Due at the end of a working day (Beijing), shown as it is stored.
      const due = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' }).format(
        new Date(assigned.dueAt),
      );
      expect(due).toMatch(/ 23:59$/);
      const card = page.getByLabel(`整改措施：${unit.name}`);
      await visible(action, card);
      await visible(due, card);
      await visible('待落实', card);
      await visible(new RegExp(`交办给${unit.name}：${action}（${days}个工作日，${due}前完成）`));
    }
    expect((await theClass()).timeline.map((t) => t.action)).toEqual(['open', 'assign-action', 'assign-action']);
    await shots('supervisor-class-assigned', '交办给区人力资源和社会保障局');
    await signOut();
  });

  it("each unit's operator reports its action done with evidence", async () => {
    for (const [who, unit, report, evidence] of [
      [
        people.operatorA,
        UNITS.a,
        '已于周一上午增开两个窗口，并上线预约分时段办理',
        ['窗口排班表（周一上午 6 个窗口）', 'https://example.gov.cn/yuyue'],
      ],
      [people.operatorB, UNITS.b, '已设置取号引导员一名', ['引导员上岗照片']],
    ] as const) {
      await signIn(who);
      await page.getByRole('menuitem', { name: '整改措施' }).click();
      await visible(title);
      const card = page.getByLabel(`整改措施：${unit.name}`);
      expect(await page.getByLabel(/^整改措施：/).count()).toBe(1); // only its own unit's
      await visible('待落实', card);
      await visible('待报送（1）');
      if (who === people.operatorA) await shots('operator-actions', title);
      await card.getByRole('button', { name: `报送完成：${title}` }).click();
      await dialog().getByLabel('完成情况').fill(report);
      await dialog().getByLabel('佐证材料').fill(evidence.join('\n'));
      await submitDialog('报送');
      await visible('待报送（0）');
      await page.getByText(/^待验收（1）$/).click();
      await visible('待验收', card);
      await visible(report, card);
      for (const e of evidence) await visible(e, card);
      if (who === people.operatorA) await shots('operator-actions-reported', report);
      expect(await actionOf(unit.code)).toMatchObject({ status: 'REPORTED', report, evidence: [...evidence] });
      await signOut();
    }
  });

  it('the supervisor returns one with a reason; the unit reports again', async () => {
    const reason = '请补充引导员排班表和等候人数公示的照片';
    await signIn(people.supervisor);
    await page.goto(`${base}/console/#/classes`);
    await page.getByRole('link', { name: title }).click();
    await visible('办理过程');
    await page.getByRole('button', { name: `退回 ${UNITS.b.name}` }).click();
    await dialog().getByLabel('退回原因').fill(reason);
    await submitDialog('退回');
    await visible('已退回', page.getByLabel(`整改措施：${UNITS.b.name}`));
    await visible(new RegExp(`退回${UNITS.b.name}，原因：${reason}`));
    expect(await actionOf(UNITS.b.code)).toMatchObject({ status: 'RETURNED', returnNote: reason, returnedCount: 1 });
    await signOut();

    await signIn(people.operatorB);
    await page.getByRole('menuitem', { name: '整改措施' }).click();
    const card = page.getByLabel(`整改措施：${UNITS.b.name}`);
    await visible(reason, card);
    await visible('已退回 1 次', card);
    await shots('operator-actions-returned', reason);
    await card.getByRole('button', { name: `报送完成：${title}` }).click();
    await visible(`退回原因：${reason}`, dialog());
    await dialog().getByLabel('佐证材料').fill('引导员上岗照片\n引导员排班表（12月）\n等候人数公示牌照片');
    await submitDialog('报送');
    await visible('待报送（0）');
    expect(await actionOf(UNITS.b.code)).toMatchObject({
      status: 'REPORTED',
      evidence: ['引导员上岗照片', '引导员排班表（12月）', '等候人数公示牌照片'],
      returnedCount: 1,
    });
    // The class as the unit sees it: its own action and case only, in names.
    await page.getByText(/^待验收（1）$/).click();
    await card.getByRole('link', { name: title }).click();
    await visible('办理过程');
    await visible('案件（1）');
    expect(await page.getByLabel(/^整改措施：/).count()).toBe(1);
    await plainChinese('operator-class');
    await signOut();
  });

  it('the supervisor accepts both: the class is 已解决, on the page, the board and in the API', async () => {
    await signIn(people.supervisor);
    await page.goto(`${base}/console/#/classes/${classId}`);
    await visible('办理过程');
    for (const unit of [UNITS.a, UNITS.b]) {
      await page.getByRole('button', { name: `验收 ${unit.name}` }).click();
      await confirmPopover('验收通过');
      await visible('已验收', page.getByLabel(`整改措施：${unit.name}`));
    }
    await visible('已解决', page.getByLabel('类问题状态'));
    await visible('全部措施验收通过，类问题已解决');
    expect(await page.getByRole('button', { name: '交办整改措施' }).count()).toBe(0); // a solved class no longer changes

    const cls = await theClass();
    expect(cls.status).toBe('SOLVED');
    expect(cls.solvedAt).not.toBeNull();
    expect(cls.actions.map((a) => a.status)).toEqual(['ACCEPTED', 'ACCEPTED']);
    expect(cls.timeline.map((t) => t.action)).toEqual([
      'open',
      'assign-action',
      'assign-action',
      'report-action',
      'report-action',
      'return-action',
      'report-action',
      'accept-action',
      'accept-action',
      'solved',
    ]);
    // Who did each step, by name, as the timeline shows it.
    const steps = await page.locator('.ant-timeline-item').allInnerTexts();
    expect(steps).toHaveLength(10);
    const by = (name: string) => steps.filter((s) => s.includes(name)).length;
    expect(by(`${people.supervisor.displayName}（督查人员）`)).toBe(7);
    expect(by(`${people.operatorA.displayName}（单位经办人）`)).toBe(1);
    expect(by(`${people.operatorB.displayName}（单位经办人）`)).toBe(2);
    expect(steps[9]).toContain('全部措施验收通过，类问题已解决');
    await shots('supervisor-class-solved', '全部措施验收通过，类问题已解决');

    await page.getByRole('button', { name: '返回类问题' }).click();
    await visible('整改中（0）');
    await page.getByText(/^已解决（1）$/).click();
    const row = page.getByRole('row', { name: new RegExp(title) });
    await visible(title, row);
    expect(await row.innerText()).toContain(`${UNITS.a.name}、${UNITS.b.name}`);
    expect(await row.innerText()).toContain('已验收 2/2');
    await shots('supervisor-classes-board', title);
    const solved = (await api('/problem-classes?status=SOLVED')).body as { total: number; items: Array<{ id: string }> };
    expect(solved).toMatchObject({ total: 1, items: [{ id: classId }] });
    expect((await api('/problem-classes?status=OPEN')).body.total).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
