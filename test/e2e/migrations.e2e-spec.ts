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
