import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Claims of intake's scheduled work (libs/messaging ScheduledJobs): one row per job and tick, whichever replica ran it. */
export class ScheduledTicks1734500000005 implements MigrationInterface {
  name = 'ScheduledTicks1734500000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduled_ticks (
        job text NOT NULL,
        tick timestamptz NOT NULL,
        claimed_by text NOT NULL,
        claims integer NOT NULL DEFAULT 1,
        lease_until timestamptz NOT NULL,
        done_at timestamptz,
        CONSTRAINT "PK_scheduled_ticks" PRIMARY KEY (job, tick)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduled_ticks`);
  }
}
