import pg from 'pg';

/**
 * Drops this run's template databases (`tpl_<TEST_TEMPLATE_RUN>_…`, libs/testing createTestDatabase), then stops
 * the embedded server. On the embedded server, which only this run uses, templates an interrupted run left go too.
 */
export default async function globalTeardown(): Promise<void> {
  const run = process.env.TEST_TEMPLATE_RUN;
  const db = (globalThis as { __embeddedPostgres?: { stop(): Promise<void> } }).__embeddedPostgres;
  if (run && process.env.DATABASE_URL) await dropTemplates(process.env.DATABASE_URL, db ? 'tpl_' : `tpl_${run}_`);
  if (db) await db.stop();
}

async function dropTemplates(url: string, prefix: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string; datistemplate: boolean }>(
      `SELECT datname, datistemplate FROM pg_database WHERE starts_with(datname, $1)`,
      [prefix],
    );
    for (const { datname, datistemplate } of rows) {
      // A template cannot be dropped; one half-built when a run was killed is no template (and may be invalid).
      if (datistemplate) await admin.query(`ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`);
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
