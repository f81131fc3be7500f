import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What every replica must agree on:
 * - `rate_limits`: the counters of rate-limiter-flexible's PostgreSQL store (its own table layout: key,
 *   points, expire in epoch ms) — device request rates, item budgets, failed signatures, failed logins.
 * - `users.session_version`: raised by every change that must end the tokens already issued (role or
 *   unit change, disabling, password change or reset); access tokens carry it as `sv`.
 * - `session_live(user, family, version)`: the one question every service's JWT guard asks (tokens
 *   carry the login's refresh family as `sid`): is the account enabled, at this version, and the
 *   login not signed out. Rectification and statistics call it instead of reading the tables.
 */
export class SharedLimitsAndSessions1734100000000 implements MigrationInterface {
  name = 'SharedLimitsAndSessions1734100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
    await q.query(`ALTER TABLE users ADD COLUMN session_version integer NOT NULL DEFAULT 0`);
    // The per-account lockout is replaced by the throttle per (username, address) in rate_limits.
    await q.query(`ALTER TABLE users DROP COLUMN failed_attempts, DROP COLUMN locked_until`);
    await q.query(`
      CREATE FUNCTION intake.session_live(p_user uuid, p_family uuid, p_version integer) RETURNS boolean
      LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
                 SELECT 1 FROM intake.users u
                  WHERE u.id = p_user AND u.disabled_at IS NULL AND u.session_version = p_version)
           AND EXISTS (
                 SELECT 1 FROM intake.refresh_tokens t
                  WHERE t.family_id = p_family AND t.user_id = p_user AND t.revoked_at IS NULL)
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION intake.session_live(uuid, uuid, integer)`);
    await q.query(`ALTER TABLE users ADD COLUMN failed_attempts int NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz`);
    await q.query(`ALTER TABLE users DROP COLUMN session_version`);
    await q.query(`DROP TABLE rate_limits`);
  }
}
