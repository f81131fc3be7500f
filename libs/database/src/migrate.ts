import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

function lockKey(name: string): string {
  return BigInt.asIntN(64, BigInt('0x' + createHash('sha256').update(name).digest('hex').slice(0, 16))).toString();
}

/**
 * Creates the service's schema and runs its pending migrations under a
 * PostgreSQL advisory lock, so several instances starting at once migrate once.
 */
export async function migrateServiceSchema(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [lockKey(`migrate:${schema}`)]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [lockKey(`migrate:${schema}`)]).catch(() => undefined);
    await runner.release();
  }
}

/** The schema is behind the code and this service may not migrate it (MIGRATE_ON_START=false). */
export class PendingMigrationsError extends Error {
  override readonly name = 'PendingMigrationsError';
}

/**
 * For a service that does not migrate on start-up (a release Job does): refuses to start while
 * any migration of its schema is pending, naming them, so a pod never runs on an older schema.
 */
export async function requireMigratedSchema(dataSource: DataSource, schema: string): Promise<void> {
  const table = `"${schema}".migrations`;
  const [{ present }] = await dataSource.query<Array<{ present: boolean }>>('SELECT to_regclass($1) IS NOT NULL AS present', [
    `${schema}.migrations`,
  ]);
  const applied = present
    ? new Set((await dataSource.query<Array<{ name: string }>>(`SELECT name FROM ${table}`)).map((r) => r.name))
    : new Set();
  const pending = dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
  if (pending.length) {
    throw new PendingMigrationsError(
      `MIGRATE_ON_START=false and ${pending.length} migration(s) of schema "${schema}" are pending (${pending.join(', ')}): ` +
        'run the migration Job (node dist/scripts/migrations.js run all) first',
    );
  }
}

export { lockKey as advisoryLockKey };
