// npm run bench:pages — what the console and the PAD page cost a browser (BENCHMARKS.md § Pages).
//
// Starts the built system (dist/, `npm run build` first: the all-in-one, embedded event bus) on a scratch
// database of the PostgreSQL at BENCH_DATABASE_URL, then opens /console/ and /pad/ in headless Chromium
// (Debian's chromium, playwright-core) over an emulated LAN (2 ms round trip, 100 Mbit/s) — a first visit
// with an empty cache, then a return visit — BENCH_SAMPLES times each (default 5), and reports the medians:
// first contentful paint, the moment the login form (console) or the pairing form (PAD) is visible, and
// the bytes that crossed the network. Fails (exit 1) when a page never shows its form.
//
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), BENCH_SAMPLES (default 5),
//      CHROMIUM_PATH (default /usr/bin/chromium), BENCH_PORT (default 3301; the next two ports are used too).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const samples = Number(process.env.BENCH_SAMPLES ?? 5);
const port = Number(process.env.BENCH_PORT ?? 3301);
const log = (msg) => process.stderr.write(`[pages] ${msg}\n`);
const LAN = { offline: false, latency: 2, downloadThroughput: (100e6 / 8) | 0, uploadThroughput: (100e6 / 8) | 0 };

const PAGES = [
  { name: 'console', path: '/console/', ready: (page) => page.getByRole('button', { name: /登\s*录/ }) },
  { name: 'pad', path: '/pad/', ready: (page) => page.getByRole('heading', { name: '评价器配对' }) },
];

const dbName = `bench_pages_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(baseUrl);
dbUrl.pathname = `/${dbName}`;
const workDir = mkdtempSync(join(tmpdir(), 'pages-bench-'));

const system = spawn(process.execPath, [join(root, 'dist/apps/all-in-one/src/main.js')], {
  cwd: workDir,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: {
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    KAFKA_BROKERS: '',
    INTAKE_PORT: String(port),
    RECTIFICATION_PORT: String(port + 1),
    STATISTICS_PORT: String(port + 2),
    CONSOLE_DIR: join(root, 'dist/console'),
    PAD_ASSETS_DIR: join(root, 'dist/pad'),
    LOG_LEVEL: 'warn',
  },
});
let exitCode = 0;
let browser;
try {
  await new Promise((resolve, reject) => {
    let seen = '';
    system.stdout.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('Console:')) resolve();
    });
    system.on('exit', (code) => reject(new Error(`the system exited (${code}) before it was ready`)));
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  const results = {};
  for (const target of PAGES) {
    const runs = { first: [], repeat: [] };
    for (let i = 0; i < samples; i++) {
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', LAN);
      let bytes = 0;
      cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
      for (const visit of ['first', 'repeat']) {
        bytes = 0;
        await page.goto(`http://127.0.0.1:${port}${target.path}`, { waitUntil: 'commit' });
        await target.ready(page).waitFor({ state: 'visible', timeout: 15_000 });
        const timing = await page.evaluate(() => ({
          ready: performance.now(),
          fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
        }));
        await page.waitForLoadState('networkidle');
        runs[visit].push({ readyMs: timing.ready, fcpMs: timing.fcp, bytes });
      }
      await context.close();
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    results[target.name] = Object.fromEntries(
      Object.entries(runs).map(([visit, xs]) => [
        visit,
        {
          firstContentfulPaintMs: Math.round(median(xs.map((x) => x.fcpMs ?? Infinity))),
          formVisibleMs: Math.round(median(xs.map((x) => x.readyMs))),
          bytesTransferred: median(xs.map((x) => x.bytes)),
        },
      ]),
    );
    for (const [visit, r] of Object.entries(results[target.name])) {
      log(
        `${target.name} ${visit} visit: FCP ${r.firstContentfulPaintMs} ms, form visible ${r.formVisibleMs} ms, ${r.bytesTransferred} bytes`,
      );
    }
  }
  process.stdout.write(`${JSON.stringify({ samples, network: 'LAN 2 ms RTT, 100 Mbit/s', results })}\n`);
} catch (err) {
  log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 1;
} finally {
  await browser?.close();
  system.kill('SIGTERM');
  await new Promise((resolve) => (system.exitCode !== null ? resolve() : system.once('exit', resolve)));
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  rmSync(workDir, { recursive: true, force: true });
  process.exit(exitCode);
}
