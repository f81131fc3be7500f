import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Client } from 'pg';
import request from 'supertest';
import type { QueryRunner } from 'typeorm';
import { InitialIntakeSchema1732406400000 } from '../../apps/intake/src/migrations/1732406400000-InitialIntakeSchema.js';
import { IntakeComplete1732492800000 } from '../../apps/intake/src/migrations/1732492800000-IntakeComplete.js';
import { HotlineTicketsPerClient1733200100000 } from '../../apps/intake/src/migrations/1733200100000-HotlineTicketsPerClient.js';
import { ImportedRatings1733200200000 } from '../../apps/intake/src/migrations/1733200200000-ImportedRatings.js';
import { ImportHandling1734200100000 } from '../../apps/intake/src/migrations/1734200100000-ImportHandling.js';
import { UnitDisabling1735300000000 } from '../../apps/intake/src/migrations/1735300000000-UnitDisabling.js';
import { InitialRectificationSchema1732406400000 } from '../../apps/rectification/src/migrations/1732406400000-InitialRectificationSchema.js';
import { RectificationWorkflow1732579200000 } from '../../apps/rectification/src/migrations/1732579200000-RectificationWorkflow.js';
import { CalendarYearStatus1733500000000 } from '../../apps/rectification/src/migrations/1733500000000-CalendarYearStatus.js';
import { ProblemCategories1734700000000 } from '../../apps/rectification/src/migrations/1734700000000-ProblemCategories.js';
import { type CaseLifecycleData, type CloudEvent, Events, EventTypes, Topics } from '#libs/contracts';
import { bearer, caseLifecycleData, reviewSubmittedData } from '#libs/testing';

/** The rollups as sorted JSON rows, zero rows left out (a rebuild does not write them). */
const ROLLUP_QUERIES = {
  review_rollups: `SELECT unit_code, day::text, channel, level, reviews, responded, responded_on_time, rectified, open, overdue, appeals_upheld
    FROM statistics.review_rollups WHERE reviews + responded + responded_on_time + rectified + open + overdue + appeals_upheld <> 0`,
  bad_pending_rollups: `SELECT unit_code, day::text, due_day::text, pending FROM statistics.bad_pending_rollups WHERE pending <> 0`,
  bad_tag_rollups: `SELECT unit_code, day::text, tag, reviews FROM statistics.bad_tag_rollups WHERE reviews <> 0`,
  bad_item_rollups: `SELECT unit_code, day::text, service_item_code, reviews FROM statistics.bad_item_rollups WHERE reviews <> 0`,
  unresolved_rollups: `SELECT unit_code, day::text, total, closed FROM statistics.unresolved_rollups WHERE total + closed <> 0`,
  hotline_rollups: `SELECT unit_code, day::text, category, total, closed, overdue FROM statistics.hotline_rollups WHERE total + closed + overdue <> 0`,
  provisional_deadline_rollups: `SELECT unit_code, day::text, reviews FROM statistics.provisional_deadline_rollups WHERE reviews <> 0`,
};

export async function rollupSnapshot(sql: Client): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, query] of Object.entries(ROLLUP_QUERIES))
    out[table] = (await sql.query(query)).rows.map((r) => JSON.stringify(r)).sort();
  return out;
}

/** The source tables a rebuild reads (intake's and rectification's schemas), migrated into the test database. */
export async function migrateSourceSchemas(sql: Client): Promise<void> {
  const migrate = async (schema: string, migrations: Array<{ up(q: QueryRunner): Promise<void> }>) => {
    await sql.query(`CREATE SCHEMA ${schema}`);
    await sql.query(`SET search_path TO ${schema}`);
    const runner = { query: async (text: string, params?: unknown[]) => (await sql.query(text, params)).rows } as unknown as QueryRunner;
    for (const m of migrations) await m.up(runner);
    await sql.query(`SET search_path TO public`);
  };
  await migrate('intake', [
    new InitialIntakeSchema1732406400000(),
    new IntakeComplete1732492800000(),
    new HotlineTicketsPerClient1733200100000(),
    new ImportedRatings1733200200000(),
    new ImportHandling1734200100000(),
    new UnitDisabling1735300000000(),
  ]);
  await migrate('rectification', [
    new InitialRectificationSchema1732406400000(),
    new RectificationWorkflow1732579200000(),
    new CalendarYearStatus1733500000000(),
    new ProblemCategories1734700000000(),
  ]);
}

