import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_SCHEMA } from '../../apps/statistics/src/data-source.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { Topics } from '#libs/contracts';
import { advisoryLockKey, migrateServiceSchema, serviceDataSourceOptions } from '#libs/database';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  eventually,
  registerDevice,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

/** The parts of a quarterly report this test reads. */
interface QuarterFigures {
  reviews: { total: number; bad: number };
  badReviews: Record<string, number>;
  unresolvedReports: { total: number; closed: number };
  units: Array<{ unitCode: string; unitName: string }>;
}

/** The topics each consumer group reads (the embedded bus keeps one offset per group). */
const GROUP_TOPICS: Record<string, string[]> = {
  statistics: [Topics.ReviewsSubmitted, Topics.CasesLifecycle, Topics.UnresolvedReported, Topics.CasesPublication, Topics.ProblemClasses],
  rectification: [Topics.ReviewsSubmitted, Topics.UnresolvedReported, Topics.HotlineClients],
  intake: [Topics.AuditRecorded],
};

/** Statistics' figures, facts and rollups, as sorted JSON rows. */
const STATE_QUERIES = {
  // Without case_version, the facts' ordering guard: a replay carries the case's current version, which a publication
  // raised without a lifecycle event (the incremental fact holds the version of the last lifecycle event).
  review_facts: `SELECT review_id, submitted, unit_code, day::text, channel, level, grade, tags, service_item_code, suspect,
    case_status, case_outcome, response_due_day::text, responded, responded_on_time, overdue, category, deadline_provisional, problem_category
    FROM statistics.review_facts`,
  unresolved_facts: `SELECT report_id, submitted, unit_code, day::text, case_status FROM statistics.unresolved_facts`,
  review_rollups: `SELECT unit_code, day::text, channel, level, reviews, responded, responded_on_time, rectified, open, overdue, appeals_upheld
    FROM statistics.review_rollups WHERE reviews + responded + responded_on_time + rectified + open + overdue + appeals_upheld <> 0`,
  bad_pending_rollups: `SELECT unit_code, day::text, due_day::text, pending FROM statistics.bad_pending_rollups WHERE pending <> 0`,
  bad_tag_rollups: `SELECT unit_code, day::text, tag, reviews FROM statistics.bad_tag_rollups WHERE reviews <> 0`,
  bad_item_rollups: `SELECT unit_code, day::text, service_item_code, reviews FROM statistics.bad_item_rollups WHERE reviews <> 0`,
  bad_category_rollups: `SELECT unit_code, day::text, category, reviews FROM statistics.bad_category_rollups WHERE reviews <> 0`,
  unresolved_rollups: `SELECT unit_code, day::text, total, closed FROM statistics.unresolved_rollups WHERE total + closed <> 0`,
  units: `SELECT unit_code, unit_name, disabled_on::text FROM statistics.units`,
  service_items: `SELECT service_item_code, service_item_name FROM statistics.service_items`,
  problem_class_facts: `SELECT class_id, version, category_code, status, opened_day::text, solved_day::text, unit_codes FROM statistics.problem_class_facts`,
  problem_class_case_facts: `SELECT class_id, case_id, unit_code FROM statistics.problem_class_case_facts`,
  public_case_examples: `SELECT * FROM statistics.public_case_examples`,
};

/**
 * A statistics schema lost entirely comes back from intake's and rectification's replays (POST /admin/replay), through
 * the ordinary outboxes, bus and consumers: the same facts, rollups and report figures, exactly. A second replay is
 * applied (new event ids) and changes nothing; rectification opens no case from a replayed review.
 */
