// npm run test:visual — the PAD kiosk page driven by touch in headless Chromium (/usr/bin/chromium) against the three
// running services (intake serving /pad, rectification, statistics; embedded event bus on a real PostgreSQL).
// Screenshots of every screen, in both orientations where the layout changes, go to docs/pad/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { applyTestEnv, bearer, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { seriousAxeFindings } from '../support/axe.js';
import { launchChromium } from '../support/chromium.js';

const SHOTS = join(process.cwd(), 'docs', 'pad');
const LANDSCAPE = { width: 1280, height: 800 };
const PORTRAIT = { width: 800, height: 1280 };
const UNIT = { code: 'PAD-01', name: '区政务服务中心' };

describe('visual: the PAD rating page in headless Chromium', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let sql: Client;
  let context: BrowserContext;
  let page: Page;
  let closeBrowser: (() => Promise<void>) | undefined;
  let padUrl: string;
  let deviceId: string;
  const admin = bearer('admin');
  const pageErrors: string[] = [];

  const reviews = async () =>
    (
      await sql.query(
        `SELECT service_record_id, service_item_code, service_item_name, staff_id, level, tags, comment, contact_masked_phone
           FROM intake.reviews WHERE device_id = $1 ORDER BY received_at`,
        [deviceId],
      )
    ).rows as Array<Record<string, unknown>>;

  /** Both orientations of the current screen (the layout changes between them); back to landscape after. */
  async function shoot(name: string, orientations: Array<'landscape' | 'portrait'> = ['landscape', 'portrait']) {
    for (const orientation of orientations) {
      await page.setViewportSize(orientation === 'landscape' ? LANDSCAPE : PORTRAIT);
      await page.evaluate('document.fonts.ready.then(() => undefined)');
      // Every touch target and text block is wholly on screen, and none overlaps another.
      const problems = await page.evaluate<string[]>(`(() => {
        const items = [...document.querySelectorAll('button, textarea, output, .pipl, h1, .service, .code, [role=alert]')]
          .map((el) => ({ el, r: el.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && r.height > 0);
        const name = (el) => (el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 12);
        const out = [];
        for (const { el, r } of items) {
          if (r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push('off screen: ' + name(el));
        }
        for (let i = 0; i < items.length; i++)
          for (let j = i + 1; j < items.length; j++) {
            const a = items[i], b = items[j];
            if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
            const overlap = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left) > 1 && Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top) > 1;
            if (overlap) out.push('overlap: ' + name(a.el) + ' / ' + name(b.el));
          }
        return out;
      })()`);
      expect({ name, orientation, problems }).toEqual({ name, orientation, problems: [] });
      // WCAG 2.1 AA on every screen the citizen and the staff see, in both orientations: nothing serious.
      expect({ name, orientation, axe: await seriousAxeFindings(page) }).toEqual({ name, orientation, axe: [] });
      await page.screenshot({ path: join(SHOTS, `${name}-${orientation}.png`), type: 'png' });
    }
    await page.setViewportSize(LANDSCAPE);
  }

  const tap = (name: string) => page.getByRole('button', { name, exact: true }).click();
  const queueIndicator = () => page.getByTestId('queue-indicator');

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase('visual_pad');
    applyTestEnv(db.url);
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    padUrl = `${(await intake.getUrl()).replace('[::1]', '127.0.0.1')}/pad/`;
    await request(intake.getHttpServer()).post('/api/v1/units').set('Authorization', admin).send(UNIT).expect(201);
    const device = await request(intake.getHttpServer())
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: UNIT.code, windowNo: 'A03', label: '3号窗口评价器' })
      .expect(201);
    deviceId = device.body.deviceId as string;

    ({ context, close: closeBrowser } = await launchChromium('pad', {
      viewport: LANDSCAPE,
      hasTouch: true,
      bypassCSP: true, // for axe's script; the PAD's own CSP is checked by test/browser/page-csp.browser-spec.ts
    }));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  afterAll(async () => {
    await closeBrowser?.();
    await sql?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it('pairs with a one-time code typed on the on-screen keys', async () => {
    const response = await page.goto(padUrl, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('zh-CN');
    await page.getByRole('heading', { name: '评价器配对' }).waitFor();
    const issued = await request(intake.getHttpServer())
      .post(`/api/v1/devices/${deviceId}/pairing-codes`)
      .set('Authorization', admin)
      .expect(201);
    const code = issued.body.code as string;
    // A wrong code first: the page says so and stays.
    for (const c of 'ZZZZZZZZ') await tap(c);
    await tap('配对');
    await page.getByRole('alert').filter({ hasText: '配对码不正确' }).waitFor();
    for (let i = 0; i < 8; i++) await tap('删除');
    for (const c of code.slice(0, 5)) await tap(c);
    await shoot('1-pairing');
    for (const c of code.slice(5)) await tap(c);
    expect(await page.getByTestId('pairing-code').innerText()).toBe(code.split('').join('\n'));
    await tap('配对');
    await page.getByRole('heading', { name: '请您对本次服务进行评价' }).waitFor();
    await expectText(page.locator('.topbar'), `${UNIT.name}`);
    await expectText(page.locator('.topbar'), '窗口 A03');
    const row = (await sql.query(`SELECT paired_at FROM intake.devices WHERE id = $1`, [deviceId])).rows[0];
    expect(row.paired_at).toBeInstanceOf(Date);
    // The credentials live in IndexedDB: a reload stays paired.
    await page.reload({ waitUntil: 'load' });
    await page.getByRole('heading', { name: '请您对本次服务进行评价' }).waitFor();
    // The heartbeat shows in the registry.
    const [listed] = await eventually(
      async () =>
        (await request(intake.getHttpServer()).get(`/api/v1/devices?unitCode=${UNIT.code}`).set('Authorization', admin).expect(200)).body,
      (list: Array<Record<string, unknown>>) => list[0]?.online === true && list[0]?.appVersion === '1.0.0',
      10_000,
    );
    expect(listed).toMatchObject({ deviceId, queueLength: 0, rejectedCount: 0, appVersion: '1.0.0', online: true });
    await page.locator('[data-stream="open"]').waitFor();
    await shoot('2-waiting');
  });

  it('shows a prompt from the window within a second and takes a 5 (非常满意)', async () => {
    const sentAt = Date.now();
    await request(intake.getHttpServer())
      .post(`/api/v1/devices/${deviceId}/prompts`)
      .set('Authorization', bearer('unit_operator', UNIT.code))
      .send({ serviceRecordId: 'SR-PAD-0001', serviceItemCode: '310105-XK-0001', serviceItemName: '食品经营许可', staffId: 'E1024' })
      .expect(201);
    await page.getByTestId('prompt').filter({ hasText: '食品经营许可' }).waitFor({ timeout: 1_000 });
    expect(Date.now() - sentAt).toBeLessThan(1_000);
    await expectText(page.getByTestId('prompt'), 'E1024');
    await shoot('3-prompt');
    await tap('非常满意');
    await page.getByRole('heading', { name: '感谢您的评价！' }).waitFor();
    await shoot('4-thanks', ['landscape']);
    const stored = await eventually(reviews, (rows) => rows.length === 1);
    expect(stored[0]).toMatchObject({
      service_record_id: 'SR-PAD-0001',
      service_item_code: '310105-XK-0001',
      service_item_name: '食品经营许可',
      staff_id: 'E1024',
      level: 5,
    });
    // Back to waiting by itself after a few seconds, the prompt gone.
    await page.getByRole('heading', { name: '请您对本次服务进行评价' }).waitFor({ timeout: 8_000 });
    expect(await page.getByTestId('prompt').count()).toBe(0);
    await expectText(queueIndicator(), '待上传 0');
  });

  it('takes a 1 with two tags and a phone number; the case opens in rectification with the phone masked', async () => {
    await tap('非常不满意');
    await page.getByRole('heading', { name: /哪里不满意/ }).waitFor();
    const tagButtons = page.locator('.tag');
    expect(await tagButtons.count()).toBe(8); // GET /rating-tags
    await tap('服务态度差');
    await tap('办事效率低');
    expect(await page.getByRole('button', { name: '服务态度差' }).getAttribute('aria-pressed')).toBe('true');
    for (const d of '13800138000') await tap(d);
    expect(await page.getByTestId('phone').innerText()).toBe('13800138000');
    await expectText(page.getByTestId('pipl-notice'), '仅用于本单位就您的评价进行回访核实');
    await shoot('5-details');
    await tap('提交评价');
    await page.getByRole('heading', { name: '感谢您的评价！' }).waitFor();
    const stored = await eventually(reviews, (rows) => rows.length === 2);
    expect(stored[1]).toMatchObject({
      level: 1,
      tags: ['ATTITUDE', 'EFFICIENCY'],
      contact_masked_phone: '138****8000',
      service_item_code: 'WALK-IN',
    });
    const cases = await eventually(
      async () =>
        (
          await request(rectification.getHttpServer())
            .get(`/api/v1/cases?unitCode=${UNIT.code}`)
            .set('Authorization', bearer('supervisor'))
            .expect(200)
        ).body as { items: Array<Record<string, unknown>> },
      (body) => body.items.length === 1,
    );
    expect(cases.items[0]).toMatchObject({
      source: 'BAD_REVIEW',
      unitCode: UNIT.code,
      status: 'PENDING',
      contact: { phone: '138****8000' },
    });
    expect(JSON.stringify(cases)).not.toContain('13800138000');
    await page.locator('.thanks').click(); // a touch ends the thank-you screen early
    await page.getByRole('heading', { name: '请您对本次服务进行评价' }).waitFor();
  });

  it('keeps working offline (queue in IndexedDB, page from the service worker) and uploads each rating exactly once', async () => {
    await page.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    await context.setOffline(true);
    await expectText(page.locator('.pill').first(), '离线');
    for (const level of ['满意', '基本满意', '非常满意']) {
      await tap(level);
      await page.getByRole('heading', { name: '感谢您的评价！' }).waitFor();
      await page.locator('.thanks').click();
      await page.getByRole('heading', { name: '请您对本次服务进行评价' }).waitFor();
    }
    await expectText(queueIndicator(), '待上传 3');
    // The page itself loads without network, and the queue survives the reload.
    await page.reload({ waitUntil: 'load' });
    await page.getByRole('heading', { name: '请您对本次服务进行评价' }).waitFor();
    await expectText(queueIndicator(), '待上传 3');
    // One item the server will reject (a serviceRecordId over 64 characters) is kept aside, not retried, not dropped.
    await page.evaluate(`new Promise((resolve, reject) => {
      const open = indexedDB.open('gov-review-pad');
      open.onsuccess = () => {
        const tx = open.result.transaction('queue', 'readwrite');
        tx.objectStore('queue').put({ id: 'bad-1', deviceId: '${deviceId}', queuedAt: new Date().toISOString(),
          rating: { serviceRecordId: '${'X'.repeat(65)}', serviceItemCode: 'WALK-IN', level: 4, ratedAt: new Date().toISOString() } });
        tx.oncomplete = () => { open.result.close(); resolve(undefined); };
        tx.onerror = () => reject(tx.error);
      };
      open.onerror = () => reject(open.error);
    })`);
    expect((await reviews()).length).toBe(2);
    await shoot('6-offline', ['landscape']);

    await context.setOffline(false);
    await eventually(
      async () => (await reviews()).length,
      (n) => n >= 5,
      30_000,
    );
    await page.getByTestId('rejected-indicator').filter({ hasText: '未通过 1' }).waitFor({ timeout: 30_000 });
    await expectText(queueIndicator(), '待上传 0');
    const stored = await reviews();
    expect(stored.map((r) => r.level)).toEqual([5, 1, 4, 3, 5]);
    expect(new Set(stored.map((r) => r.service_record_id)).size).toBe(5);
    const rejected = await page.evaluate<Array<{ id: string; errors: Array<{ field: string }> }>>(`new Promise((resolve) => {
      const open = indexedDB.open('gov-review-pad');
      open.onsuccess = () => {
        const all = open.result.transaction('rejected').objectStore('rejected').getAll();
        all.onsuccess = () => { open.result.close(); resolve(all.result); };
      };
    })`);
    expect(rejected).toEqual([expect.objectContaining({ id: 'bad-1', errors: [expect.objectContaining({ field: 'serviceRecordId' })] })]);
    // A later upload sends nothing again: still exactly five.
    await page.reload({ waitUntil: 'load' });
    await page.locator('[data-stream="open"]').waitFor();
    expect((await reviews()).length).toBe(5);
    await shoot('7-rejected-kept', ['landscape']);
  });

  it('rates the service shown when the citizen began: a prompt arriving meanwhile waits for the next citizen', async () => {
    const operator = bearer('unit_operator', UNIT.code);
    const push = (serviceRecordId: string, serviceItemName: string, staffId: string) =>
      request(intake.getHttpServer())
        .post(`/api/v1/devices/${deviceId}/prompts`)
        .set('Authorization', operator)
        .send({ serviceRecordId, serviceItemCode: `310105-${serviceRecordId}`, serviceItemName, staffId })
        .expect(201);
    const before = (await reviews()).length;
    await push('SR-PAD-0002', '营业执照变更登记', 'E2001');
    await page.getByTestId('prompt').filter({ hasText: '营业执照变更登记' }).waitFor();
    await tap('不满意');
    await page.getByRole('heading', { name: /哪里不满意/ }).waitFor();
    await expectText(page.getByTestId('rated-service'), '营业执照变更登记');
    await expectText(page.getByTestId('rated-service'), 'E2001');
    // The next service is pushed while this citizen is still choosing: it reaches the page and waits.
    await push('SR-PAD-0003', '社会保障卡补办', 'E3002');
    await page.locator('[data-prompt="SR-PAD-0003"]').waitFor();
    expect(await page.getByTestId('rated-service').innerText()).toContain('营业执照变更登记');
    expect(await page.getByTestId('rated-service').innerText()).not.toContain('社会保障卡补办');
    await tap('办事流程繁琐');
    await shoot('9-details-service');
    await tap('提交评价');
    await page.getByRole('heading', { name: '感谢您的评价！' }).waitFor();
    // The rating is filed under the first service; the waiting prompt is shown to the next citizen.
    const stored = await eventually(reviews, (rows) => rows.length === before + 1);
    expect(stored[before]).toMatchObject({
      service_record_id: 'SR-PAD-0002',
      service_item_code: '310105-SR-PAD-0002',
      service_item_name: '营业执照变更登记',
      staff_id: 'E2001',
      level: 2,
      tags: ['PROCESS'],
    });
    await page.locator('.thanks').click();
    await page.getByTestId('prompt').filter({ hasText: '社会保障卡补办' }).waitFor();
    await expectText(page.getByTestId('prompt'), 'E3002');

    // Cancelled (返回) while a newer prompt arrives: back on the faces, the newer service is shown.
    await tap('非常不满意');
    await expectText(page.getByTestId('rated-service'), '社会保障卡补办');
    await push('SR-PAD-0004', '不动产登记资料查询', 'E4003');
    await page.locator('[data-prompt="SR-PAD-0004"]').waitFor();
    expect(await page.getByTestId('rated-service').innerText()).toContain('社会保障卡补办');
    await tap('返回');
    await page.getByTestId('prompt').filter({ hasText: '不动产登记资料查询' }).waitFor();
    await tap('满意');
    await page.getByRole('heading', { name: '感谢您的评价！' }).waitFor();
    const after = await eventually(reviews, (rows) => rows.length === before + 2);
    expect(after[before + 1]).toMatchObject({ service_record_id: 'SR-PAD-0004', service_item_name: '不动产登记资料查询', level: 4 });
    await page.locator('.thanks').click();
    await page.getByRole('heading', { name: '请您对本次服务进行评价' }).waitFor();
    expect(await page.getByTestId('prompt').count()).toBe(0);
  });

  it('clears the details screen after the idle time with a countdown, and after every cancel and submit', async () => {
    // The product waits 60 s; the page takes ?idle=<seconds> so that the test need not.
    const IDLE_S = 8;
    const WARN_S = 4; // the last min(10 s, half the idle time) are announced
    await page.goto(`${padUrl}?idle=${IDLE_S}`, { waitUntil: 'load' });
    await page.locator('[data-stream="open"]').waitFor();
    const before = (await reviews()).length;
    const countdown = page.getByTestId('idle-countdown');
    const warning = page.getByTestId('idle-warning');
    const secondsLeft = async () => Number(/^(\d+) 秒内无操作将清空本页$/.exec((await countdown.innerText()).trim())?.[1]);
    const fill = async () => {
      await tap('服务态度差');
      await page.getByRole('textbox', { name: '补充说明（选填）' }).fill('窗口等了很久');
      for (const d of '13912345678') await tap(d);
      expect(await page.getByTestId('phone').innerText()).toBe('13912345678');
    };
    const expectEmptyForm = async () => {
      await page.getByRole('heading', { name: /哪里不满意/ }).waitFor();
      expect(await page.locator('.tag[aria-pressed="true"]').count()).toBe(0);
      expect(await page.getByTestId('phone').innerText()).toBe('—');
      expect(await page.getByRole('textbox', { name: '补充说明（选填）' }).inputValue()).toBe('');
      expect(await secondsLeft()).toBeGreaterThanOrEqual(IDLE_S - 1);
    };

    await tap('不满意');
    await expectEmptyForm();
    await fill();
    // The window pushes the next service meanwhile: it waits until this screen is cleared.
    await request(intake.getHttpServer())
      .post(`/api/v1/devices/${deviceId}/prompts`)
      .set('Authorization', bearer('unit_operator', UNIT.code))
      .send({ serviceRecordId: 'SR-PAD-0005', serviceItemCode: '310105-SR-PAD-0005', serviceItemName: '居住证签注', staffId: 'E5005' })
      .expect(201);
    await page.locator('[data-prompt="SR-PAD-0005"]').waitFor();
    expect(await page.getByTestId('rated-service').innerText()).toContain('窗口现场评价');
    expect(await countdown.getAttribute('role')).toBe('timer');
    expect(await warning.getAttribute('aria-live')).toBe('polite');
    expect(await warning.innerText()).toBe('');
    // The countdown runs down; a touch anywhere starts it again.
    await eventually(secondsLeft, (n) => n <= IDLE_S - 3, 10_000);
    await tap('服务态度差'); // un-choose it: a touch
    expect(await secondsLeft()).toBeGreaterThanOrEqual(IDLE_S - 1);
    const lastTouch = Date.now();
    // The last seconds are announced (polite) and shown as a warning.
    await page.locator('.idle.warn').waitFor({ timeout: 10_000 });
    expect(await warning.innerText()).toBe('即将清空，触摸屏幕可继续');
    expect(await secondsLeft()).toBeLessThanOrEqual(WARN_S);
    await page.screenshot({ path: join(SHOTS, '10-idle-warning-landscape.png'), type: 'png' });
    // Then everything the citizen entered is gone, and nothing was filed.
    await page.getByRole('heading', { name: '请您对本次服务进行评价' }).waitFor({ timeout: 10_000 });
    expect(Date.now() - lastTouch).toBeGreaterThanOrEqual((IDLE_S - 1) * 1000);
    expect(await page.getByText('13912345678').count()).toBe(0);
    await page.getByTestId('prompt').filter({ hasText: '居住证签注' }).waitFor();
    await tap('不满意');
    await expectEmptyForm();
    await expectText(page.getByTestId('rated-service'), '居住证签注');

    // 返回 drops the form too.
    await fill();
    await tap('返回');
    await page.getByRole('heading', { name: '请您对本次服务进行评价' }).waitFor();
    await tap('非常不满意');
    await expectEmptyForm();

    // And so does a submit: the next citizen starts empty.
    await fill();
    await tap('提交评价');
    await page.getByRole('heading', { name: '感谢您的评价！' }).waitFor();
    const stored = await eventually(reviews, (rows) => rows.length === before + 1);
    expect(stored[before]).toMatchObject({
      service_record_id: 'SR-PAD-0005',
      service_item_name: '居住证签注',
      level: 1,
      tags: ['ATTITUDE'],
      comment: '窗口等了很久',
      contact_masked_phone: '139****5678',
    });
    await page.locator('.thanks').click();
    await tap('不满意');
    await expectEmptyForm();
    await tap('返回');
    expect((await reviews()).length).toBe(before + 1);

    await page.goto(padUrl, { waitUntil: 'load' });
    await page.locator('[data-stream="open"]').waitFor();
  });

  it('allows pinch zoom and offers a manifest with 192 and 512 px icons', async () => {
    const viewport = await page.locator('meta[name="viewport"]').getAttribute('content');
    expect(viewport).toBe('width=device-width, initial-scale=1, viewport-fit=cover');
    const manifest = await request(intake.getHttpServer()).get('/pad/manifest.webmanifest').expect(200);
    const body = JSON.parse(manifest.text) as { icons: Array<{ src: string; sizes: string; type: string }> };
    expect(body.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of body.icons) {
      const png = await request(intake.getHttpServer()).get(icon.src).buffer(true).expect(200);
      expect(png.headers['content-type']).toBe('image/png');
      const bytes = png.body as Buffer;
      // PNG signature, then IHDR's width and height.
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`).toBe(icon.sizes);
    }
  });

  it('says so when the device is revoked, and offers a new pairing', async () => {
    await request(intake.getHttpServer()).post(`/api/v1/devices/${deviceId}/revoke`).set('Authorization', admin).expect(200);
    await page.getByRole('heading', { name: '本设备已停用' }).waitFor({ timeout: 10_000 });
    await shoot('8-revoked');
    await tap('重新配对');
    await page.getByRole('heading', { name: '评价器配对' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});

async function expectText(locator: ReturnType<Page['locator']>, text: string) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
}
