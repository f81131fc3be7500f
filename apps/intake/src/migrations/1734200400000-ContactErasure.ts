import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PIPL retention in intake: when the retention sweep erased a review's or a 办不成事 report's
 * contact (name, phone, the originals of masked free text), and an index that finds the reviews
 * still holding one by their receipt.
 */
export class ContactErasure1734200400000 implements MigrationInterface {
  name = 'ContactErasure1734200400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews ADD COLUMN contact_erased_at timestamptz`);
    await q.query(`ALTER TABLE unresolved_reports ADD COLUMN contact_erased_at timestamptz`);
    await q.query(`CREATE INDEX reviews_contact_retention_idx ON reviews (received_at) WHERE contact_sealed IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reviews_contact_retention_idx`);
    await q.query(`ALTER TABLE unresolved_reports DROP COLUMN contact_erased_at`);
    await q.query(`ALTER TABLE reviews DROP COLUMN contact_erased_at`);
  }
}
