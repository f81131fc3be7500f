import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTables, dropMessagingTables } from '#libs/messaging';

export class InitialStatisticsSchema1732406400000 implements MigrationInterface {
  name = 'InitialStatisticsSchema1732406400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE review_facts (
        review_id uuid PRIMARY KEY,
        unit_code text NOT NULL,
        day date NOT NULL,
        channel text NOT NULL,
        level smallint NOT NULL,
        grade text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        service_item_code text,
        service_item_name text,
        suspect boolean NOT NULL DEFAULT false,
        appeal_upheld boolean NOT NULL DEFAULT false
      )`);
    await q.query(`
      CREATE TABLE review_rollups (
        unit_code text NOT NULL,
        day date NOT NULL,
        channel text NOT NULL,
        level smallint NOT NULL,
        reviews integer NOT NULL DEFAULT 0,
        CONSTRAINT "PK_review_rollups" PRIMARY KEY (unit_code, day, channel, level)
      )`);
    await q.query(`
      CREATE TABLE units (
        unit_code text PRIMARY KEY,
        unit_name text NOT NULL
      )`);
    await createMessagingTables(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropMessagingTables(q);
    for (const table of ['units', 'review_rollups', 'review_facts']) await q.query(`DROP TABLE ${table}`);
  }
}
