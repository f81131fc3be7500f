import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When the dispatcher last tried to deliver a hotline reply: the admin's view of each 12345 client's deliveries. */
export class HotlineCallbackLastAttempt1733700000000 implements MigrationInterface {
  name = 'HotlineCallbackLastAttempt1733700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hotline_callbacks ADD COLUMN last_attempt_at timestamptz`);
    // Replies delivered before the column existed were last tried when they were delivered.
    await q.query(`UPDATE hotline_callbacks SET last_attempt_at = delivered_at WHERE delivered_at IS NOT NULL`);
    await q.query(`CREATE INDEX hotline_callbacks_client_idx ON hotline_callbacks (client_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX hotline_callbacks_client_idx`);
    await q.query(`ALTER TABLE hotline_callbacks DROP COLUMN last_attempt_at`);
  }
}
