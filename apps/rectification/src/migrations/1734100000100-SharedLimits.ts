import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The counters of rate-limiter-flexible's PostgreSQL store (its table layout: key, points, expire in
 * epoch ms): the failed-signature limit of hotline clients holds across replicas.
 */
export class SharedLimits1734100000100 implements MigrationInterface {
  name = 'SharedLimits1734100000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limits`);
  }
}
