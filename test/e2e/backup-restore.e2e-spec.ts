import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { advisoryLockKey } from '#libs/database';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  applyTestEnv,
  bearer,
  type Credential,
  deviceHeaders,
  eventually,
  PgCluster,
  registerDevice,
  startTestService,
} from '#libs/testing';

/**
 * The restore drill of docs/operations.md, on a PostgreSQL of the machine's own packages (its pg_basebackup and
 * pg_verifybackup): WAL archived continuously by scripts/backup/archive-wal.sh, a base backup by base-backup.sh while
 * the system runs, more ratings, restore points, still more ratings; then restore.sh to each point, and the services
 * on the restored copy. At a point where everything was applied the reports equal what they were then; at a point
 * taken while ratings were still on their way through the pipeline, the relay and the consumers resume from what
 * the copy holds and count every stored rating and open every case exactly once.
 */
const DEBIAN_PG = '/usr/lib/postgresql';
const debianBinDir = () => {
  const versions = readdirSync(DEBIAN_PG)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error(`no PostgreSQL server package under ${DEBIAN_PG} (apt-get install postgresql)`);
  return join(DEBIAN_PG, versions[0]!, 'bin');
};
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
const SCRIPTS = ['archive-wal.sh', 'base-backup.sh', 'restore.sh'];
const DAY_MS = 86_400_000;

