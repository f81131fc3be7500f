// Migrations of each service's schema (docs/architecture.md § Migrations), on the compiled code (`npm run build` first):
//   npm run migration:run -- <service|all>        run what is pending (under the same advisory lock as start-up)
//   npm run migration:revert -- <service>         undo the last one
//   npm run migration:generate -- <service> <Name> write apps/<service>/src/migrations/<timestamp>-<Name>.ts
//   npm run migration:check                       drift check: on a scratch database migrated to the end,
//                                                 generating a migration yields nothing, for every service
// DATABASE_URL names the server; migration:check without it starts the embedded PostgreSQL (.data/check-postgres).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { startEmbeddedPostgres } from '#embedded-postgres';
import { migrateServiceSchema, serviceDataSourceOptions, type ServiceSchema } from '#libs/database';
import { INTAKE_SCHEMA } from '../apps/intake/src/data-source.js';
import { RECTIFICATION_SCHEMA } from '../apps/rectification/src/data-source.js';
import { STATISTICS_SCHEMA } from '../apps/statistics/src/data-source.js';

const SERVICES: Record<string, ServiceSchema> = {
  intake: INTAKE_SCHEMA,
  rectification: RECTIFICATION_SCHEMA,
  statistics: STATISTICS_SCHEMA,
};
const say = (line: string) => process.stdout.write(`${line}\n`);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function servicesNamed(name: string | undefined, allowAll: boolean): string[] {
  if (allowAll && name === 'all') return Object.keys(SERVICES);
  if (!name || !(name in SERVICES)) fail(`name a service: ${Object.keys(SERVICES).join(' | ')}${allowAll ? ' | all' : ''}`);
  return [name];
}

function requiredUrl(): string {
  return process.env.DATABASE_URL ?? fail('DATABASE_URL is not set: name the database to migrate.');
}

/** The TypeORM CLI on a service's compiled CLI datasource (apps/<service>/src/data-source.cli.ts). */
function typeormCli(service: string, args: string[], databaseUrl: string): number {
  const result = spawnSync(
    process.execPath,
    ['node_modules/typeorm/cli.js', ...args, '-d', join('dist', 'apps', service, 'src', 'data-source.cli.js')],
    { stdio: 'inherit', env: { ...process.env, DATABASE_URL: databaseUrl } },
  );
  return result.status ?? 1;
}

async function withDataSource<T>(service: string, url: string, work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await new DataSource(serviceDataSourceOptions(SERVICES[service], url, 2)).initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function run(service: string, url: string): Promise<void> {
  await withDataSource(service, url, async (dataSource) => {
    await migrateServiceSchema(dataSource, SERVICES[service].schema);
    const applied = await dataSource.query<Array<{ name: string }>>(
      `SELECT name FROM "${SERVICES[service].schema}".migrations ORDER BY id`,
    );
    say(`${service}: ${applied.length} migrations applied, last ${applied.at(-1)?.name ?? '(none)'}`);
  });
}

/** Generating against a database migrated to the end must find nothing, for every service. */
async function check(): Promise<number> {
  const embedded = process.env.DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ databaseDir: join(process.cwd(), '.data', 'check-postgres'), port: 0, database: 'postgres' });
  const server = embedded?.url ?? requiredUrl();
  const scratch = `migration_check_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${scratch}"`);
  const url = new URL(server);
  url.pathname = `/${scratch}`;
  let failed = 0;
  try {
    for (const service of Object.keys(SERVICES)) {
      await run(service, url.toString());
      const status = typeormCli(
        service,
        ['migration:generate', join('apps', service, 'src', 'migrations', 'Drift'), '--check', '--pretty'],
        url.toString(),
      );
      say(`${service}: ${status === 0 ? 'no drift' : 'DRIFT: the entities and the migrations disagree'}`);
      if (status !== 0) failed++;
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
    await admin.end();
    await embedded?.stop();
  }
  return failed === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const [command, name, migrationName] = process.argv.slice(2);
  switch (command) {
    case 'run':
      for (const service of servicesNamed(name, true)) await run(service, requiredUrl());
      return 0;
    case 'revert': {
      const [service] = servicesNamed(name, false);
      await withDataSource(service, requiredUrl(), (dataSource) => dataSource.undoLastMigration());
      return 0;
    }
    case 'generate': {
      const [service] = servicesNamed(name, false);
      if (!migrationName || !/^[A-Z][A-Za-z0-9]+$/.test(migrationName)) fail('name the migration by what it changes, in PascalCase');
      const status = typeormCli(
        service,
        ['migration:generate', join('apps', service, 'src', 'migrations', migrationName), '--pretty'],
        requiredUrl(),
      );
      if (status === 0) say(`now list it in apps/${service}/src/data-source.ts (migrations), after the others`);
      return status;
    }
    case 'check':
      return check();
    default:
      fail('usage: migrations.js run|revert|generate|check [service] [Name]');
  }
}

process.exit(await main());
