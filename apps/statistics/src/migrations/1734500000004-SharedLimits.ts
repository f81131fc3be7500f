import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The counters of the heavy-read limits (reports, exports, bulletins per caller), shared by every statistics
 * replica: rate-limiter-flexible's PostgreSQL layout (key, points, expire in epoch ms), UNLOGGED like intake's and
 * rectification's — counters are worth nothing after a crash, so no WAL is written for them.
 */
export class SharedLimits1734500000004 implements MigrationInterface {
  name = 'SharedLimits1734500000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limits`);
  }
}
