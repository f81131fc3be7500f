import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Client } from 'pg';
import request from 'supertest';
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

/** Asserts that the incrementally kept rollups equal what POST /reports/rebuild computes from statistics' facts. */
export async function expectRollupsEqualRebuild(app: INestApplication, sql: Client): Promise<void> {
  const incremental = await rollupSnapshot(sql);
  await request(app.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', bearer('admin')).expect(200);
  expect(await rollupSnapshot(sql)).toEqual(incremental);
}

/** `count` review events of one unit, a minute apart (every 10th bad, with its case's gov.case.responded). */
export function reviewEvents(
  unitCode: string,
  count: number,
): { reviews: Array<CloudEvent<unknown>>; cases: Array<CloudEvent<CaseLifecycleData>> } {
  const reviews: Array<CloudEvent<unknown>> = [];
  const cases: Array<CloudEvent<CaseLifecycleData>> = [];
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
  return { reviews, cases };
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
