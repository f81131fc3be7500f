// Statistics consumer throughput: how fast the rollup consumer drains a backlog of
// gov.review.submitted events (one inbox transaction per event). Builds nothing: run
// `npm run build` first. Uses a fresh database on BENCH_DATABASE_URL's server and the
// embedded event bus (the consumer path is the same InboxService as on Kafka).
// Run: node scripts/bench/statistics-consumer-drain.mjs   (N=5000 events by default)
import { randomUUID, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import pg from 'pg';
const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `drain_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
await admin.end();
const url = Object.assign(new URL(base), { pathname: `/${name}` }).toString();
const env = {
  ...process.env,
  DATABASE_URL: url,
  JWT_SECRET: randomBytes(32).toString('hex'),
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  STATISTICS_PORT: '3199',
  LOG_LEVEL: 'error',
};
delete env.KAFKA_BROKERS;
let child = spawn(process.execPath, ['--max-old-space-size=128', '--max-semi-space-size=8', 'dist/apps/statistics/src/main.js'], {
  env,
  stdio: 'inherit',
});
const c = new pg.Client({ connectionString: url });
await c.connect();
for (let i = 0; i < 100; i++) {
  try {
    const r = await fetch('http://127.0.0.1:3199/health');
    if (r.status === 200) break;
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 300));
}
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
const N = Number(process.env.N ?? 5000);
const rows = [];
for (let i = 0; i < N; i++) {
  const t = new Date(Date.parse('2024-11-20T09:00:00+08:00') + i * 60000).toISOString();
  const ev = {
    specversion: '1.0',
    id: randomUUID(),
    source: 'drain',
    type: 'gov.review.submitted',
    time: t,
    datacontenttype: 'application/json',
    data: {
      reviewId: randomUUID(),
      unitCode: `U${i % 4}`,
      unitName: 'x',
      channel: 'PAD',
      level: i % 20 === 0 ? 2 : 5,
      grade: i % 20 === 0 ? 'BAD' : 'GOOD',
      tags: [],
      serviceItemCode: 'S',
      serviceItemName: 'S',
      serviceRecordId: null,
      windowNo: null,
      staffId: null,
      comment: null,
      ratedAt: t,
      receivedAt: t,
      suspect: false,
      suspectReason: null,
      ticketId: null,
      hotlineClientId: null,
      category: null,
      dueAt: null,
      contact: { maskedName: null, maskedPhone: null, sealed: null },
    },
  };
  rows.push(ev);
}
await c.query(
  `INSERT INTO event_bus.events (topic, message_key, event_id, value) SELECT 'reviews.submitted', v->'data'->>'unitCode', v->>'id', v FROM jsonb_array_elements($1::jsonb) v`,
  [JSON.stringify(rows)],
);
const t0 = Date.now();
child = spawn(process.execPath, ['--max-old-space-size=128', '--max-semi-space-size=8', 'dist/apps/statistics/src/main.js'], {
  env,
  stdio: 'inherit',
});
for (;;) {
  const n = (await c.query(`SELECT count(*)::int n FROM statistics.processed_events`)).rows[0].n;
  if (n >= N) break;
  await new Promise((r) => setTimeout(r, 200));
}
const s = (Date.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ events: N, seconds: s, perSecond: Math.round(N / s) }) + '\n');
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await c.end();
const a2 = new pg.Client({ connectionString: base });
await a2.connect();
await a2.query(`DROP DATABASE "${name}" WITH (FORCE)`);
await a2.end();
