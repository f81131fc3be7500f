// npm run seed:reviews — loads SEED_REVIEWS (default 10,000,000) realistic reviews into the bench database
// (BENCH_DB, default gov_review_bench, on DATABASE_URL's server) with statistics' facts as its consumers would have
// stored them, then rebuilds the statistics rollups from those facts through the real RebuildService (BENCHMARKS.md § Statistics).
//
// The intake, rectification and statistics schemas are created by their own migrations (serviceDataSourceOptions +
// migrateServiceSchema); the rows by set-based SQL (statistics-dataset.ts). Env: SEED_REVIEWS, SEED_BATCH (default
// 1,000,000), SEED_FROM (first Shanghai day, default 2024-01-01), SEED_SKIP_LOAD=1 (rebuild only).
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { INTAKE_SCHEMA } from '../../apps/intake/src/data-source.js';
import { RECTIFICATION_SCHEMA } from '../../apps/rectification/src/data-source.js';
import { STATISTICS_SCHEMA } from '../../apps/statistics/src/data-source.js';
import { RebuildService } from '../../apps/statistics/src/rollups/rebuild.service.js';
import { RollupsRepository } from '../../apps/statistics/src/rollups/rollups.repository.js';
import { migrateServiceSchema, type ServiceSchema, serviceDataSourceOptions } from '#libs/database';
import { ensureBenchDatabase, log, timed } from './statistics-common.js';
import { seedReviewDataset } from './statistics-dataset.js';

const TOTAL = Number(process.env.SEED_REVIEWS ?? 10_000_000);
const BATCH = Number(process.env.SEED_BATCH ?? 1_000_000);
const FROM = process.env.SEED_FROM ?? '2024-01-01';

async function migrate(url: string, schema: ServiceSchema): Promise<DataSource> {
  const ds = new DataSource(serviceDataSourceOptions(schema, url, 2));
  await ds.initialize();
  await migrateServiceSchema(ds, schema.schema);
  return ds;
}

const url = await ensureBenchDatabase();
log(`database ${url}`);
const sources = [await migrate(url, INTAKE_SCHEMA), await migrate(url, RECTIFICATION_SCHEMA), await migrate(url, STATISTICS_SCHEMA)];
try {
  if (process.env.SEED_SKIP_LOAD !== '1') {
    const sql = new Client({ connectionString: url });
    await sql.connect();
    try {
      const summary = await timed('load', () => seedReviewDataset(sql, { total: TOTAL, batch: BATCH, from: FROM, log }));
      log(`seeded ${JSON.stringify(summary)}`);
    } finally {
      await sql.end();
    }
  }
  const { value, ms } = await timed('rebuild (RebuildService.rebuild)', () =>
    new RebuildService(sources[2]!, new RollupsRepository()).rebuild(),
  );
  process.stdout.write(`${JSON.stringify({ rebuild: value, rebuildMs: Math.round(ms) })}\n`);
} finally {
  for (const ds of sources) await ds.destroy();
}
