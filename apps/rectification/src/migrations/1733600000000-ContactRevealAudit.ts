import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The contact-reveal audit reads the timeline's reveals newest first. */
export class ContactRevealAudit1733600000000 implements MigrationInterface {
  name = 'ContactRevealAudit1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX case_timeline_reveals_idx ON case_timeline (at, id) WHERE action = 'reveal-contact'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX case_timeline_reveals_idx`);
  }
}
