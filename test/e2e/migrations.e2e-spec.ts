import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrateServiceSchema, serviceDataSourceOptions, type ServiceSchema } from '#libs/database';
import { INTAKE_SCHEMA } from '../../apps/intake/src/data-source.js';
import { RECTIFICATION_SCHEMA } from '../../apps/rectification/src/data-source.js';
import { STATISTICS_SCHEMA } from '../../apps/statistics/src/data-source.js';
import { createTestDatabase, type TestDatabase } from '#libs/testing';

/**
 * Migration drift check: after every migration has run, TypeORM finds nothing to
 * change between the entities and the schema — generating a migration would yield nothing.
 */
describe.each([
  ['intake', INTAKE_SCHEMA],
  ['rectification', RECTIFICATION_SCHEMA],
  ['statistics', STATISTICS_SCHEMA],
] as Array<[string, ServiceSchema]>)('%s migrations', (_name, schema) => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('drift', { migrated: [] });
    dataSource = await new DataSource(serviceDataSourceOptions(schema, db.url, 2)).initialize();
    await migrateServiceSchema(dataSource, schema.schema);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('leave no difference between the entities and the database', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('are idempotent: running them again changes nothing', async () => {
    await migrateServiceSchema(dataSource, schema.schema);
    const applied = await dataSource.query<Array<{ name: string }>>(`SELECT name FROM "${schema.schema}".migrations ORDER BY id`);
    expect(applied.map((m) => m.name)).toEqual((schema.migrations as Array<{ name: string }>).map((m) => m.name));
  });

  it('roll back cleanly: no table, function or type is left', async () => {
    for (let i = 0; i < (schema.migrations as unknown[]).length; i++) await dataSource.undoLastMigration();
    const tables = await dataSource.query<Array<{ table_name: string }>>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations'`,
      [schema.schema],
    );
    expect(tables).toEqual([]);
    const routinesAndTypes = await dataSource.query<Array<{ name: string }>>(
      `SELECT routine_name AS name FROM information_schema.routines WHERE routine_schema = $1
       UNION ALL
       SELECT user_defined_type_name FROM information_schema.user_defined_types WHERE user_defined_type_schema = $1`,
      [schema.schema],
    );
    expect(routinesAndTypes).toEqual([]);
  });
});

/**
 * What createTestDatabase gives every other test file: a copy of this run's template, which must be
 * exactly what the services' own start-up makes of an empty database.
 */
describe('a test database (a copy of the migrated template)', () => {
  const schemas = [INTAKE_SCHEMA, RECTIFICATION_SCHEMA, STATISTICS_SCHEMA];
  let fresh: TestDatabase;
  let copy: TestDatabase;

  /** Tables, columns, routines, applied migrations and the rows of every table, per service schema. */
  async function shape(url: string): Promise<Record<string, unknown>> {
    const sql = new Client({ connectionString: url });
    await sql.connect();
    try {
      const names = schemas.map((s) => s.schema);
      const columns = await sql.query(
        `SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
         WHERE table_schema = ANY($1) ORDER BY 1, 2, 3`,
        [names],
      );
      const routines = await sql.query(
        `SELECT routine_schema, routine_name FROM information_schema.routines WHERE routine_schema = ANY($1) ORDER BY 1, 2`,
        [names],
      );
      const tables = await sql.query<{ s: string; t: string }>(
        `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
         WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
        [names],
      );
      const rows: Record<string, number> = {};
      for (const { s, t } of tables.rows)
        rows[`${s}.${t}`] = Number((await sql.query(`SELECT count(*) AS n FROM "${s}"."${t}"`)).rows[0].n);
      const applied: Record<string, string[]> = {};
      for (const name of names)
        applied[name] = (await sql.query(`SELECT name FROM "${name}".migrations ORDER BY id`)).rows.map((r) => r.name);
      return { columns: columns.rows, routines: routines.rows, rows, applied };
    } finally {
      await sql.end();
    }
  }

  beforeAll(async () => {
    fresh = await createTestDatabase('fresh', { migrated: [] });
    for (const schema of schemas) {
      const dataSource = await new DataSource(serviceDataSourceOptions(schema, fresh.url, 2)).initialize();
      await migrateServiceSchema(dataSource, schema.schema);
      await dataSource.destroy();
    }
    copy = await createTestDatabase('copy');
  });

  afterAll(async () => {
    await fresh?.drop();
    await copy?.drop();
  });

  it('holds every service schema at its latest migration, as a start-up on an empty database leaves it', async () => {
    const copied = await shape(copy.url);
    expect(copied.applied).toEqual(
      Object.fromEntries(schemas.map((s) => [s.schema, (s.migrations as Array<{ name: string }>).map((m) => m.name)])),
    );
    expect(Object.keys(copied.rows as object).length).toBeGreaterThan(20);
    expect(copied).toEqual(await shape(fresh.url));
  });
});
