// node dist/scripts/bench/replay-bench.js (after npm run build) — how fast intake's POST /admin/replay writes its facts'
// events to the outbox (BENCHMARKS.md § Statistics, replay), on the statistics bench database (npm run seed:reviews):
// the real replay streams, cut after REPLAY_REVIEWS reviews (default 100,000); the replayed outbox rows are deleted
// afterwards, so the bench leaves the database as it found it.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { INTAKE_SCHEMA } from '../../apps/intake/src/data-source.js';
import { INTAKE_REPLAY_STREAMS } from '../../apps/intake/src/replay/replay.service.js';
import { serviceDataSourceOptions } from '#libs/database';
import { FactReplayer, OutboxService, type ReplayStream } from '#libs/messaging';
import { ensureBenchDatabase, log } from './statistics-common.js';

const LIMIT = Number(process.env.REPLAY_REVIEWS ?? 100_000);

const url = await ensureBenchDatabase();
const ds = new DataSource(serviceDataSourceOptions(INTAKE_SCHEMA, url, 2));
await ds.initialize();
try {
  // Each stream stops once it has re-sent LIMIT facts.
  const streams: ReplayStream[] = INTAKE_REPLAY_STREAMS.map((stream) => {
    let sent = 0;
    return {
      name: stream.name,
      read: async (m, after, limit) => {
        if (sent >= LIMIT) return [];
        const facts = await stream.read(m, after, Math.min(limit, LIMIT - sent));
        sent += facts.length;
        return facts;
      },
    };
  });
  const started = Date.now();
  const run = await new FactReplayer(ds, new OutboxService()).replay('intake-bench', streams, async () => undefined);
  const seconds = (Date.now() - started) / 1000;
  log(
    `replayed ${JSON.stringify(run.counts)}: ${run.events} events in ${seconds.toFixed(1)} s (${Math.round(run.events / seconds)} events/s)`,
  );
  await ds.query(`DELETE FROM outbox WHERE payload->>'replay' = $1`, [run.replayId]);
} finally {
  await ds.destroy();
}