/** Asserts that the incrementally kept rollups equal what POST /reports/rebuild computes from the sources. */
export async function expectRollupsEqualRebuild(app: INestApplication, sql: Client): Promise<void> {
  const incremental = await rollupSnapshot(sql);
  await request(app.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', bearer('admin')).expect(200);
  expect(await rollupSnapshot(sql)).toEqual(incremental);
}

/** Review events with their source rows in intake.reviews (every 10th bad, with a case in rectification.cases). */
export async function reviewsWithSources(
  sql: Client,
  unitCode: string,
  count: number,
): Promise<{ reviews: Array<CloudEvent<unknown>>; cases: Array<CloudEvent<CaseLifecycleData>> }> {
  await sql.query(`INSERT INTO intake.units (code, name) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [unitCode, `单位${unitCode}`]);
  const reviews: Array<CloudEvent<unknown>> = [];
  const cases: Array<CloudEvent<CaseLifecycleData>> = [];
  const rows: unknown[][] = [];
  for (let i = 0; i < count; i++) {
    const level = i % 10 === 0 ? 1 : 5;
    const ratedAt = new Date(Date.parse('2024-11-04T09:00:00+08:00') + i * 60_000).toISOString();
    const data = reviewSubmittedData({
      unitCode,
      unitName: `单位${unitCode}`,
      level,
      ratedAt,
      tags: level === 1 ? ['ATTITUDE'] : [],
      serviceItemCode: 'S-1',
      serviceItemName: '事项S-1',
    });
    reviews.push(Events.reviewSubmitted(data, { source: 'test' }) as CloudEvent<unknown>);
    rows.push([data.reviewId, unitCode, data.channel, level, data.grade, data.tags, 'S-1', '事项S-1', ratedAt]);
    if (level === 1) {
      const state = caseLifecycleData({
        unitCode,
        reviewId: data.reviewId,
        status: 'RESPONDED',
        respondedAt: ratedAt,
        respondedOnTime: true,
        version: 2,
      });
      cases.push(Events.caseChanged(EventTypes.CaseResponded, state, { source: 'test' }) as CloudEvent<CaseLifecycleData>);
    }
  }
  await sql.query(
    `INSERT INTO intake.reviews (id, unit_code, channel, level, grade, tags, service_item_code, service_item_name, rated_at, received_at, suspect, body_hash)
     SELECT (r->>0)::uuid, r->>1, r->>2, (r->>3)::smallint, r->>4, ARRAY(SELECT jsonb_array_elements_text(r->5)), r->>6, r->>7, (r->>8)::timestamptz,
       (r->>8)::timestamptz, false, 'x'
     FROM jsonb_array_elements($1::jsonb) r`,
    [JSON.stringify(rows)],
  );
  for (const c of cases) await insertCase(sql, c.data);
  return { reviews, cases };
}

/** The case's current state as rectification stores it (what a rebuild reads). */
export async function insertCase(sql: Client, c: CaseLifecycleData): Promise<void> {
  await sql.query(
    `INSERT INTO rectification.cases (id, source, unit_code, unit_name, review_id, report_id, status, outcome, opened_at, response_due_at,
       rectify_due_at, responded_at, responded_on_time, overdue, version)
     VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      c.caseId,
      c.source,
      c.unitCode,
      c.reviewId,
      c.reportId,
      c.status,
      c.outcome,
      c.openedAt,
      c.responseDueAt,
      c.rectifyDueAt,
      c.respondedAt,
      c.respondedOnTime,
      c.overdue,
      c.version,
    ],
  );
}

/** Appends events to the embedded bus in one statement, so that the consumer reads them in one batch. */
export async function queueOnBus(sql: Client, topic: string, events: Array<CloudEvent<unknown>>): Promise<void> {
  await sql.query(
    `INSERT INTO event_bus.events (topic, message_key, event_id, value)
     SELECT $1, coalesce(v->'data'->>'unitCode', 'x'), v->>'id', v FROM jsonb_array_elements($2::jsonb) v`,
    [topic, JSON.stringify(events)],
  );
}

export const processedCount = async (sql: Client, outcome?: string): Promise<number> =>
  Number(
    (
      await sql.query(
        `SELECT count(*) AS n FROM statistics.processed_events WHERE consumer = 'statistics.rollups' AND ($1::text IS NULL OR outcome = $1)`,
        [outcome ?? null],
      )
    ).rows[0].n,
  );

export const TOPICS = Topics;
export const uniqueUnit = () => `B-${randomUUID().slice(0, 6)}`;
