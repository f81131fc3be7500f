import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An imported bad review may carry how the previous platform handled it (POST /imports/ratings
 * `handling`): it is kept with the review, so that statistics' rebuild counts it as the incremental
 * path does (WriteImportedRatingsHandling1734200200000 fills it).
 */
export class ImportHandling1734200100000 implements MigrationInterface {
  name = 'ImportHandling1734200100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews ADD COLUMN handling jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews DROP COLUMN handling`);
  }
}
