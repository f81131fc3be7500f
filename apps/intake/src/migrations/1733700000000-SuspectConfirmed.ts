import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A supervisor's decision on a 刷评 suspect can also be "confirmed": the rating stays flagged (out of
 * every rate) and is recorded as confirmed, by whom and when, so it leaves the queue of open suspects.
 */
export class SuspectConfirmed1733700000000 implements MigrationInterface {
  name = 'SuspectConfirmed1733700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews ADD COLUMN suspect_confirmed_at timestamptz`);
    await q.query(`ALTER TABLE reviews ADD COLUMN suspect_confirmed_by text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews DROP COLUMN suspect_confirmed_by`);
    await q.query(`ALTER TABLE reviews DROP COLUMN suspect_confirmed_at`);
  }
}
