import pg from 'pg';

/** Drops this run's template databases (`tpl_<TEST_TEMPLATE_RUN>_…`, libs/testing createTestDatabase), then stops the embedded server. */
export default async function globalTeardown(): Promise<void> {
  const run = process.env.TEST_TEMPLATE_RUN;
  if (run && process.env.DATABASE_URL) await dropTemplates(process.env.DATABASE_URL, `tpl_${run}_`);
  const db = (globalThis as { __embeddedPostgres?: { stop(): Promise<void> } }).__embeddedPostgres;
  if (db) await db.stop();
}

async function dropTemplates(url: string, prefix: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [prefix]);
    for (const { datname } of rows) {
      await admin.query(`ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`);
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
