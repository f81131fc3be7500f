import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Bad reviews whose case deadline rests on a provisional calendar day, for the bulletin's footnote. */
export class ProvisionalDeadlineRollups1733500000001 implements MigrationInterface {
  name = 'ProvisionalDeadlineRollups1733500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE review_facts ADD COLUMN deadline_provisional boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE provisional_deadline_rollups (
        unit_code text NOT NULL,
        day date NOT NULL,
        reviews integer NOT NULL DEFAULT 0,
        CONSTRAINT "PK_provisional_deadline_rollups" PRIMARY KEY (unit_code, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE provisional_deadline_rollups`);
    await q.query(`ALTER TABLE review_facts DROP COLUMN deadline_provisional`);
  }
}
