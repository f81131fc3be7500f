import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The report's `hotline` section: 12345 transfers by unit × Shanghai day (of transferredAt) ×
 * category, with closed and overdue cases; review facts remember the transfer's category.
 */
export class HotlineRollups1733200300000 implements MigrationInterface {
  name = 'HotlineRollups1733200300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE review_facts ADD COLUMN category text`);
    await q.query(`
      CREATE TABLE hotline_rollups (
        unit_code text NOT NULL,
        day date NOT NULL,
        category text NOT NULL,
        total integer NOT NULL DEFAULT 0,
        closed integer NOT NULL DEFAULT 0,
        overdue integer NOT NULL DEFAULT 0,
        CONSTRAINT "PK_hotline_rollups" PRIMARY KEY (unit_code, day, category)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE hotline_rollups`);
    await q.query(`ALTER TABLE review_facts DROP COLUMN category`);
  }
}
