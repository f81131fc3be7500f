// Shared by statistics-seed.ts and statistics-bench.ts (BENCHMARKS.md § Statistics).
import { Client } from 'pg';

export const BENCH_DB = process.env.BENCH_DB ?? 'gov_review_bench';

/** The bench database's URL: DATABASE_URL's server (default the local PostgreSQL) with the database BENCH_DB. */
export function benchDatabaseUrl(): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

/** Creates BENCH_DB on the server if it does not exist yet. */
export async function ensureBenchDatabase(): Promise<string> {
  const url = new URL(benchDatabaseUrl());
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [BENCH_DB]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${BENCH_DB.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  return benchDatabaseUrl();
}

export const log = (msg: string): void => {
  process.stderr.write(`[statistics] ${msg}\n`);
};

export async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  log(`${label}: ${(ms / 1000).toFixed(1)} s`);
  return { value, ms };
}
