import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PIPL retention: when a case's reviewer or citizen contact (name, phone, the originals of masked
 * free text) was erased by the retention sweep, PERSONAL_DATA_RETENTION_DAYS after the case closed.
 */
export class CaseContactErasure1734200300000 implements MigrationInterface {
  name = 'CaseContactErasure1734200300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases ADD COLUMN contact_erased_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases DROP COLUMN contact_erased_at`);
  }
}
