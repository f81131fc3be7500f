import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkMigrations, GRANDFATHERED, LOCK_FILE, lockNewMigrations, migrationFiles, readLock } from './migrations-lock.mjs';

const repo = process.cwd();

describe('committed migrations are frozen by migrations.lock.json', () => {
  it('locks every migration of the repository, each unchanged, none importing live code but the grandfathered ones', () => {
    expect(checkMigrations(repo)).toEqual([]);
    expect(Object.keys(readLock(repo)).sort()).toEqual(migrationFiles(repo).sort());
    expect(migrationFiles(repo)).toEqual(expect.arrayContaining(Object.keys(GRANDFATHERED)));
  });

  describe('on a copy of the repository', () => {
    let root: string;
    const intake = 'apps/intake/src/migrations';
    const first = `${intake}/1732406400000-InitialIntakeSchema.ts`;
    const added = `${intake}/1999999999999-NewThing.ts`;
    const selfContained = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class NewThing1999999999999 implements MigrationInterface {
  name = 'NewThing1999999999999';
  async up(q: QueryRunner): Promise<void> {
    await q.query(\`CREATE TABLE new_thing (id bigint PRIMARY KEY)\`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(\`DROP TABLE new_thing\`);
  }
}
`;
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };

    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'migrations-lock-'));
      for (const path of [LOCK_FILE, ...migrationFiles(repo)]) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        cpSync(join(repo, path), join(root, path));
      }
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('fails when a locked migration is edited, even by one character', () => {
      write(first, readFileSync(join(root, first), 'utf8').replace('CREATE TABLE', 'CREATE  TABLE'));
      expect(checkMigrations(root)).toEqual([
        `${first} changed after it was locked: a committed migration is history: restore it, and put the change in a new migration.`,
      ]);
    });

    it('fails when a locked migration is removed', () => {
      unlinkSync(join(root, first));
      expect(checkMigrations(root)).toEqual([
        `${first} is locked but gone: a committed migration is history: restore it, and put the change in a new migration.`,
      ]);
    });

    it('fails on a migration missing from the lock, saying how to add it; the script appends it and leaves every entry as it was', () => {
      write(added, selfContained);
      expect(checkMigrations(root)).toEqual([
        `${added} is not locked: run \`npm run migrations:lock\` to add it to migrations.lock.json (it only appends), and commit both.`,
      ]);
      const before = readLock(root);
      expect(lockNewMigrations(root)).toEqual([added]);
      const after = readLock(root);
      expect(Object.keys(after)).toEqual([...Object.keys(before), added]);
      for (const [path, hash] of Object.entries(before)) expect(after[path]).toBe(hash);
      expect(after[added]).toMatch(/^[0-9a-f]{64}$/);
      expect(checkMigrations(root)).toEqual([]);
      expect(lockNewMigrations(root)).toEqual([]);
    });

    it('fails on a new migration that imports live code, and will not lock it', () => {
      const importing = selfContained.replace(
        "import type { MigrationInterface, QueryRunner } from 'typeorm';",
        "import type { MigrationInterface, QueryRunner } from 'typeorm';\nimport { createMessagingTables } from '#libs/messaging';\nimport { UNITS } from '../registry/units.js';",
      );
      write(added, importing);
      const problem = `${added} imports '#libs/messaging', '../registry/units.js': a migration is self-contained — plain SQL, importing only 'typeorm' (copy what it needs into it).`;
      expect(checkMigrations(root)).toEqual([problem, expect.stringContaining(`${added} is not locked`)]);
      expect(() => lockNewMigrations(root)).toThrow(problem);
      expect(readLock(root)).not.toHaveProperty([added]);
    });

    it('refuses to lock anything while a locked migration is changed', () => {
      write(first, `${readFileSync(join(root, first), 'utf8')}\n`);
      write(added, selfContained);
      expect(() => lockNewMigrations(root)).toThrow(`${first} changed after it was locked`);
      expect(readLock(root)).not.toHaveProperty([added]);
    });
  });
});
