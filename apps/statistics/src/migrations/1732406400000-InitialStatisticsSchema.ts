import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTables, dropMessagingTables } from '#libs/messaging';

/** Rollup counters are integers that only ever move by the difference a fact's change makes (see rollups/contribution.ts). */
const COUNTER = 'integer NOT NULL DEFAULT 0';

export class InitialStatisticsSchema1732406400000 implements MigrationInterface {
  name = 'InitialStatisticsSchema1732406400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE review_facts (
        review_id uuid PRIMARY KEY,
        submitted boolean NOT NULL DEFAULT false,
        unit_code text,
        day date,
        channel text,
        level smallint,
        grade text,
        tags text[] NOT NULL DEFAULT '{}',
        service_item_code text,
        suspect boolean NOT NULL DEFAULT false,
        case_version integer NOT NULL DEFAULT 0,
        case_status text,
        case_outcome text,
        response_due_day date,
        responded boolean NOT NULL DEFAULT false,
        responded_on_time boolean NOT NULL DEFAULT false,
        overdue boolean NOT NULL DEFAULT false
      )`);
    await q.query(`
      CREATE TABLE review_rollups (
        unit_code text NOT NULL,
        day date NOT NULL,
        channel text NOT NULL,
        level smallint NOT NULL,
        reviews ${COUNTER},
        responded ${COUNTER},
        responded_on_time ${COUNTER},
        rectified ${COUNTER},
        open ${COUNTER},
        overdue ${COUNTER},
        appeals_upheld ${COUNTER},
        CONSTRAINT "PK_review_rollups" PRIMARY KEY (unit_code, day, channel, level)
      )`);
    await q.query(`
      CREATE TABLE bad_pending_rollups (
        unit_code text NOT NULL,
        day date NOT NULL,
        due_day date NOT NULL,
        pending ${COUNTER},
        CONSTRAINT "PK_bad_pending_rollups" PRIMARY KEY (unit_code, day, due_day)
      )`);
    await q.query(`
      CREATE TABLE bad_tag_rollups (
        unit_code text NOT NULL,
        day date NOT NULL,
        tag text NOT NULL,
        reviews ${COUNTER},
        CONSTRAINT "PK_bad_tag_rollups" PRIMARY KEY (unit_code, day, tag)
      )`);
    await q.query(`
      CREATE TABLE bad_item_rollups (
        unit_code text NOT NULL,
        day date NOT NULL,
        service_item_code text NOT NULL,
        reviews ${COUNTER},
        CONSTRAINT "PK_bad_item_rollups" PRIMARY KEY (unit_code, day, service_item_code)
      )`);
    await q.query(`
      CREATE TABLE unresolved_facts (
        report_id uuid PRIMARY KEY,
        submitted boolean NOT NULL DEFAULT false,
        unit_code text,
        day date,
        case_version integer NOT NULL DEFAULT 0,
        case_status text
      )`);
    await q.query(`
      CREATE TABLE unresolved_rollups (
        unit_code text NOT NULL,
        day date NOT NULL,
        total ${COUNTER},
        closed ${COUNTER},
        CONSTRAINT "PK_unresolved_rollups" PRIMARY KEY (unit_code, day)
      )`);
    await q.query(`
      CREATE TABLE units (
        unit_code text PRIMARY KEY,
        unit_name text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE service_items (
        service_item_code text PRIMARY KEY,
        service_item_name text NOT NULL
      )`);
    await createMessagingTables(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropMessagingTables(q);
    for (const table of [
      'service_items',
      'units',
      'unresolved_rollups',
      'unresolved_facts',
      'bad_item_rollups',
      'bad_tag_rollups',
      'bad_pending_rollups',
      'review_rollups',
      'review_facts',
    ])
      await q.query(`DROP TABLE ${table}`);
  }
}