describe('statistics lost and replayed from intake and rectification', () => {
  let db: TestDatabase;
  let sql: Client;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');
  const operator = (unit: string) => bearer('unit_operator', unit);
  let devices: Record<string, Credential>;

  const rate = async (unit: string, rating: Record<string, unknown>) => {
    const path = '/api/v1/ratings';
    const raw = JSON.stringify(rating);
    const res = await request(intake.getHttpServer())
      .post(path)
      .set(deviceHeaders(devices[unit]!, 'POST', path, raw))
      .send(raw);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    return res.body as { id: string; grade: string };
  };
  const act = (caseId: string, action: string, auth: string, body: object = {}) =>
    request(rectification.getHttpServer()).post(`/api/v1/cases/${caseId}/${action}`).set('Authorization', auth).send(body).expect(200);

  /** Every outbox published and every consumer group past the last event of its topics. */
  async function drained(): Promise<void> {
    await eventually(
      async () => {
        const [outboxes] = (
          await sql.query(
            `SELECT (SELECT count(*) FROM intake.outbox WHERE published_at IS NULL) + (SELECT count(*) FROM rectification.outbox WHERE published_at IS NULL)
               + (SELECT count(*) FROM statistics.outbox WHERE published_at IS NULL) AS n`,
          )
        ).rows as Array<{ n: string }>;
        let behind = Number(outboxes!.n);
        for (const [group, topics] of Object.entries(GROUP_TOPICS)) {
          const { rows } = await sql.query(
            `SELECT count(*) AS n FROM event_bus.events WHERE topic = ANY($2)
               AND seq > coalesce((SELECT last_seq FROM event_bus.group_offsets WHERE group_id = $1), 0)`,
            [group, topics],
          );
          behind += Number(rows[0].n);
        }
        return behind;
      },
      (n) => n === 0,
      60_000,
    );
  }

  async function state(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const [name, query] of Object.entries(STATE_QUERIES))
      out[name] = (await sql.query(query)).rows.map((r) => JSON.stringify(r)).sort();
    return out;
  }

  /** The live figures of 2024-Q4 (all units, one unit, and the summary of a range), without their generation time. */
  async function figures(): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const path of [
      '/api/v1/reports/quarterly?year=2024&quarter=4',
      '/api/v1/reports/quarterly?year=2024&quarter=4&unitCode=CN-01',
      '/api/v1/reports/summary?from=2024-11-01&to=2024-11-30',
    ]) {
      const res = await request(statistics.getHttpServer()).get(path).set('Authorization', supervisor).expect(200);
      out.push({ ...res.body, generatedAt: undefined });
    }
    return out;
  }

  const caseCount = async () => Number((await sql.query(`SELECT count(*) AS n FROM rectification.cases`)).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase('stats_replay');
    applyTestEnv(db.url);
    process.env.RATING_MAX_AGE_DAYS = '3660'; // ratings on fixed dates of 2024-Q4
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    devices = {
      'CN-01': await registerDevice(intake.getHttpServer(), { code: 'CN-01', name: '区市场监督管理局' }, 'A01'),
      'CN-02': await registerDevice(intake.getHttpServer(), { code: 'CN-02', name: '区税务局' }, 'B01'),
    };
    // A unit without reviews, disabled in the quarter: listed (statistics keeps its disabled day).
    await request(intake.getHttpServer())
      .post('/api/v1/units')
      .set('Authorization', admin)
      .send({ code: 'CN-03', name: '区统计局' })
      .expect(201);
    await request(intake.getHttpServer()).patch('/api/v1/units/CN-03').set('Authorization', admin).send({ disabled: true }).expect(200);
    // A unit renamed after its ratings: the report names it as the registry now does.
    await request(intake.getHttpServer())
      .patch('/api/v1/units/CN-02')
      .set('Authorization', admin)
      .send({ name: '国家税务总局某区税务局' })
      .expect(200);
  });

  afterAll(async () => {
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await sql?.end();
    await db?.drop();
    delete process.env.RATING_MAX_AGE_DAYS;
  });

  it('gives the same facts, rollups and figures after the schema is lost and both services replay', async () => {
    // Ratings of every level on two units, with tags and service items (offline batches: their arrival is no burst).
    const levels = [5, 4, 1, 5, 2, 3, 5, 1, 2, 5, 4, 1, 5, 2];
    const bad: string[] = [];
    for (const unit of ['CN-01', 'CN-02']) {
      const items = levels.flatMap((level, i) => ((i % 3 === 0) === (unit === 'CN-02') ? [{ i, level }] : []));
      const raw = JSON.stringify({
        ratings: items.map(({ i, level }) => ({
          serviceRecordId: `SR-${i}`,
          serviceItemCode: `310105-XK-000${i % 3}`,
          serviceItemName: ['食品经营许可', '营业执照变更登记', '税务登记信息变更'][i % 3],
          level,
          ...(level <= 2 ? { tags: [['ATTITUDE'], ['EFFICIENCY', 'PROCESS'], ['OTHER']][i % 3] } : {}),
          ratedAt: `2024-11-${String(4 + i).padStart(2, '0')}T10:00:00+08:00`,
        })),
      });
      const path = '/api/v1/ratings/batch';
      const res = await request(intake.getHttpServer())
        .post(path)
        .set(deviceHeaders(devices[unit]!, 'POST', path, raw))
        .send(raw)
        .expect(200);
      const results = res.body.results as Array<{ index: number; status: string; id: string }>;
      expect(results.map((r) => r.status)).toEqual(items.map(() => 'created'));
      items.forEach(({ level }, k) => level <= 2 && bad.push(results[k]!.id));
    }
    // A 刷评 burst (six within 10 s: all flagged), one of them cleared by a supervisor.
    const burst: string[] = [];
    for (let i = 0; i < 6; i++)
      burst.push(
        (
          await rate('CN-01', {
            serviceRecordId: `BURST-${i}`,
            serviceItemCode: '310105-XK-0001',
            level: 5,
            ratedAt: `2024-11-25T09:00:0${i}+08:00`,
          })
        ).id,
      );
    await request(intake.getHttpServer()).post(`/api/v1/ratings/${burst[0]}/clear-suspect`).set('Authorization', supervisor).expect(200);
    // History imported with how the previous platform handled it (no case): an upheld appeal and a late response.
    await request(intake.getHttpServer())
      .post('/api/v1/imports/ratings')
      .set('Authorization', admin)
      .send({
        unitCode: 'CN-02',
        ratings: [
          {
            serviceRecordId: 'OLD-1',
            serviceItemCode: '310105-XK-0002',
            level: 2,
            tags: ['ATTITUDE'],
            ratedAt: '2024-10-09T10:00:00+08:00',
            handling: { respondedAt: '2024-10-09T15:00:00+08:00', outcome: 'APPEAL_UPHELD' },
          },
          {
            serviceRecordId: 'OLD-2',
            serviceItemCode: '310105-XK-0002',
            level: 2,
            ratedAt: '2024-10-10T10:00:00+08:00',
            handling: { respondedAt: '2024-10-15T15:00:00+08:00', respondedOnTime: false, outcome: 'RECTIFIED' },
          },
          { serviceRecordId: 'OLD-3', serviceItemCode: '310105-XK-0002', level: 5, ratedAt: '2024-10-11T10:00:00+08:00' },
        ],
      })
      .expect(200);
    // A 办不成事 report.
    await request(intake.getHttpServer())
      .post('/api/v1/unresolved-reports')
      .set('Authorization', operator('CN-01'))
      .send({ matter: '个体工商户营业执照跨区迁移', description: '系统不支持跨区迁移', reportedAt: '2024-11-21T10:00:00+08:00' })
      .expect(201);

    // The cases of the bad ratings, taken through the workflow: rectified and closed, rectified, responded, upheld appeal, open.
    const cases = await eventually(
      async () =>
        (await request(rectification.getHttpServer()).get('/api/v1/cases?pageSize=100').set('Authorization', supervisor).expect(200))
          .body as {
          total: number;
          items: Array<{ id: string; reviewId: string | null; unitCode: string }>;
        },
      (page) => page.total === bad.length + 1,
    );
    const ofReview = (id: string) => cases.items.find((c) => c.reviewId === id)!;
    const now = () => new Date().toISOString();
    const [closed, rectified, responded, appealed] = bad.map(ofReview);
    for (const c of [closed!, rectified!, responded!, appealed!]) {
      await act(c.id, 'accept', operator(c.unitCode), { note: '已签收' });
    }
    for (const c of [closed!, rectified!, responded!]) {
      await act(c.id, 'respond', operator(c.unitCode), { contactedAt: now(), method: 'PHONE', note: '已电话联系' });
    }
    for (const c of [closed!, rectified!])
      await act(c.id, 'rectify', operator(c.unitCode), {
        outcome: 'RECTIFIED',
        measures: '增设窗口',
        problemCategory: 'EFFICIENCY_WINDOWS',
      });
    await act(closed!.id, 'feedback', operator(closed!.unitCode), { reviewerSatisfied: true, note: '满意' });
    await act(appealed!.id, 'appeal', operator(appealed!.unitCode), { reason: '评价人误操作' });
    await act(appealed!.id, 'decide-appeal', supervisor, { upheld: true, note: '查实误评' });
    // The closed case published as a 以评促改 example.
    await request(rectification.getHttpServer())
      .put(`/api/v1/cases/${closed!.id}/publication`)
      .set('Authorization', operator(closed!.unitCode))
      .send({ publishable: true })
      .expect(200);
    // A 类问题 over two of the cases.
    await request(rectification.getHttpServer())
      .post('/api/v1/problem-classes')
      .set('Authorization', supervisor)
      .send({
        title: '窗口排队等候时间长',
        categoryCode: 'EFFICIENCY_WAITING',
        description: '周一上午排队超过一小时',
        caseIds: [closed!.id, responded!.id],
      })
      .expect(201);

    await drained();
    const before = await state();
    const figuresBefore = await figures();
    const [quarter] = figuresBefore as QuarterFigures[];
    // What the stream above makes of 2024-Q4: counted reviews (burst left out but the cleared one, the upheld ones out).
    expect(quarter!.reviews).toMatchObject({ total: 16, bad: 6 });
    expect(quarter!.badReviews).toMatchObject({ rectified: 3, appealsUpheld: 2 });
    expect(quarter!.unresolvedReports).toEqual({ total: 1, closed: 0 });
    expect(quarter!.units.map((u) => [u.unitCode, u.unitName])).toEqual(
      expect.arrayContaining([
        ['CN-01', '区市场监督管理局'],
        ['CN-02', '国家税务总局某区税务局'],
        ['CN-03', '区统计局'],
      ]),
    );
    expect(before.problem_class_facts).toHaveLength(1);
    expect(before.public_case_examples).toHaveLength(1);
    expect(before.review_facts).toHaveLength(14 + 6 + 3);
    const casesBefore = await caseCount();

    // The statistics schema is lost entirely: dropped and migrated afresh, the service started again on it.
    await statistics.close();
    await sql.query(`DROP SCHEMA statistics CASCADE`);
    const ds = new DataSource(serviceDataSourceOptions(STATISTICS_SCHEMA, db.url, 2));
    await ds.initialize();
    try {
      await migrateServiceSchema(ds, STATISTICS_SCHEMA.schema);
    } finally {
      await ds.destroy();
    }
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    const [empty] = (await figures()) as QuarterFigures[];
    expect(empty!.reviews.total).toBe(0);
    expect(empty!.units).toEqual([]);

    // Only an admin replays.
    await request(intake.getHttpServer()).post('/api/v1/admin/replay').set('Authorization', supervisor).expect(403);
    await request(rectification.getHttpServer()).post('/api/v1/admin/replay').set('Authorization', operator('CN-01')).expect(403);
    const fromIntake = await request(intake.getHttpServer()).post('/api/v1/admin/replay').set('Authorization', admin).expect(200);
    // Units: three registered, one of them disabled (registered + updated); every review and report once.
    expect(fromIntake.body).toMatchObject({ units: 3, reviews: 23, unresolvedReports: 1, events: 3 + 1 + 23 + 1 });
    const fromRectification = await request(rectification.getHttpServer())
      .post('/api/v1/admin/replay')
      .set('Authorization', admin)
      .expect(200);
    expect(fromRectification.body).toMatchObject({ cases: casesBefore, problemClasses: 1 });
    expect(fromRectification.body.problemCategories).toBeGreaterThan(10);
    expect(fromRectification.body.replayId).not.toBe(fromIntake.body.replayId);
    await drained();

    expect(await state()).toEqual(before);
    expect(await figures()).toEqual(figuresBefore);
    // Rectification passed the replayed reviews and report over: no case opened, no clock restarted.
    expect(await caseCount()).toBe(casesBefore);

    // A second replay: new deliveries (new event ids, applied by the inbox), the same facts: nothing moves.
    const processed = async () => Number((await sql.query(`SELECT count(*) AS n FROM statistics.processed_events`)).rows[0].n);
    const processedOnce = await processed();
    await request(intake.getHttpServer()).post('/api/v1/admin/replay').set('Authorization', admin).expect(200);
    await request(rectification.getHttpServer()).post('/api/v1/admin/replay').set('Authorization', admin).expect(200);
    await drained();
    expect(await processed()).toBeGreaterThan(processedOnce);
    expect(await state()).toEqual(before);
    expect(await figures()).toEqual(figuresBefore);
    // And the rebuild from statistics' own facts agrees.
    await request(statistics.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', admin).expect(200);
    expect(await state()).toEqual(before);
    expect(await figures()).toEqual(figuresBefore);

    // One replay of a service at a time, whichever replica runs it: one already running answers 409.
    await sql.query(`SELECT pg_advisory_lock($1)`, [advisoryLockKey('replay:intake')]);
    const running = await request(intake.getHttpServer()).post('/api/v1/admin/replay').set('Authorization', admin).expect(409);
    expect(running.body.code).toBe('CONFLICT');
    await sql.query(`SELECT pg_advisory_unlock($1)`, [advisoryLockKey('replay:intake')]);

    // Every replay is in the audit log, by service, with its counts.
    const audit = await request(intake.getHttpServer()).get('/api/v1/audit?action=EVENTS_REPLAYED').set('Authorization', admin).expect(200);
    const entries = (audit.body.items as Array<{ action: string; service: string; summary: string }>).map((e) => [e.service, e.summary]);
    expect(entries.sort()).toEqual(
      [
        ['intake', '重新发送全部数据供统计重建：单位 3 个、评价 23 条、办不成事反映 1 条'],
        ['intake', '重新发送全部数据供统计重建：单位 3 个、评价 23 条、办不成事反映 1 条'],
        ['rectification', expect.stringMatching(/^重新发送全部数据供统计重建：问题分类 \d+ 个、案件 7 件、类问题 1 个$/)],
        ['rectification', expect.stringMatching(/^重新发送全部数据供统计重建：问题分类 \d+ 个、案件 7 件、类问题 1 个$/)],
      ].sort(),
    );
  });
});
