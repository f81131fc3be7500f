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

export { lockKey as advisoryLockKey };
