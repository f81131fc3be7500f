import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Ratings brought in from a previous platform (POST /imports/ratings) are marked as such. */
export class ImportedRatings1733200200000 implements MigrationInterface {
  name = 'ImportedRatings1733200200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews ADD COLUMN imported boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews DROP COLUMN imported`);
  }
}
