import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The 问题分类 a unit chose at rectify, carried by the case lifecycle events (`problemCategory`), kept on the review's
 * fact; hotspots by category read it by day.
 */
export class ReviewFactProblemCategory1734700000001 implements MigrationInterface {
  name = 'ReviewFactProblemCategory1734700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE review_facts ADD COLUMN problem_category text`);
    await q.query(
      `CREATE INDEX review_facts_problem_category_idx ON review_facts (day, problem_category) WHERE problem_category IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX review_facts_problem_category_idx`);
    await q.query(`ALTER TABLE review_facts DROP COLUMN problem_category`);
  }
}
