import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { migrateServiceSchema, requireMigratedSchema, serviceDataSourceOptions } from '#libs/database';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { STATISTICS_SCHEMA } from '../../apps/statistics/src/data-source.js';
import { applyTestEnv, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';

/**
 * MIGRATE_ON_START=false (deploy/: migrations run in a release Job, not by every pod): a service refuses to
 * start while a migration of its schema is pending, naming it, and starts once the Job has migrated.
 */
describe('MIGRATE_ON_START=false', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let statistics: INestApplication | undefined;
  const names = (STATISTICS_SCHEMA.migrations as Array<{ name: string }>).map((m) => m.name);

  beforeAll(async () => {
    db = await createTestDatabase('nomigrate', { migrated: [] });
    applyTestEnv(db.url);
    process.env.MIGRATE_ON_START = 'false';
    dataSource = await new DataSource(serviceDataSourceOptions(STATISTICS_SCHEMA, db.url, 2)).initialize();
  });

  afterAll(async () => {
    delete process.env.MIGRATE_ON_START;
    await statistics?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('an empty database: every migration is named as pending, and the service does not start', async () => {
    await expect(requireMigratedSchema(dataSource, 'statistics')).rejects.toThrow(
      `MIGRATE_ON_START=false and ${names.length} migration(s) of schema "statistics" are pending (${names.join(', ')})`,
    );
    await expect(startTestService(StatisticsModule, { ...STATISTICS_APP, shutdownHooks: false })).rejects.toThrow(
      /migration\(s\) of schema "statistics" are pending/,
    );
    const [{ tables }] = await dataSource.query<Array<{ tables: number }>>(
      `SELECT count(*)::int AS tables FROM information_schema.tables WHERE table_schema = 'statistics'`,
    );
    expect(tables).toBe(0);
  });

  it('one migration undone: that one is named', async () => {
    await migrateServiceSchema(dataSource, 'statistics');
    await dataSource.undoLastMigration();
    await expect(requireMigratedSchema(dataSource, 'statistics')).rejects.toThrow(
      `1 migration(s) of schema "statistics" are pending (${names.at(-1)})`,
    );
  });

  it('migrated by the Job: the service starts and is ready', async () => {
    await migrateServiceSchema(dataSource, 'statistics');
    await expect(requireMigratedSchema(dataSource, 'statistics')).resolves.toBeUndefined();
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    const ready = await request(statistics.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.database.status).toBe('up');
  });
});
