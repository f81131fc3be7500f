import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  type CaseLifecycleData,
  type CaseOutcome,
  type CaseStatus,
  CHANNELS,
  type ImprovementActionStatus,
  type ProblemClassData,
  PROBLEM_CLASS_TYPES,
  createCloudEvent,
  EventTypes,
  Topics,
  gradeOfHotline,
  HOTLINE_CATEGORIES,
  hotlineCategoryOf,
  opensCase,
  RATING_CHANNELS,
  STAGES,
  type UnitRegisteredData,
  type UnitUpdatedData,
  type UnresolvedReportedData,
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

/** A small seeded PRNG (mulberry32), so a failing stream can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROLLUP_QUERIES = {
  review_rollups: `SELECT unit_code, day::text, channel, level, reviews, responded, responded_on_time, rectified, open, overdue, appeals_upheld
    FROM statistics.review_rollups WHERE reviews + responded + responded_on_time + rectified + open + overdue + appeals_upheld <> 0`,
  bad_pending_rollups: `SELECT unit_code, day::text, due_day::text, pending FROM statistics.bad_pending_rollups WHERE pending <> 0`,
  bad_tag_rollups: `SELECT unit_code, day::text, tag, reviews FROM statistics.bad_tag_rollups WHERE reviews <> 0`,
  bad_item_rollups: `SELECT unit_code, day::text, service_item_code, reviews FROM statistics.bad_item_rollups WHERE reviews <> 0`,
  unresolved_rollups: `SELECT unit_code, day::text, total, closed FROM statistics.unresolved_rollups WHERE total + closed <> 0`,
  hotline_rollups: `SELECT unit_code, day::text, category, total, closed, overdue FROM statistics.hotline_rollups WHERE total + closed + overdue <> 0`,
  units: `SELECT unit_code, unit_name, disabled_on::text FROM statistics.units`,
  provisional_deadline_rollups: `SELECT unit_code, day::text, reviews FROM statistics.provisional_deadline_rollups WHERE reviews <> 0`,
  bad_category_rollups: `SELECT unit_code, day::text, category, reviews FROM statistics.bad_category_rollups WHERE reviews <> 0`,
  problem_class_facts: `SELECT class_id, version, category_code, status, opened_day::text, solved_day::text, unit_codes FROM statistics.problem_class_facts`,
  problem_class_case_facts: `SELECT class_id, case_id, unit_code FROM statistics.problem_class_case_facts`,
};

/**
 * The property that incremental = rebuild, on the one code path: the consumers add `contribution(after) −
 * contribution(before)` event by event (through shuffled, repeated and stale events); the rebuild sums
 * `contribution(fact)` over the facts the consumers stored. The database holds statistics' schema alone: the
 * rebuild reads no other service's tables.
 */
