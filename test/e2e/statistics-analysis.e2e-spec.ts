import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  type CaseLifecycleData,
  createCloudEvent,
  EventTypes,
  type ProblemClassData,
  type ReviewSubmittedData,
  Topics,
} from '#libs/contracts';
import {
  applyTestEnv,
  bearer,
  caseLifecycleData,
  createTestDatabase,
  eventually,
  reviewSubmittedData,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

describe('the report’s analysis: bad reviews by 问题分类, 类问题 opened and solved, in JSON, CSV, the bulletin and the published snapshot', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  let published = 0;
  const supervisor = bearer('supervisor', undefined, { sub: 'sup-1' });
  const http = () => request(app.getHttpServer());

  async function publish(topic: string, type: string, key: string, data: object) {
    const event = createCloudEvent({ type, source: 'test', data });
    await sql.query(`INSERT INTO event_bus.events (topic, message_key, event_id, value) VALUES ($1, $2, $3, $4)`, [
      topic,
      key,
      event.id,
      JSON.stringify(event),
    ]);
    published++;
  }
  /** A bad review of `unitCode` on `day`, its case rectified with `category` (none: not rectified yet). */
  async function bad(unitCode: string, day: string, category: string | null, extra: Partial<CaseLifecycleData> = {}) {
    const r: ReviewSubmittedData = reviewSubmittedData({ unitCode, level: 1, grade: 'BAD', ratedAt: `${day}T10:00:00+08:00` });
    await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSubmitted, unitCode, r);
    const caseId = randomUUID();
    if (category)
      await publish(
        Topics.CasesLifecycle,
        EventTypes.CaseRectified,
        unitCode,
        caseLifecycleData({
          caseId,
          source: 'BAD_REVIEW',
          unitCode,
          reviewId: r.reviewId,
          status: 'RECTIFIED',
          version: 4,
          problemCategory: category,
          ...extra,
        }),
      );
    return { caseId, unitCode };
  }
  async function classEvent(type: string, data: Omit<ProblemClassData, 'title' | 'actionId' | 'actor'>) {
    await publish(Topics.ProblemClasses, type, data.classId, { ...data, title: '类问题', actionId: null, actor: 'sup-1' });
  }

  beforeAll(async () => {
    db = await createTestDatabase('stats_analysis');
    applyTestEnv(db.url);
    app = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // 2024 Q3: 态度 ×2, 效率 ×1.
    await bad('CN-01', '2024-07-10', 'ATTITUDE_RUDE');
    await bad('CN-01', '2024-08-10', 'ATTITUDE');
    const c5 = await bad('CN-02', '2024-09-05', 'EFFICIENCY_SLOW');
    // 2024 Q4: 效率 ×3 (sub-categories count for their category), 态度 ×1, one not yet rectified, one removed by an upheld appeal.
    const c1 = await bad('CN-01', '2024-10-03', 'EFFICIENCY_WAITING');
    const c2 = await bad('CN-01', '2024-10-04', 'EFFICIENCY_WAITING');
    const c3 = await bad('CN-02', '2024-10-05', 'EFFICIENCY');
    const c4 = await bad('CN-01', '2024-11-03', 'ATTITUDE_RUDE');
    await bad('CN-01', '2024-11-04', null);
    await bad('CN-02', '2024-11-05', 'EFFICIENCY_WAITING', { status: 'CLOSED', outcome: 'APPEAL_UPHELD', version: 6 });
    // An admin renamed a category: the report names it so.
    await publish(Topics.ProblemClasses, EventTypes.ProblemCategoryChanged, 'problem-categories', {
      code: 'EFFICIENCY',
      parentCode: null,
      name: '办事效率与等候时间',
      sort: 4,
      retired: false,
    });
    const action = (unitCode: string, status: 'ASSIGNED' | 'ACCEPTED') => ({
      actionId: randomUUID(),
      unitCode,
      status,
      dueAt: '2024-11-30T15:59:59.999Z',
      reportedAt: null,
      acceptedAt: null,
    });
    // A: opened and solved in Q4 (c1, c2, c3); its solving event arrives before a stale one.
    const a = randomUUID();
    const aBase = {
      classId: a,
      categoryCode: 'EFFICIENCY_WAITING',
      openedAt: '2024-10-05T09:00:00+08:00',
      cases: [c1, c2, c3].map(({ caseId, unitCode }) => ({ caseId, unitCode })),
    };
    await classEvent(EventTypes.ProblemClassOpened, { ...aBase, status: 'OPEN', solvedAt: null, actions: [], version: 1 });
    const aActions = [action('CN-01', 'ACCEPTED'), action('CN-02', 'ACCEPTED')];
    await classEvent(EventTypes.ProblemClassSolved, {
      ...aBase,
      status: 'SOLVED',
      solvedAt: '2024-11-20T16:30:00+08:00',
      actions: aActions,
      version: 5,
    });
    await classEvent(EventTypes.ProblemClassActionAssigned, {
      ...aBase,
      status: 'OPEN',
      solvedAt: null,
      actions: [aActions[0]!],
      version: 2,
    });
    // B: opened in Q4, still open (CN-01 only).
    await classEvent(EventTypes.ProblemClassOpened, {
      classId: randomUUID(),
      categoryCode: 'ATTITUDE_RUDE',
      openedAt: '2024-12-01T09:00:00+08:00',
      cases: [{ caseId: c4.caseId, unitCode: 'CN-01' }],
      status: 'OPEN',
      solvedAt: null,
      actions: [action('CN-01', 'ASSIGNED')],
      version: 2,
    });
    // C: opened in Q3, solved on the first day of Q4 (Shanghai) with c5 and c1 (c1 is counted once).
    await classEvent(EventTypes.ProblemClassSolved, {
      classId: randomUUID(),
      categoryCode: 'EFFICIENCY_SLOW',
      openedAt: '2024-09-10T09:00:00+08:00',
      cases: [c5, c1].map(({ caseId, unitCode }) => ({ caseId, unitCode })),
      status: 'SOLVED',
      solvedAt: '2024-09-30T16:30:00.000Z',
      actions: [action('CN-02', 'ACCEPTED')],
      version: 4,
    });
    await eventually(
      async () =>
        Number(
          (
            await sql.query(
              `SELECT count(*) AS n FROM statistics.processed_events WHERE consumer IN ('statistics.rollups', 'statistics.analysis')`,
            )
          ).rows[0].n,
        ),
      (n) => n === published,
    );
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await db?.drop();
  });

  const quarterly = async (query = '') =>
    await http().get(`/api/v1/reports/quarterly?year=2024&quarter=4${query}`).set('Authorization', supervisor).expect(200);

  it('counts the quarter’s bad reviews by category against the quarter before, and the classes opened, solved and the cases they covered', async () => {
    const { analysis } = (await quarterly()).body;
    expect(analysis).toEqual({
      byCategory: [
        { code: 'EFFICIENCY', name: '办事效率与等候时间', count: 3, previous: 1 },
        { code: 'ATTITUDE', name: '服务态度', count: 1, previous: 2 },
      ],
      classes: { opened: 2, solved: 2, casesCovered: 4 },
      hotspots: [],
    });
    // Q3: C opened; nothing solved (C was solved just after midnight of 1 October, Shanghai).
    const q3 = (await http().get('/api/v1/reports/quarterly?year=2024&quarter=3').set('Authorization', supervisor).expect(200)).body;
    expect(q3.analysis.classes).toEqual({ opened: 1, solved: 0, casesCovered: 0 });
    expect(q3.analysis.byCategory).toEqual([
      { code: 'ATTITUDE', name: '服务态度', count: 2, previous: 0 },
      { code: 'EFFICIENCY', name: '办事效率与等候时间', count: 1, previous: 0 },
    ]);
  });

  it('counts for one unit the classes it has a part in and its own cases; a unit operator sees its own', async () => {
    expect((await quarterly('&unitCode=CN-01')).body.analysis.classes).toEqual({ opened: 2, solved: 2, casesCovered: 2 });
    const cn2 = (
      await http().get('/api/v1/reports/quarterly?year=2024&quarter=4').set('Authorization', bearer('unit_operator', 'CN-02')).expect(200)
    ).body.analysis;
    expect(cn2.classes).toEqual({ opened: 1, solved: 2, casesCovered: 2 });
    expect(cn2.byCategory).toEqual([{ code: 'EFFICIENCY', name: '办事效率与等候时间', count: 1, previous: 1 }]);
  });

  it('goes into the CSV and the bulletin’s 问题分析, and into the published snapshot unchanged', async () => {
    const csv = (await quarterly('&format=csv')).text;
    expect(csv).toContain('破解类问题数,2\r\n');
    expect(csv).toContain('破解类问题涉及诉求数,4\r\n');
    expect(csv).toContain('办事效率与等候时间,EFFICIENCY,3,1\r\n');
    const bulletin = (
      await http().get('/api/v1/reports/quarterly/bulletin?year=2024&quarter=4').set('Authorization', supervisor).expect(200)
    ).text;
    expect(bulletin).toContain('<h2>四、问题分析</h2>');
    expect(bulletin).toContain('本季度通过解决 4 个诉求带动破解 2 类问题');
    expect(bulletin).toContain('<tr><td>1</td><td>办事效率与等候时间</td><td>3</td><td>1</td><td>增加 2 件</td></tr>');
    const live = (await quarterly()).body;
    const frozen = (await http().post('/api/v1/reports/quarterly/publish?year=2024&quarter=4').set('Authorization', supervisor).expect(201))
      .body;
    expect(frozen.analysis).toEqual(live.analysis);
    expect((await quarterly()).body.analysis).toEqual(live.analysis);
    expect((await quarterly('&unitCode=CN-01')).body.published).toMatchObject({ by: 'sup-1' });
    expect((await quarterly('&unitCode=CN-01')).body.analysis.classes).toEqual({ opened: 2, solved: 2, casesCovered: 2 });
  });
});
