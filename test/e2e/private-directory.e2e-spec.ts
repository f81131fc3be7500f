import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { eventually } from '#libs/testing';

/**
 * `npm start` from a checkout in a directory only its owner can enter (mode 0700, like
 * root's home or a `mktemp -d` folder). As root, PostgreSQL runs as the `postgres` OS user,
 * who cannot enter such a directory: the start-up must still give a healthy system, and
 * Ctrl-C must stop the services before the database.
 */
const repo = process.cwd();
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

describe('npm start from a private (0700) directory', () => {
  const home = mkdtempSync(join(tmpdir(), 'gov-review-private-'));
  const checkout = join(home, 'gov-review');
  const runtime = mkdtempSync(join(tmpdir(), 'gov-review-runtime-'));
  let child: ChildProcess | null = null;

  beforeAll(() => {
    expect(statSync(home).mode & 0o777).toBe(0o700);
    chmodSync(runtime, 0o755);
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repo, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    for (const file of files) {
      mkdirSync(dirname(join(checkout, file)), { recursive: true });
      cpSync(join(repo, file), join(checkout, file), { force: true, dereference: false, errorOnExist: false });
    }
    execFileSync('cp', ['-al', join(repo, 'node_modules'), join(checkout, 'node_modules')]);
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: checkout, stdio: 'pipe' });
  }, 300_000);

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  });

  it('starts healthy, says where its data is, and stops cleanly on SIGINT', async () => {
    const ports = { INTAKE_PORT: await freePort(), RECTIFICATION_PORT: await freePort(), STATISTICS_PORT: await freePort() };
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, EMBEDDED_POSTGRES_RUNTIME_DIR: runtime, LOG_LEVEL: 'warn' };
    for (const [name, port] of Object.entries(ports)) env[name] = String(port);
    let output = '';
    child = spawn(process.execPath, ['--max-old-space-size=256', 'dist/apps/all-in-one/src/main.js'], { cwd: checkout, env });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    await eventually(
      () => Promise.resolve(output),
      (text) => text.includes('好差评 backend is running'),
      150_000,
      250,
    );
    for (const port of Object.values(ports)) {
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
    }
    const databaseLine = output.split('\n').find((line) => line.includes('database:')) ?? '';
    // As root the cluster cannot live inside the private directory: it says where it went.
    expect(databaseLine).toContain(process.getuid?.() === 0 ? runtime : checkout);

    const before = output.length;
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const shutdown = output.slice(before);
    expect(shutdown).toContain('stopping services');
    expect(shutdown).not.toMatch(/"level":(50|60)/);
    expect(shutdown).not.toContain('final flush failed');
  }, 240_000);
});
