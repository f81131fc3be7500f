import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What a unit chose to publish of a closed case as a 以评促改 example (the public pages of statistics). */
export class CasePublication1733400000100 implements MigrationInterface {
  name = 'CasePublication1733400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases ADD COLUMN publishable boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE cases ADD COLUMN published_matter text`);
    await q.query(`ALTER TABLE cases ADD COLUMN published_measures text`);
    await q.query(`ALTER TABLE cases ADD COLUMN publication_changed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['publication_changed_at', 'published_measures', 'published_matter', 'publishable']) {
      await q.query(`ALTER TABLE cases DROP COLUMN ${column}`);
    }
  }
}