describe('backups: a point-in-time restore drill', () => {
  const bin = debianBinDir();
  // Under the temporary directory, where the postgres OS user may go whatever the checkout's permissions.
  const root = mkdtempSync(join(tmpdir(), 'gov-review-backup-'));
  const dirs = { scripts: join(root, 'scripts'), archive: join(root, 'wal'), base: join(root, 'base') };
  let primary: PgCluster;
  const restored: PgCluster[] = [];
  let services: INestApplication[] = [];
  let device: Credential;
  let rated = 0;

  const script = (name: string) => join(dirs.scripts, name);
  const start = async (url: string) => {
    applyTestEnv(url);
    services = [
      await startTestService(IntakeModule, INTAKE_APP),
      await startTestService(RectificationModule, RECTIFICATION_APP),
      await startTestService(StatisticsModule, STATISTICS_APP),
    ];
  };
  const stop = async () => {
    await Promise.all(services.map((s) => s.close()));
    services = [];
  };
  /** `count` ratings in one offline batch, every fifth one bad, 3 s apart (no 刷评 burst) in the last hours. */
  const rate = async (count: number) => {
    const ratings = Array.from({ length: count }, (_, i) => {
      const n = rated + i;
      return {
        serviceRecordId: `DRILL-${n}`,
        serviceItemCode: 'ITEM-1',
        serviceItemName: '营业执照变更',
        level: n % 5 === 0 ? 1 : 5,
        ratedAt: new Date(Date.now() - 3 * 3_600_000 + n * 3_000).toISOString(),
      };
    });
    rated += count;
    const body = JSON.stringify({ ratings });
    const res = await request(services[0]!.getHttpServer())
      .post('/api/v1/ratings/batch')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings/batch', body))
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(200);
    expect((res.body as { results: Array<{ status: string }> }).results.every((r) => r.status === 'created')).toBe(true);
  };
  const day = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
  const summary = async () =>
    (
      await request(services[2]!.getHttpServer())
        .get(`/api/v1/reports/summary?from=${day(Date.now() - DAY_MS)}&to=${day(Date.now() + DAY_MS)}`)
        .set('Authorization', bearer('supervisor'))
        .expect(200)
    ).body as {
      reviews: { total: number; bad: number; byLevel: Record<string, number> };
      badReviews: { total: number; open: number };
      generatedAt: string | null;
    };
  const cases = async () =>
    (await request(services[1]!.getHttpServer()).get('/api/v1/cases?pageSize=1').set('Authorization', bearer('supervisor')).expect(200))
      .body.total as number;
  const query = async <T>(url: string, text: string): Promise<T[]> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  };
  /** Ends the current WAL segment and waits until the archiver has it, so a restore can reach what came before. */
  const archiveNow = async () => {
    const [{ segment }] = await query<{ segment: string }>(primary.url(), 'SELECT pg_walfile_name(pg_switch_wal()) AS segment');
    await eventually(
      () => query<{ last: string | null }>(primary.url(), 'SELECT last_archived_wal AS last FROM pg_stat_archiver'),
      ([row]) => (row?.last ?? '') >= segment,
      20_000,
    );
  };
  const restore = async (target: string) => {
    const cluster = new PgCluster(await freePort(), join(root, `restored-${restored.length}`), { binDir: bin });
    restored.push(cluster);
    await cluster.runAsServerUser(script('restore.sh'), [backupDir, dirs.archive, cluster.dataDir, target]);
    await cluster.start();
    await eventually(
      () => query<{ recovering: boolean }>(cluster.url(), 'SELECT pg_is_in_recovery() AS recovering').catch(() => [{ recovering: true }]),
      ([row]) => row?.recovering === false,
      30_000,
    );
    return cluster;
  };
  let backupDir: string;

  beforeAll(async () => {
    chmodSync(root, 0o755);
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    for (const name of SCRIPTS) copyFileSync(join('scripts', 'backup', name), script(name));
    primary = new PgCluster(await freePort(), join(root, 'primary'), {
      binDir: bin,
      settings: {
        wal_level: 'replica',
        archive_mode: 'on',
        archive_command: `${script('archive-wal.sh')} ${dirs.archive} %p %f`,
        max_wal_senders: '4',
      },
    });
    for (const dir of [root, dirs.archive, dirs.base]) primary.own(dir);
    await primary.start();
    await query(primary.url(), 'CREATE DATABASE gov');
    await start(primary.url('gov'));
    device = await registerDevice(services[0]!.getHttpServer(), { code: 'DRILL-01', name: '演练单位' }, 'A01');
  });

  afterAll(async () => {
    await stop();
    for (const cluster of [...restored, primary]) await cluster?.stop();
    if (!process.env.KEEP_DRILL) rmSync(root, { recursive: true, force: true });
  });

  it('restores to a moment: the reports equal what they were, and the pipeline resumes without doubling', async () => {
    await rate(100);
    await eventually(summary, (s) => s.reviews.total === 100, 30_000);

    backupDir = (await primary.runAsServerUser(script('base-backup.sh'), [primary.url(), dirs.base])).trim();
    expect(backupDir.startsWith(`${dirs.base}/`)).toBe(true);

    // Writing goes on after the base backup; at 'settled' everything stored has been applied everywhere.
    await rate(150);
    await eventually(summary, (s) => s.reviews.total === 250, 30_000);
    await eventually(cases, (n) => n === 50, 30_000);
    const settled = await summary();
    await query(primary.url(), `SELECT pg_create_restore_point('settled')`);

    // 'in-flight': 200 ratings acknowledged and not yet relayed — the test holds the relay's lock, as a relay
    // pass under way would — so the copy has them only in intake's tables and its outbox.
    const relayHolder = new Client({ connectionString: primary.url('gov') });
    await relayHolder.connect();
    await relayHolder.query('BEGIN');
    await relayHolder.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey('outbox-relay:intake')]);
    await rate(200);
    await query(primary.url(), `SELECT pg_create_restore_point('in-flight')`);
    await relayHolder.query('COMMIT');
    await relayHolder.end();
    await rate(50);
    await eventually(summary, (s) => s.reviews.total === 500, 30_000);
    await archiveNow();
    await stop();

    // Restored to 'settled': the same figures and cases as then, nothing of what came after.
    let copy = await restore('name:settled');
    await start(copy.url('gov'));
    expect({ ...(await summary()), generatedAt: null }).toEqual({ ...settled, generatedAt: null });
    expect(await cases()).toBe(50);
    const [stored] = await query<{ n: number }>(copy.url('gov'), 'SELECT count(*)::int AS n FROM intake.reviews');
    expect(stored!.n).toBe(250);
    // The restored system takes new ratings: counted once, cased once.
    rated = 250;
    await rate(10);
    await eventually(summary, (s) => s.reviews.total === 260, 30_000);
    await eventually(cases, (n) => n === 52, 30_000);
    await stop();
    await copy.stop();

    // Restored to 'in-flight': whatever the copy stored is counted and cased exactly once, by the relay and the
    // consumers resuming where the copy left them.
    copy = await restore('name:in-flight');
    const [before] = await query<{ reviews: number; bad: number; unpublished: number }>(
      copy.url('gov'),
      `SELECT count(*)::int AS reviews, count(*) FILTER (WHERE level <= 2)::int AS bad,
              (SELECT count(*)::int FROM intake.outbox WHERE published_at IS NULL) AS unpublished FROM intake.reviews`,
    );
    expect(before).toEqual({ reviews: 450, bad: 90, unpublished: 200 });
    await start(copy.url('gov'));
    const resumed = await eventually(summary, (s) => s.reviews.total === before!.reviews, 30_000);
    expect(resumed.reviews.bad).toBe(before!.bad);
    expect(resumed.reviews.byLevel).toEqual({ '1': before!.bad, '2': 0, '3': 0, '4': 0, '5': before!.reviews - before!.bad });
    await eventually(cases, (n) => n === before!.bad, 30_000);
    const [after] = await query<{ doubled: number }>(
      copy.url('gov'),
      `SELECT (SELECT count(*) FROM (SELECT review_id FROM rectification.cases GROUP BY review_id HAVING count(*) > 1) d)::int AS doubled`,
    );
    expect(after!.doubled).toBe(0);
  });
});
