import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { EventTypes, ProblemClassSchema, Topics } from '#libs/contracts';
import { applyTestEnv, bearer, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { type CaseBody, openCase, reviewEvent, sql } from './rectification-fixtures.js';

interface ActionBody {
  id: string;
  unitCode: string;
  unitName: string;
  status: string;
  dueAt: string;
  overdue: boolean;
  report: string | null;
  evidence: string[];
  returnNote: string | null;
  returnedCount: number;
  steps: string[];
  classTitle: string;
  reportedAt: string | null;
  acceptedAt: string | null;
}
interface ClassBody {
  id: string;
  title: string;
  status: string;
  solvedAt: string | null;
  caseCount: number;
  unitCodes: string[];
  actionCount: number;
  actionsAccepted: number;
  cases: Array<{ id: string; unitCode: string }>;
  actions: ActionBody[];
  timeline: Array<{ action: string; actor: string; unitCode: string | null; note: string | null; data: Record<string, unknown> }>;
  editable: boolean;
}

describe('类问题: classes of cases, improvement actions, solved when all are accepted', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const supervisor = bearer('supervisor', undefined, { sub: 'sup-1' });
  const admin = bearer('admin', undefined, { sub: 'admin-1' });
  const op1 = bearer('unit_operator', 'CN-01', { sub: 'op-1' });
  const op2 = bearer('unit_operator', 'CN-02', { sub: 'op-2' });
  const http = () => request(app.getHttpServer());
  const post = (path: string, auth: string, body: object = {}) => http().post(`/api/v1${path}`).set('Authorization', auth).send(body);
  const get = (path: string, auth: string) => http().get(`/api/v1${path}`).set('Authorization', auth);
  const fields = (body: { errors: Array<{ field: string }> }) => body.errors.map((e) => e.field).sort();
  let a: CaseBody;
  let b: CaseBody;
  let c: CaseBody;

  beforeAll(async () => {
    db = await createTestDatabase('rect_problem_classes');
    applyTestEnv(db.url);
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
    a = await openCase(app, op1, reviewEvent({ unitCode: 'CN-01', unitName: '区市场监督管理局', comment: '周一上午排队两个小时' }));
    b = await openCase(app, op1, reviewEvent({ unitCode: 'CN-01', unitName: '区市场监督管理局', comment: '取号后等了很久' }));
    c = await openCase(app, op2, reviewEvent({ unitCode: 'CN-02', unitName: '区人力资源和社会保障局', comment: '排队太久没人管' }));
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('refuses bad input naming every field, and anyone but a supervisor', async () => {
    const empty = await post('/problem-classes', supervisor, { title: '', categoryCode: 'bad', caseIds: [] }).expect(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(fields(empty.body)).toEqual(['caseIds', 'categoryCode', 'description', 'title']);
    const unknown = await post('/problem-classes', supervisor, {
      title: '排队时间长',
      categoryCode: 'NO_SUCH_CATEGORY',
      description: '多个窗口排队时间长',
      caseIds: [a.id, randomUUID(), c.id, randomUUID()],
    }).expect(400);
    expect(unknown.body.errors).toEqual([
      { field: 'categoryCode', message: 'is not a known problem category' },
      { field: 'caseIds.1', message: 'is not a known case' },
      { field: 'caseIds.3', message: 'is not a known case' },
    ]);
    const extra = await post('/problem-classes', supervisor, {
      title: 'x',
      categoryCode: 'EFFICIENCY_WAITING',
      description: 'x',
      caseIds: [a.id],
      unitCode: 'CN-01',
    }).expect(400);
    expect(fields(extra.body)).toEqual(['unitCode']);
    const body = { title: '排队时间长', categoryCode: 'EFFICIENCY_WAITING', description: '多个窗口排队时间长', caseIds: [a.id] };
    await post('/problem-classes', op1, body).expect(403);
    await post('/problem-classes', admin, body).expect(403);
    await http().post('/api/v1/problem-classes').send(body).expect(401);
    expect(await sql(db.url, `SELECT id FROM rectification.problem_classes`)).toEqual([]);
  });

  it('walks one class from grouping to SOLVED, each step in the timeline, the events and the audit log; units see only their own', async () => {
    const opened = await post('/problem-classes', supervisor, {
      title: '窗口排队等候时间长',
      categoryCode: 'EFFICIENCY_WAITING',
      description: '两个单位的窗口在周一上午排队超过一小时',
      caseIds: [a.id, c.id],
    }).expect(201);
    const cls = opened.body as ClassBody;
    expect(cls).toMatchObject({
      title: '窗口排队等候时间长',
      categoryCode: 'EFFICIENCY_WAITING',
      categoryName: '排队等候时间长',
      status: 'OPEN',
      solvedAt: null,
      caseCount: 2,
      unitCodes: ['CN-01', 'CN-02'],
      actionCount: 0,
      editable: true,
    });
    expect(cls.cases.map((x) => x.id).sort()).toEqual([a.id, c.id].sort());
    const path = `/problem-classes/${cls.id}`;

    // Cases come and go while the class is open; the last one stays.
    expect(((await post(`${path}/cases`, supervisor, { caseIds: [b.id, a.id] }).expect(200)).body as ClassBody).caseCount).toBe(3);
    expect(
      ((await http().delete(`/api/v1${path}/cases/${b.id}`).set('Authorization', supervisor).expect(200)).body as ClassBody).caseCount,
    ).toBe(2);
    await http().delete(`/api/v1${path}/cases/${b.id}`).set('Authorization', supervisor).expect(404);
    const bad = await post(`${path}/cases`, supervisor, { caseIds: ['not-a-uuid'] }).expect(400);
    expect(fields(bad.body)).toEqual(['caseIds']);

    // Actions: a due time, or working days on the case calendar; exactly one of them, for a unit rectification knows.
    const neither = await post(`${path}/actions`, supervisor, { unitCode: 'CN-09', action: '' }).expect(400);
    expect(fields(neither.body)).toEqual(['action']);
    const both = await post(`${path}/actions`, supervisor, {
      unitCode: 'CN-09',
      action: '增开窗口',
      dueAt: '2001-01-01T00:00:00+08:00',
      workingDays: 5,
    }).expect(400);
    expect(both.body.errors).toEqual([
      { field: 'dueAt', message: 'give dueAt or workingDays, not both' },
      { field: 'workingDays', message: 'give dueAt or workingDays, not both' },
      { field: 'dueAt', message: 'must be in the future' },
      { field: 'unitCode', message: 'is not a unit known to rectification (no case of it)' },
    ]);
    const byDays = (
      await post(`${path}/actions`, supervisor, { unitCode: 'CN-01', action: '周一上午增开两个窗口', workingDays: 5 }).expect(201)
    ).body as ClassBody;
    const due = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const assigned = (
      await post(`${path}/actions`, supervisor, { unitCode: 'CN-02', action: '推行线上预约分时段办理', dueAt: due }).expect(201)
    ).body as ClassBody;
    expect(byDays.actions).toHaveLength(1);
    // The end (23:59:59.999 Asia/Shanghai) of a working day, at least a week away with weekends.
    expect(byDays.actions[0]!.dueAt).toMatch(/T15:59:59\.999Z$/);
    expect(Date.parse(byDays.actions[0]!.dueAt) - Date.now()).toBeGreaterThan(5 * 86_400_000);
    const [act1, act2] = assigned.actions;
    expect(act1).toMatchObject({ unitCode: 'CN-01', unitName: '区市场监督管理局', status: 'ASSIGNED', overdue: false, steps: [] });
    expect(act2).toMatchObject({ unitCode: 'CN-02', status: 'ASSIGNED', dueAt: due });

    // A unit sees only its own actions, cases and steps.
    const mine = (await get('/improvement-actions', op2).expect(200)).body as { items: ActionBody[]; total: number };
    expect(mine.total).toBe(1);
    expect(mine.items[0]).toMatchObject({ id: act2!.id, unitCode: 'CN-02', classTitle: '窗口排队等候时间长', steps: ['report'] });
    await get('/improvement-actions?unitCode=CN-01', op2).expect(403);
    expect(((await get('/improvement-actions', supervisor).expect(200)).body as { total: number }).total).toBe(2);
    const scoped = (await get(path, op2).expect(200)).body as ClassBody;
    expect(scoped.cases.map((x) => x.unitCode)).toEqual(['CN-02']);
    expect(scoped.actions.map((x) => x.unitCode)).toEqual(['CN-02']);
    expect(scoped.unitCodes).toEqual(['CN-02']);
    expect(scoped.editable).toBe(false);
    expect(JSON.stringify(scoped)).not.toContain(a.id);
    expect(JSON.stringify(scoped)).not.toContain('CN-01');
    expect(((await get('/problem-classes', op2).expect(200)).body as { total: number }).total).toBe(1);

    // Only the unit's operator reports; only a reported action is decided.
    const report = { report: '已增开两个窗口并调整排班', evidence: ['排班表（2026年12月）', '窗口现场照片'] };
    await post(`${path}/actions/${act2!.id}/report`, op1, report).expect(403);
    await post(`${path}/actions/${act1!.id}/report`, supervisor, report).expect(403);
    const early = await post(`${path}/actions/${act1!.id}/accept`, supervisor).expect(409);
    expect(early.body.code).toBe('INVALID_TRANSITION');
    const noEvidence = await post(`${path}/actions/${act1!.id}/report`, op1, { report: '', evidence: [] }).expect(400);
    expect(fields(noEvidence.body)).toEqual(['evidence', 'report']);
    await post(`${path}/actions/${act1!.id}/report`, op1, report).expect(200);
    await post(`${path}/actions/${act1!.id}/report`, op1, report).expect(409);
    await post(`${path}/actions/${act1!.id}/return`, supervisor, {}).expect(400);
    const returned = (await post(`${path}/actions/${act1!.id}/return`, supervisor, { note: '请补充取号系统等候时长数据' }).expect(200))
      .body as ClassBody;
    expect(returned.actions[0]).toMatchObject({ status: 'RETURNED', returnNote: '请补充取号系统等候时长数据', returnedCount: 1 });
    await post(`${path}/actions/${act1!.id}/report`, op1, { ...report, evidence: [...report.evidence, '取号系统等候时长统计'] }).expect(
      200,
    );
    const one = (await post(`${path}/actions/${act1!.id}/accept`, supervisor, { note: '措施到位' }).expect(200)).body as ClassBody;
    expect(one).toMatchObject({ status: 'OPEN', actionsAccepted: 1, solvedAt: null });
    await post(`${path}/actions/${act2!.id}/report`, op2, { report: '已上线预约', evidence: ['预约系统截图'] }).expect(200);
    const solved = (await post(`${path}/actions/${act2!.id}/accept`, supervisor).expect(200)).body as ClassBody;
    expect(solved).toMatchObject({ status: 'SOLVED', actionsAccepted: 2, actionCount: 2, editable: false });
    expect(Date.parse(solved.solvedAt!)).toBeGreaterThanOrEqual(Date.parse(solved.actions[1]!.reportedAt!));
    expect(solved.actions.map((x) => x.acceptedAt)).toEqual([one.actions[0]!.acceptedAt, solved.solvedAt]);

    // A solved class is final.
    expect((await post(`${path}/cases`, supervisor, { caseIds: [b.id] }).expect(409)).body.code).toBe('INVALID_TRANSITION');
    await post(`${path}/actions`, supervisor, { unitCode: 'CN-01', action: '再改进', workingDays: 3 }).expect(409);
    await http().delete(`/api/v1${path}/cases/${a.id}`).set('Authorization', supervisor).expect(409);

    expect(
      ((await get('/problem-classes?status=SOLVED', supervisor).expect(200)).body as { items: ClassBody[] }).items.map((x) => x.id),
    ).toEqual([cls.id]);
    expect(((await get('/problem-classes?status=OPEN', supervisor).expect(200)).body as { total: number }).total).toBe(0);
    expect(((await get('/problem-classes?categoryCode=EFFICIENCY', supervisor).expect(200)).body as { total: number }).total).toBe(1);
    expect(fields((await get('/problem-classes?status=DONE', supervisor).expect(400)).body)).toEqual(['status']);

    // Every step: the timeline …
    expect(solved.timeline.map((t) => [t.action, t.actor, t.unitCode])).toEqual([
      ['open', 'sup-1', null],
      ['add-cases', 'sup-1', null],
      ['remove-case', 'sup-1', null],
      ['assign-action', 'sup-1', 'CN-01'],
      ['assign-action', 'sup-1', 'CN-02'],
      ['report-action', 'op-1', 'CN-01'],
      ['return-action', 'sup-1', 'CN-01'],
      ['report-action', 'op-1', 'CN-01'],
      ['accept-action', 'sup-1', 'CN-01'],
      ['report-action', 'op-2', 'CN-02'],
      ['accept-action', 'sup-1', 'CN-02'],
      ['solved', 'sup-1', null],
    ]);
    const unitView = (await get(path, op2).expect(200)).body as ClassBody;
    expect(unitView.timeline.map((t) => t.action)).toEqual(['open', 'assign-action', 'report-action', 'accept-action', 'solved']);

    // … the events, each the class as it stands, versions rising …
    const events = await sql<{ type: string; key: string; data: Record<string, unknown> }>(
      db.url,
      `SELECT payload->>'type' AS type, message_key AS key, payload->'data' AS data FROM rectification.outbox WHERE topic = $1 AND payload->>'subject' = $2 ORDER BY id`,
      [Topics.ProblemClasses, cls.id],
    );
    expect(events.map((e) => e.type)).toEqual([
      EventTypes.ProblemClassOpened,
      EventTypes.ProblemClassCasesChanged,
      EventTypes.ProblemClassCasesChanged,
      EventTypes.ProblemClassActionAssigned,
      EventTypes.ProblemClassActionAssigned,
      EventTypes.ProblemClassActionReported,
      EventTypes.ProblemClassActionReturned,
      EventTypes.ProblemClassActionReported,
      EventTypes.ProblemClassActionAccepted,
      EventTypes.ProblemClassActionReported,
      EventTypes.ProblemClassSolved,
    ]);
    expect(events.map((e) => e.data.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(new Set(events.map((e) => e.key))).toEqual(new Set([cls.id]));
    const last = events.at(-1)!.data;
    expect(last).toMatchObject({
      classId: cls.id,
      status: 'SOLVED',
      solvedAt: solved.solvedAt,
      categoryCode: 'EFFICIENCY_WAITING',
      actionId: act2!.id,
    });
    expect((last.cases as Array<{ caseId: string; unitCode: string }>).sort((x, y) => x.unitCode.localeCompare(y.unitCode))).toEqual([
      { caseId: a.id, unitCode: 'CN-01' },
      { caseId: c.id, unitCode: 'CN-02' },
    ]);
    const { Compile } = await import('typebox/compile');
    const check = Compile(ProblemClassSchema);
    for (const e of events) expect(check.Check(e.data)).toBe(true);
    // Notes, evidence and the description stay in rectification.
    expect(JSON.stringify(events)).not.toContain('排班表');
    expect(JSON.stringify(events)).not.toContain('两个单位的窗口');

    // … and the audit log.
    const audit = await sql<{ action: string; actor: string; summary: string }>(
      db.url,
      `SELECT payload->'data'->>'action' AS action, payload->'data'->>'actorSub' AS actor, payload->'data'->>'summary' AS summary
         FROM rectification.outbox WHERE topic = $1 AND payload->'data'->'detail'->>'classId' = $2 ORDER BY id`,
      [Topics.AuditRecorded, cls.id],
    );
    expect(audit.map((x) => [x.action, x.actor])).toEqual([
      ['PROBLEM_CLASS_OPENED', 'sup-1'],
      ['PROBLEM_CLASS_CASES_CHANGED', 'sup-1'],
      ['PROBLEM_CLASS_CASES_CHANGED', 'sup-1'],
      ['IMPROVEMENT_ACTION_ASSIGNED', 'sup-1'],
      ['IMPROVEMENT_ACTION_ASSIGNED', 'sup-1'],
      ['IMPROVEMENT_ACTION_REPORTED', 'op-1'],
      ['IMPROVEMENT_ACTION_RETURNED', 'sup-1'],
      ['IMPROVEMENT_ACTION_REPORTED', 'op-1'],
      ['IMPROVEMENT_ACTION_ACCEPTED', 'sup-1'],
      ['IMPROVEMENT_ACTION_REPORTED', 'op-2'],
      ['IMPROVEMENT_ACTION_ACCEPTED', 'sup-1'],
    ]);
    expect(audit[0]!.summary).toBe('建立类问题「窗口排队等候时间长」（排队等候时间长），归集 2 件案件');
    expect(audit[6]!.summary).toBe('退回区市场监督管理局报送的类问题「窗口排队等候时间长」整改措施，原因：请补充取号系统等候时长数据');
    expect(audit.at(-1)!.summary).toBe(
      '验收区人力资源和社会保障局落实的类问题「窗口排队等候时间长」整改措施；该类问题全部措施已验收，已破解',
    );
  });

  it('announces category changes to statistics and the audit log', async () => {
    await post('/problem-categories', admin, { code: 'EFFICIENCY_BOOKING', name: '预约难', parentCode: 'EFFICIENCY' }).expect(201);
    await http()
      .patch('/api/v1/problem-categories/EFFICIENCY_BOOKING')
      .set('Authorization', admin)
      .send({ name: '网上预约难' })
      .expect(200);
    const events = await sql<{ type: string; data: Record<string, unknown> }>(
      db.url,
      `SELECT payload->>'type' AS type, payload->'data' AS data FROM rectification.outbox WHERE topic = $1 AND payload->>'type' = $2 ORDER BY id`,
      [Topics.ProblemClasses, EventTypes.ProblemCategoryChanged],
    );
    expect(events.map((e) => e.data)).toEqual([
      { code: 'EFFICIENCY_BOOKING', parentCode: 'EFFICIENCY', name: '预约难', sort: expect.any(Number), retired: false },
      { code: 'EFFICIENCY_BOOKING', parentCode: 'EFFICIENCY', name: '网上预约难', sort: expect.any(Number), retired: false },
    ]);
    const audit = await sql<{ summary: string }>(
      db.url,
      `SELECT payload->'data'->>'summary' AS summary FROM rectification.outbox WHERE topic = $1 AND payload->'data'->>'action' = 'PROBLEM_CATEGORY_CHANGED' ORDER BY id`,
      [Topics.AuditRecorded],
    );
    expect(audit.map((x) => x.summary)).toEqual([
      '新增问题分类「预约难」（EFFICIENCY_BOOKING）',
      '修改问题分类「网上预约难」（EFFICIENCY_BOOKING）',
    ]);
  });
});
