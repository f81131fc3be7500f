import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log holds every admin action of the three services: which service recorded the entry, the
 * actor's role, and the line a person reads (in Chinese). Entries of rectification and statistics
 * arrive as gov.audit.recorded events; the index serves the console's filter by date.
 */
export class AuditSummaries1734900000000 implements MigrationInterface {
  name = 'AuditSummaries1734900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_log
        ADD COLUMN service text NOT NULL DEFAULT 'intake',
        ADD COLUMN actor_role text,
        ADD COLUMN summary text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP COLUMN summary, DROP COLUMN actor_role, DROP COLUMN service`);
  }
}
