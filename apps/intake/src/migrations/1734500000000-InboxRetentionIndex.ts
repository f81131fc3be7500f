import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox (processed_events) is pruned by age (OutboxRelay's retention pass): a BRIN index on processed_at finds
 * the old rows at almost no cost to the inserts, since rows arrive in processed_at order.
 */
export class InboxRetentionIndex1734500000000 implements MigrationInterface {
  name = 'InboxRetentionIndex1734500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX processed_events_processed_at_brin ON processed_events USING brin (processed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX processed_events_processed_at_brin`);
  }
}
