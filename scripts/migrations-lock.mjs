// Committed migrations are history, frozen by a machine: migrations.lock.json holds the SHA-256 of
// every committed migration file, and a unit test (scripts/migrations-lock.spec.ts) fails when a
// locked migration changes or disappears, when a migration is not locked yet, or when a migration
// imports anything but 'typeorm'.
//
//   npm run migrations:lock    appends the migrations not locked yet; never rewrites an entry
//
// A migration is self-contained: plain SQL through the QueryRunner, importing only types from
// 'typeorm'. Code it would import (a table helper, a seed) lives on and may change, while what the
// migration did must not: copy the SQL into the migration instead. The migrations in GRANDFATHERED
// were committed importing live code before this rule; they stay as they are (never edit a committed
// migration), and the code they import is pinned by its own tests (messaging-tables.spec.ts,
// chinese-days-seed.spec.ts).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOCK_FILE = 'migrations.lock.json';

/** Where the services keep their migrations, relative to the repository root. */
export const MIGRATION_DIRS = ['apps/intake/src/migrations', 'apps/rectification/src/migrations', 'apps/statistics/src/migrations'];

/** The one module a migration may import. */
const ALLOWED_IMPORT = 'typeorm';

/** Committed before the rule, importing live code: path → the imports it was committed with. */
export const GRANDFATHERED = {
  'apps/intake/src/migrations/1732406400000-InitialIntakeSchema.ts': ['#libs/messaging'],
  'apps/rectification/src/migrations/1732406400000-InitialRectificationSchema.ts': ['#libs/calendar', '#libs/messaging'],
  'apps/rectification/src/migrations/1732579200000-RectificationWorkflow.ts': ['#libs/calendar'],
  'apps/statistics/src/migrations/1732406400000-InitialStatisticsSchema.ts': ['#libs/messaging'],
};

const HOW_TO_LOCK = 'run `npm run migrations:lock` to add it to migrations.lock.json (it only appends), and commit both';
const HOW_TO_CHANGE = 'a committed migration is history: restore it, and put the change in a new migration';

/** Of the text with LF line ends, so a checkout that writes CRLF locks the same. @param {string} text */
const sha256 = (text) => createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');

/**
 * The migration files under `root`, as repository-relative paths in a stable order.
 * @param {string} root @returns {string[]}
 */
export function migrationFiles(root) {
  return MIGRATION_DIRS.flatMap((dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
          .sort()
          .map((name) => `${dir}/${name}`)
      : [],
  );
}

/**
 * Every module a source file imports: static, side-effect, re-exported and dynamic.
 * @param {string} source @returns {string[]}
 */
export function importsOf(source) {
  const found = new Set();
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.add(match[1]);
  return [...found].sort();
}

/**
 * The lock's entries: path → SHA-256 of the file.
 * @param {string} root @returns {Record<string, string>}
 */
export function readLock(root) {
  const file = join(root, LOCK_FILE);
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')).migrations;
}

/**
 * What is wrong with the migrations under `root` against their lock; empty when all is well.
 * @param {string} root @returns {string[]}
 */
export function checkMigrations(root) {
  const lock = readLock(root);
  const files = migrationFiles(root);
  const problems = [];
  for (const [path, hash] of Object.entries(lock)) {
    if (!files.includes(path)) problems.push(`${path} is locked but gone: ${HOW_TO_CHANGE}.`);
    else if (sha256(readFileSync(join(root, path), 'utf8')) !== hash)
      problems.push(`${path} changed after it was locked: ${HOW_TO_CHANGE}.`);
  }
  for (const path of files) {
    const source = readFileSync(join(root, path), 'utf8');
    const allowed = [ALLOWED_IMPORT, ...(GRANDFATHERED[/** @type {keyof typeof GRANDFATHERED} */ (path)] ?? [])];
    const foreign = importsOf(source).filter((module) => !allowed.includes(module));
    if (foreign.length > 0)
      problems.push(
        `${path} imports ${foreign.map((m) => `'${m}'`).join(', ')}: a migration is self-contained — plain SQL, importing only '${ALLOWED_IMPORT}' (copy what it needs into it).`,
      );
    if (!(path in lock)) problems.push(`${path} is not locked: ${HOW_TO_LOCK}.`);
  }
  return problems;
}

/**
 * Appends the migrations not locked yet; refuses (and writes nothing) while any locked one is
 * changed or gone, or a new one imports live code. Answers the paths it added.
 * @param {string} root @returns {string[]}
 */
export function lockNewMigrations(root) {
  const problems = checkMigrations(root).filter((problem) => !problem.endsWith(`${HOW_TO_LOCK}.`));
  if (problems.length > 0) throw new Error(`Nothing locked:\n${problems.join('\n')}`);
  const lock = readLock(root);
  const added = migrationFiles(root).filter((path) => !(path in lock));
  const migrations = { ...lock };
  for (const path of added) migrations[path] = sha256(readFileSync(join(root, path), 'utf8'));
  const about = 'SHA-256 of every committed migration (scripts/migrations-lock.mjs): npm run migrations:lock appends; never edit an entry';
  writeFileSync(join(root, LOCK_FILE), `${JSON.stringify({ about, migrations }, null, 2)}\n`);
  return added;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
  try {
    const added = lockNewMigrations(root);
    console.log(added.length === 0 ? 'Every migration is locked already.' : `Locked:\n${added.map((path) => `  ${path}`).join('\n')}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
