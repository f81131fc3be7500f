import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { applyTestEnv, bearer, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { type CaseBody, openCase, reviewEvent, sql } from './rectification-fixtures.js';

describe('问题分类: the taxonomy, rectify with a category, suggestions and similar cases', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const supervisor = bearer('supervisor', undefined, { sub: 'sup-1' });
  const admin = bearer('admin', undefined, { sub: 'admin-1' });
  const operator = bearer('unit_operator', 'CN-01', { sub: 'op-1' });
  const otherOperator = bearer('unit_operator', 'CN-02', { sub: 'op-2' });
  const http = () => request(app.getHttpServer());
  const act = (id: string, action: string, auth: string, body: object = {}) =>
    http().post(`/api/v1/cases/${id}/${action}`).set('Authorization', auth).send(body);
  const categories = async (auth = operator, query = '') =>
    (await http().get(`/api/v1/problem-categories${query}`).set('Authorization', auth).expect(200)).body as Array<{
      code: string;
      parentCode: string | null;
      name: string;
      retired: boolean;
      usedBy: number;
    }>;

  /** Opens a case of `unitCode` with the citizen's `comment` and brings it to RESPONDED. */
  async function responded(comment: string, unitCode = 'CN-01', overrides: Parameters<typeof reviewEvent>[0] = {}): Promise<CaseBody> {
    const auth = unitCode === 'CN-01' ? operator : otherOperator;
    const opened = await openCase(app, auth, reviewEvent({ unitCode, comment, ...overrides }));
    await act(opened.id, 'accept', auth).expect(200);
    await act(opened.id, 'respond', auth, { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已联系' }).expect(200);
    return opened;
  }

  beforeAll(async () => {
    db = await createTestDatabase('rect_categories');
    applyTestEnv(db.url);
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('is seeded with the default set of API.md, two levels, each top-level category followed by its sub-categories', async () => {
    const list = await categories();
    const top = list.filter((c) => c.parentCode === null).map((c) => c.name);
    expect(top).toEqual(['服务态度', '办事效率与等候', '材料与流程', '政策与标准', '系统与设备', '环境与设施', '咨询与指引', '其他']);
    expect(list[0]).toEqual({ code: 'ATTITUDE', parentCode: null, name: '服务态度', sort: 0, retired: false, usedBy: 0 });
    expect(list[1]).toMatchObject({ code: 'ATTITUDE_RUDE', parentCode: 'ATTITUDE' });
    for (const c of list.filter((x) => x.parentCode !== null)) expect(list.find((p) => p.code === c.parentCode)?.parentCode).toBeNull();
    expect(list.filter((c) => c.parentCode === 'EFFICIENCY').map((c) => c.code)).toEqual([
      'EFFICIENCY_WAITING',
      'EFFICIENCY_SLOW',
      'EFFICIENCY_WINDOWS',
    ]);
    await categories(supervisor);
    await http().get('/api/v1/problem-categories').expect(401);
  });

  it('admins add, rename and retire categories (audited); others may not; bad input names every field', async () => {
    await http()
      .post('/api/v1/problem-categories')
      .set('Authorization', supervisor)
      .send({ code: 'EFFICIENCY_BOOKING', name: '预约难', parentCode: 'EFFICIENCY' })
      .expect(403);
    const bad = await http()
      .post('/api/v1/problem-categories')
      .set('Authorization', admin)
      .send({ code: 'bad code', name: '', parentCode: 'x' })
      .expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['code', 'name', 'parentCode']);
    const nested = await http()
      .post('/api/v1/problem-categories')
      .set('Authorization', admin)
      .send({ code: 'TOO_DEEP', name: '三级', parentCode: 'EFFICIENCY_WAITING' })
      .expect(400);
    expect(nested.body.errors).toEqual([{ field: 'parentCode', message: 'is itself a sub-category (two levels only)' }]);

    const created = await http()
      .post('/api/v1/problem-categories')
      .set('Authorization', admin)
      .send({ code: 'EFFICIENCY_BOOKING', name: '预约难', parentCode: 'EFFICIENCY' })
      .expect(201);
    expect(created.body).toMatchObject({ code: 'EFFICIENCY_BOOKING', parentCode: 'EFFICIENCY', name: '预约难', retired: false, usedBy: 0 });
    await http()
      .post('/api/v1/problem-categories')
      .set('Authorization', admin)
      .send({ code: 'EFFICIENCY_BOOKING', name: '重复' })
      .expect(409);
    const renamed = await http()
      .patch('/api/v1/problem-categories/EFFICIENCY_BOOKING')
      .set('Authorization', admin)
      .send({ name: '网上预约难' })
      .expect(200);
    expect(renamed.body).toMatchObject({ code: 'EFFICIENCY_BOOKING', name: '网上预约难' });
    await http().patch('/api/v1/problem-categories/NOPE').set('Authorization', admin).send({ name: 'x' }).expect(404);
    await http().patch('/api/v1/problem-categories/EFFICIENCY_BOOKING').set('Authorization', operator).send({ retired: true }).expect(403);

    const audit = await sql<{ action: string; actor: string; before: unknown; after: { name: string } }>(
      db.url,
      `SELECT action, actor, before, after FROM rectification.problem_category_changes WHERE code = 'EFFICIENCY_BOOKING' ORDER BY id`,
    );
    expect(audit).toEqual([
      {
        action: 'CREATE',
        actor: 'admin-1',
        before: null,
        after: { parentCode: 'EFFICIENCY', name: '预约难', sort: expect.any(Number), retired: false },
      },
      {
        action: 'UPDATE',
        actor: 'admin-1',
        before: expect.objectContaining({ name: '预约难' }),
        after: expect.objectContaining({ name: '网上预约难' }),
      },
    ]);
  });

  it('rectify requires an active problemCategory; the case, its event and usedBy carry it; a used category is retired, never deleted', async () => {
    const c = await responded('窗口人员态度很差，说话很冲');
    const missing = await act(c.id, 'rectify', operator, { outcome: 'RECTIFIED', measures: '已批评教育' }).expect(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'problemCategory' })]);
    const unknown = await act(c.id, 'rectify', operator, {
      outcome: 'RECTIFIED',
      measures: '已批评教育',
      problemCategory: 'NO_SUCH',
    }).expect(400);
    expect(unknown.body.errors).toEqual([{ field: 'problemCategory', message: 'is not a known problem category' }]);

    const rectified = (
      await act(c.id, 'rectify', operator, { outcome: 'RECTIFIED', measures: '已批评教育', problemCategory: 'ATTITUDE_RUDE' }).expect(200)
    ).body;
    expect(rectified).toMatchObject({ status: 'RECTIFIED', problemCategory: 'ATTITUDE_RUDE' });
    const events = await sql<{ type: string; category: string | null }>(
      db.url,
      `SELECT payload ->> 'type' AS type, payload -> 'data' ->> 'problemCategory' AS category FROM rectification.outbox
        WHERE payload ->> 'subject' = $1 ORDER BY id`,
      [c.id],
    );
    expect(events.at(-1)).toEqual({ type: 'gov.case.rectified', category: 'ATTITUDE_RUDE' });
    expect(events[0]).toEqual({ type: 'gov.case.opened', category: null });
    expect((await categories()).find((x) => x.code === 'ATTITUDE_RUDE')?.usedBy).toBe(1);

    // Retiring: the case keeps its category, the code can no longer be chosen nor is it listed by default.
    await http().patch('/api/v1/problem-categories/ATTITUDE_RUDE').set('Authorization', admin).send({ retired: true }).expect(200);
    expect((await categories()).some((x) => x.code === 'ATTITUDE_RUDE')).toBe(false);
    expect((await categories(operator, '?includeRetired=true')).find((x) => x.code === 'ATTITUDE_RUDE')).toMatchObject({
      retired: true,
      usedBy: 1,
    });
    const d = await responded('态度太差');
    const retired = await act(d.id, 'rectify', operator, {
      outcome: 'RECTIFIED',
      measures: '已整改',
      problemCategory: 'ATTITUDE_RUDE',
    }).expect(400);
    expect(retired.body.errors).toEqual([{ field: 'problemCategory', message: 'is a retired problem category' }]);
    const again = (await http().get(`/api/v1/cases/${c.id}`).set('Authorization', operator).expect(200)).body;
    expect(again.problemCategory).toBe('ATTITUDE_RUDE');
    await http().patch('/api/v1/problem-categories/ATTITUDE_RUDE').set('Authorization', admin).send({ retired: false }).expect(200);
    // A top-level code is accepted too.
    await act(d.id, 'rectify', operator, { outcome: 'RECTIFIED', measures: '已整改', problemCategory: 'ATTITUDE' }).expect(200);
  });

  it('suggests categories from the text and tags, and similar earlier cases of the same service item across units', async () => {
    const item = '310105-XK-0042';
    const earlier = await responded('排队排了两个小时，叫号太慢', 'CN-02', { serviceItemCode: item, tags: [] });
    await act(earlier.id, 'rectify', otherOperator, {
      outcome: 'RECTIFIED',
      measures: '高峰时段增开窗口',
      problemCategory: 'EFFICIENCY_WAITING',
    }).expect(200);
    const unrelated = await responded('停车场没有车位', 'CN-02', { serviceItemCode: item, tags: [] });
    const otherItem = await responded('排队排了一上午', 'CN-02', { serviceItemCode: '310105-XK-9999', tags: [] });
    const current = await responded('排队等了一个多小时才轮到我', 'CN-01', { serviceItemCode: item, tags: ['EFFICIENCY'] });

    const body = (await http().get(`/api/v1/cases/${current.id}/suggestions`).set('Authorization', operator).expect(200)).body;
    expect(body.categories[0]).toEqual({ code: 'EFFICIENCY_WAITING', score: expect.any(Number) });
    expect(body.categories[0].score).toBeGreaterThan(0.3);
    expect(body.categories.reduce((s: number, c: { score: number }) => s + c.score, 0)).toBeLessThanOrEqual(1.001);
    expect(body.similarCases).toEqual([
      { id: earlier.id, unitCode: 'CN-02', serviceItemCode: item, snippet: '排队排了两个小时，叫号太慢', similarity: expect.any(Number) },
    ]);
    const ids = body.similarCases.map((s: { id: string }) => s.id);
    expect(ids).not.toContain(unrelated.id);
    expect(ids).not.toContain(otherItem.id);

    // A hotspot links to its cases through the list's filters.
    const byItem = (await http().get(`/api/v1/cases?serviceItemCode=${item}`).set('Authorization', supervisor).expect(200)).body;
    expect(byItem.items.map((c: CaseBody) => c.id).sort()).toEqual([earlier.id, unrelated.id, current.id].sort());
    const byCategory = (await http().get('/api/v1/cases?problemCategory=EFFICIENCY').set('Authorization', supervisor).expect(200)).body;
    expect(byCategory.items.map((c: CaseBody) => c.id)).toEqual([earlier.id]);

    await http().get(`/api/v1/cases/${current.id}/suggestions`).set('Authorization', otherOperator).expect(403);
    await http().get(`/api/v1/cases/00000000-0000-4000-8000-00000000dead/suggestions`).set('Authorization', supervisor).expect(404);
  });
});
