import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { advisoryLockKey, migrateServiceSchema, serviceDataSourceOptions, type ServiceSchema } from '#libs/database';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * The services' schemas the database starts with, migrated to their latest migration — what
   * those services' own start-up would create. Default: every registered service; `[]` for an
   * empty database (a test that runs migrations itself, or builds a schema by hand).
   */
  migrated?: readonly string[];
}

let loadServiceSchemas: (() => Promise<readonly ServiceSchema[]>) | undefined;

/**
 * The services whose schemas a test database is migrated with (test/setup/service-schemas.ts,
 * a jest setup file, registers intake, rectification and statistics). Loaded only when a
 * template is first built in a run.
 */
export function registerServiceSchemas(load: () => Promise<readonly ServiceSchema[]>): void {
  loadServiceSchemas = load;
}

/**
 * A fresh database on the server of DATABASE_URL, so each test file starts clean. Every
 * migrated set of schemas is built once per jest run into a template database (by the first
 * test file that asks for it, under an advisory lock, through the same `migrateServiceSchema`
 * as a service's start-up) and each test database is a `CREATE DATABASE … TEMPLATE` copy of it:
 * a file pays for a copy, not for every migration. A service booted on it finds nothing pending.
 */
export async function createTestDatabase(prefix = 't', options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set: run the tests through jest (its global setup provides a database).');
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    const template = await migratedTemplate(admin, base, options.migrated);
    await admin.query(template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(base, name),
    drop: async () => {
      const c = new Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** This run's template databases are named `tpl_<run>_…` (test/setup/global-teardown.ts drops them). */
function templatePrefix(run: string): string {
  return `tpl_${run}_`;
}

function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The name of the template holding `wanted` schemas migrated, built first when this run has
 * none yet; undefined for an empty database (or outside a jest run, where nothing is shared).
 */
async function migratedTemplate(admin: Client, base: string, wanted: readonly string[] | undefined): Promise<string | undefined> {
  const run = process.env.TEST_TEMPLATE_RUN; // one per jest run (test/setup/global-setup.ts)
  if (!run || !loadServiceSchemas || wanted?.length === 0) return undefined;
  const registered = await loadServiceSchemas();
  const schemas = wanted
    ? wanted.map((name) => {
        const schema = registered.find((s) => s.schema === name);
        if (!schema)
          throw new Error(`No registered service has the schema "${name}" (registered: ${registered.map((s) => s.schema).join(', ')}).`);
        return schema;
      })
    : registered;
  const template = `${templatePrefix(run)}${schemas.map((s) => s.schema).join('_')}`;
  const lock = advisoryLockKey(`test-template:${template}`);
  await admin.query('SELECT pg_advisory_lock($1)', [lock]);
  try {
    const found = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate`, [template]);
    if (found.rowCount === 0) await buildTemplate(admin, base, template, schemas);
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [lock]);
  }
  return template;
}

async function buildTemplate(admin: Client, base: string, template: string, schemas: readonly ServiceSchema[]): Promise<void> {
  // Built under another name and renamed when complete: a half-built template is never copied.
  const building = `${template}_building`;
  await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${building}"`);
  for (const schema of schemas) {
    // Two connections: migrateServiceSchema holds one for its advisory lock while the migrations run on the other.
    const dataSource = await new DataSource(serviceDataSourceOptions(schema, databaseUrl(base, building), 2)).initialize();
    try {
      await migrateServiceSchema(dataSource, schema.schema);
    } finally {
      await dataSource.destroy();
    }
  }
  await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
  await admin.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE true`);
}