describe('statistics: rebuild from its own facts equals the incrementally maintained rollups', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  const eventIds = new Set<string>();

  async function publish<T extends { unitCode: string } | { classId: string }>(
    topic: string,
    type: string,
    data: T,
    id?: string,
  ): Promise<string> {
    const event = createCloudEvent({ type, source: 'test', data, id });
    await sql.query(`INSERT INTO event_bus.events (topic, message_key, event_id, value) VALUES ($1, $2, $3, $4)`, [
      topic,
      'unitCode' in data ? data.unitCode : data.classId,
      event.id,
      JSON.stringify(event),
    ]);
    eventIds.add(event.id);
    return event.id;
  }

  async function snapshot(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const [table, query] of Object.entries(ROLLUP_QUERIES)) {
      out[table] = (await sql.query(query)).rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  }

  beforeAll(async () => {
    db = await createTestDatabase('stats_rebuild', { migrated: ['statistics'] });
    applyTestEnv(db.url);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    app = await startTestService(StatisticsModule, STATISTICS_APP);
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await db?.drop();
  });

  it('after a randomized stream with unit registrations, hotline categories, duplicates, stale versions, suspect flips, appeals and a publication', async () => {
    const seed = Number(process.env.STATS_SEED ?? Date.now() % 1_000_000);
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const units = ['CN-01', 'CN-02', 'CN-03'];
    // Every registered unit, also ones that never get a review (CN-04, CN-05), is announced by intake.
    for (const code of [...units, 'CN-04', 'CN-05']) {
      const unit: UnitRegisteredData = { unitCode: code, unitName: `单位${code}`, registeredAt: '2024-09-01T00:00:00.000Z' };
      const id = await publish(Topics.ReviewsSubmitted, EventTypes.UnitRegistered, unit);
      if (rnd() < 0.3) await publish(Topics.ReviewsSubmitted, EventTypes.UnitRegistered, unit, id);
    }
    // Renamed, disabled and enabled again (gov.unit.updated). CN-03 is disabled before
    // the quarter but has reviews in it (listed; its reviews' events still carry the old name, which must not come
    // back); CN-04 is disabled on its first day in Shanghai, still 30 September in UTC (listed); CN-05 the evening
    // before it began (not listed); CN-02 is disabled and enabled again (listed).
    const updates: Array<[string, string, string | null]> = [
      ['CN-02', '单位CN-02', '2024-08-01T10:00:00+08:00'],
      ['CN-02', '单位CN-02', null],
      ['CN-03', '新单位CN-03', null],
      ['CN-03', '新单位CN-03', '2024-08-20T10:00:00+08:00'],
      ['CN-04', '单位CN-04', '2024-10-01T07:30:00+08:00'],
      ['CN-05', '新单位CN-05', '2024-09-30T23:30:00+08:00'],
    ];
    for (const [code, name, disabledAt] of updates) {
      const at = disabledAt && new Date(disabledAt).toISOString();
      const update: UnitUpdatedData = {
        unitCode: code,
        unitName: name,
        disabled: at !== null,
        disabledAt: at,
        updatedAt: at ?? '2024-09-01T00:00:00.000Z',
      };
      const id = await publish(Topics.ReviewsSubmitted, EventTypes.UnitUpdated, update);
      if (rnd() < 0.3) await publish(Topics.ReviewsSubmitted, EventTypes.UnitUpdated, update, id);
    }
    const tags = ['ATTITUDE', 'EFFICIENCY', 'PROCESS', 'OTHER'];
    const items = [null, 'S-1', 'S-2', 'S-3'];
    const statuses: CaseStatus[] = ['PENDING', 'ACCEPTED', 'RESPONDED', 'RECTIFIED', 'CLOSED', 'APPEALING'];
    const outcomes: Record<CaseStatus, Array<CaseOutcome | null>> = {
      PENDING: [null],
      ACCEPTED: [null],
      RESPONDED: [null],
      RECTIFIED: ['RECTIFIED', 'EXPLAINED'],
      CLOSED: ['RECTIFIED', 'EXPLAINED', 'APPEAL_UPHELD', 'APPEAL_UPHELD'],
      APPEALING: [null],
    };
    const day = () => `2024-${pick(['09', '10', '11', '12'])}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
    const categories = [null, 'EFFICIENCY_WAITING', 'EFFICIENCY_SLOW', 'ATTITUDE_RUDE', 'PROCESS', 'OTHER'];
    /** Every case written, for the problem classes to group. */
    const allCases: Array<{ caseId: string; unitCode: string }> = [];

    /** A random case history, its events shuffled. */
    async function caseHistory(
      target: { reviewId: string | null; reportId: string | null; unitCode: string },
      source: CaseLifecycleData['source'],
    ) {
      const states: CaseLifecycleData[] = [];
      const caseId = randomUUID();
      const steps = 1 + Math.floor(rnd() * 5);
      for (let version = 1; version <= steps; version++) {
        const status = version === 1 ? 'PENDING' : pick(statuses);
        const responded = status !== 'PENDING' && status !== 'ACCEPTED' && rnd() < 0.8;
        states.push({
          caseId,
          source,
          unitCode: target.unitCode,
          reviewId: target.reviewId,
          reportId: target.reportId,
          ticketId: null,
          status,
          outcome: pick(outcomes[status]),
          openedAt: '2024-10-01T09:00:00+08:00',
          responseDueAt: rnd() < 0.3 ? '2099-01-05T23:59:59.999+08:00' : `${day()}T23:59:59.999+08:00`,
          rectifyDueAt: '2099-01-10T23:59:59.999+08:00',
          respondedAt: responded ? '2024-10-02T09:00:00+08:00' : null,
          respondedOnTime: responded ? rnd() < 0.6 : null,
          rectifiedAt: null,
          closedAt: null,
          overdue: rnd() < 0.3,
          reopenedCount: 0,
          version,
          actor: 'test',
          note: null,
          deadlineProvisional: rnd() < 0.3,
          // The 问题分类 chosen at the latest rectify: every event carries the case's (null before one).
          problemCategory: status === 'RECTIFIED' || status === 'CLOSED' ? pick(categories) : (states.at(-1)?.problemCategory ?? null),
        });
      }
      allCases.push({ caseId, unitCode: target.unitCode });
      // Shuffled (stale versions arrive late) with some redeliveries of the same event id.
      for (const state of states.sort(() => rnd() - 0.5)) {
        const id = await publish(Topics.CasesLifecycle, EventTypes.CaseResponded, state);
        if (rnd() < 0.2) await publish(Topics.CasesLifecycle, EventTypes.CaseResponded, state, id);
      }
    }

    for (let i = 0; i < 120; i++) {
      const hotline = rnd() < 0.25;
      const level = hotline ? null : ((1 + Math.floor(rnd() * 5)) as 1 | 2 | 3 | 4 | 5);
      // A transfer's category (one from before categories counted carries none: a complaint).
      const category = hotline ? pick([...HOTLINE_CATEGORIES, null]) : null;
      const grade = hotline ? gradeOfHotline(hotlineCategoryOf(category)) : level! <= 2 ? 'BAD' : 'GOOD';
      const ratedAt = `${day()}T${pick(['00:30', '09:00', '23:30'])}:00+08:00`;
      const item = pick(items);
      const unitCode = pick(units);
      const data = reviewSubmittedData({
        unitCode,
        unitName: `单位${unitCode}`,
        // Every channel a rating arrives by, and both stages of a matter (一事一评).
        channel: hotline ? 'HOTLINE_12345' : pick(RATING_CHANNELS),
        ...(hotline ? {} : { stage: pick(STAGES) }),
        level,
        grade,
        tags: grade === 'BAD' && !hotline ? tags.filter(() => rnd() < 0.4) : [],
        serviceItemCode: item,
        serviceItemName: item && `事项${item}`,
        ratedAt,
        suspect: rnd() < 0.15,
        category,
      });
      // An imported bad review handled on the previous platform: no case, its figures from the history.
      if (grade === 'BAD' && !hotline && rnd() < 0.3) {
        data.imported = true;
        data.handling = {
          respondedAt: new Date(Date.parse(ratedAt) + 3_600_000).toISOString(),
          respondedOnTime: rnd() < 0.6,
          outcome: pick(['RECTIFIED', 'EXPLAINED', 'APPEAL_UPHELD'] as const),
          closedAt: null,
        };
      }
      const id = await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSubmitted, data);
      if (rnd() < 0.2) await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSubmitted, data, id);
      let suspect = data.suspect;
      for (let flips = Math.floor(rnd() * 3); flips > 0; flips--) {
        suspect = !suspect;
        await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSuspectChanged, {
          reviewId: data.reviewId,
          unitCode: data.unitCode,
          suspect,
          reason: null,
        });
      }
      if (opensCase(data) && rnd() < 0.85)
        await caseHistory({ reviewId: data.reviewId, reportId: null, unitCode: data.unitCode }, hotline ? 'HOTLINE' : 'BAD_REVIEW');
    }
    // Three bad reviews whose cases end rectified under three 问题分类, on three days: the category rollup is never
    // (nearly) empty, whatever the seed.
    for (const [k, problemCategory] of (['EFFICIENCY_WAITING', 'ATTITUDE_RUDE', 'PROCESS'] as const).entries()) {
      const unitCode = units[k]!;
      const ratedAt = `2024-11-0${k + 1}T10:00:00+08:00`;
      const data = reviewSubmittedData({
        unitCode,
        unitName: `单位${unitCode}`,
        level: 1,
        grade: 'BAD',
        tags: ['OTHER'],
        serviceItemCode: 'S-1',
        serviceItemName: '事项S-1',
        ratedAt,
        suspect: false,
      });
      await publish(Topics.ReviewsSubmitted, EventTypes.ReviewSubmitted, data);
      const state = caseLifecycleData({ unitCode, reviewId: data.reviewId, status: 'RECTIFIED', outcome: 'RECTIFIED', openedAt: ratedAt });
      allCases.push({ caseId: state.caseId, unitCode });
      await publish(Topics.CasesLifecycle, EventTypes.CaseRectified, {
        ...state,
        respondedAt: ratedAt,
        respondedOnTime: true,
        version: 4,
        problemCategory,
      });
    }
    for (let i = 0; i < 15; i++) {
      const report: UnresolvedReportedData = {
        reportId: randomUUID(),
        unitCode: pick(units),
        unitName: '',
        matter: '事项',
        description: '说明',
        serviceItemCode: null,
        reportedAt: `${day()}T10:00:00+08:00`,
        reportedBy: 'operator',
        contact: { maskedName: null, maskedPhone: null, sealed: null },
      };
      report.unitName = `单位${report.unitCode}`;
      await publish(Topics.UnresolvedReported, EventTypes.UnresolvedReported, report);
      if (rnd() < 0.8) await caseHistory({ reviewId: null, reportId: report.reportId, unitCode: report.unitCode }, 'UNRESOLVED');
    }

    // 类问题 over those cases: random histories (shuffled, redelivered).
    const actionStatuses: ImprovementActionStatus[] = ['ASSIGNED', 'REPORTED', 'RETURNED', 'ACCEPTED'];
    for (let i = 0; i < 8; i++) {
      const classId = randomUUID();
      const openedAt = `${day()}T${pick(['00:10', '10:00', '23:50'])}:00+08:00`;
      const states: ProblemClassData[] = [];
      for (let version = 1; version <= 1 + Math.floor(rnd() * 4); version++) {
        const cases = allCases.filter(() => rnd() < 0.1).slice(0, 6);
        if (cases.length === 0) cases.push(pick(allCases));
        const solved = version > 1 && rnd() < 0.5;
        const actions = Array.from({ length: solved ? 1 + Math.floor(rnd() * 2) : Math.floor(rnd() * 3) }, () => ({
          actionId: randomUUID(),
          unitCode: pick([...units, 'CN-04']),
          status: solved ? ('ACCEPTED' as const) : pick(actionStatuses.slice(0, 3)),
          dueAt: '2024-12-20T15:59:59.999Z',
          reportedAt: null,
          acceptedAt: null,
        }));
        states.push({
          classId,
          title: `类问题${i}`,
          categoryCode: pick(categories.filter((c) => c !== null)),
          status: solved ? 'SOLVED' : 'OPEN',
          openedAt,
          solvedAt: solved ? `${day()}T${pick(['00:10', '10:00', '23:50'])}:00+08:00` : null,
          cases,
          actions,
          actionId: null,
          version,
          actor: 'sup',
        });
      }
      for (const state of states.sort(() => rnd() - 0.5)) {
        const id = await publish(Topics.ProblemClasses, pick(PROBLEM_CLASS_TYPES), state);
        if (rnd() < 0.2) await publish(Topics.ProblemClasses, pick(PROBLEM_CLASS_TYPES), state, id);
      }
    }

    await eventually(
      async () =>
        Number(
          (
            await sql.query(
              `SELECT count(*) AS n FROM statistics.processed_events WHERE consumer IN ('statistics.rollups', 'statistics.analysis')`,
            )
          ).rows[0].n,
        ),
      (n) => n === eventIds.size,
      // ~700 events, each its own inbox transaction: on a 2-core machine shared with parallel suites this takes a while.
      75_000,
    );
    const supervisor = bearer('supervisor');
    const quarterly = (query: string) =>
      request(app.getHttpServer())
        .get(`/api/v1/reports/quarterly?year=2024&quarter=4${query}`)
        .set('Authorization', supervisor)
        .expect(200);
    const report = async () => ({ ...(await quarterly('&live=true')).body, generatedAt: undefined });
    const incremental = await snapshot();
    const incrementalReport = await report();
    expect(incremental.review_rollups!.length).toBeGreaterThan(10);
    expect(incremental.hotline_rollups!.length).toBeGreaterThan(3);
    expect(incremental.bad_category_rollups!.length).toBeGreaterThanOrEqual(3);
    expect(incremental.problem_class_facts).toHaveLength(8);
    // The analysis section: categories named, classes counted, as the facts say.
    expect(incrementalReport.analysis.byCategory.length).toBeGreaterThan(1);
    for (const c of incrementalReport.analysis.byCategory) expect(c.name).toMatch(/[\u4e00-\u9fff]/);
    const facts = (await sql.query(`SELECT opened_day::text AS o, solved_day::text AS s, status FROM statistics.problem_class_facts`))
      .rows as Array<{
      o: string;
      s: string | null;
      status: string;
    }>;
    const inQ4 = (d: string | null) => d !== null && d >= '2024-10-01' && d <= '2024-12-31';
    expect(incrementalReport.analysis.classes.opened).toBe(facts.filter((f) => inQ4(f.o)).length);
    expect(incrementalReport.analysis.classes.solved).toBe(facts.filter((f) => f.status === 'SOLVED' && inQ4(f.s)).length);
    // Every registered unit is listed incrementally, with or without reviews, under its current name, but CN-05:
    // disabled before the quarter began, without reviews in it.
    expect(incrementalReport.units.map((u: { unitCode: string; unitName: string }) => [u.unitCode, u.unitName]).sort()).toEqual([
      ['CN-01', '单位CN-01'],
      ['CN-02', '单位CN-02'],
      ['CN-03', '新单位CN-03'],
      ['CN-04', '单位CN-04'],
    ]);
    expect(incremental.units).toEqual(
      [
        { unit_code: 'CN-01', unit_name: '单位CN-01', disabled_on: null },
        { unit_code: 'CN-02', unit_name: '单位CN-02', disabled_on: null },
        { unit_code: 'CN-03', unit_name: '新单位CN-03', disabled_on: '2024-08-20' },
        { unit_code: 'CN-04', unit_name: '单位CN-04', disabled_on: '2024-10-01' },
        { unit_code: 'CN-05', unit_name: '新单位CN-05', disabled_on: '2024-09-30' },
      ].map((r) => JSON.stringify(r)),
    );
    // byChannel names every channel, and its counts add up to the reviews' total.
    expect(Object.keys(incrementalReport.reviews.byChannel).sort()).toEqual([...CHANNELS].sort());
    expect(Object.values(incrementalReport.reviews.byChannel as Record<string, number>).reduce((a, n) => a + n, 0)).toBe(
      incrementalReport.reviews.total,
    );
    expect(RATING_CHANNELS.filter((c) => incrementalReport.reviews.byChannel[c] > 0).length).toBeGreaterThan(2);
    expect(incrementalReport.hotline.total).toBe(
      Object.values(incrementalReport.hotline.byCategory as Record<string, number>).reduce((a, n) => a + n, 0),
    );
    // Published before the rebuild: the frozen quarter must not move by a byte through it.
    const published = await request(app.getHttpServer())
      .post('/api/v1/reports/quarterly/publish?year=2024&quarter=4')
      .set('Authorization', supervisor)
      .expect(201);

    // Rollups gone wrong (a lost row, a counter off, a stray row): the rebuild sets them right from the facts.
    await sql.query(`DELETE FROM statistics.hotline_rollups WHERE ctid IN (SELECT ctid FROM statistics.hotline_rollups LIMIT 1)`);
    await sql.query(
      `UPDATE statistics.review_rollups SET reviews = reviews + 7, rectified = rectified + 1
       WHERE ctid IN (SELECT ctid FROM statistics.review_rollups WHERE reviews > 0 LIMIT 1)`,
    );
    await sql.query(`INSERT INTO statistics.bad_tag_rollups (unit_code, day, tag, reviews) VALUES ('CN-01', '2024-10-08', 'STRAY', 3)`);
    expect(await snapshot()).not.toEqual(incremental);
    const rebuilt = await request(app.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', bearer('admin')).expect(200);
    expect(rebuilt.body).toMatchObject({ reviews: 123, unresolvedReports: 15 });
    expect({ seed, rollups: await snapshot() }).toEqual({ seed, rollups: incremental });
    expect(await report()).toEqual(incrementalReport);
    expect((await quarterly('')).text).toBe(published.text);
  });
});
