import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { eventually } from '#libs/testing';

/**
 * `npm start` from a checkout in a directory only its owner can enter (mode 0700, like
 * root's home or a `mktemp -d` folder). As root, PostgreSQL runs as the `postgres` OS user,
 * who cannot enter such a directory: the start-up must still give a healthy system. Each line
 * the services log names the service that wrote it, Nest's start-up chatter stays out of an
 * info-level start, the welcome banner is the last thing printed, and Ctrl-C (SIGINT to the
 * whole process group, as a terminal sends it) stops the services before the database.
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
    // The build `npm start` runs, without its type-check (`npm run lint` checks types; here it cost most of the file's time).
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--noCheck'], {
      cwd: checkout,
      stdio: 'pipe',
    });
  }, 300_000);

  afterAll(() => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  });

  it('starts healthy, names each service in its lines, prints the banner last, and stops cleanly on Ctrl-C', async () => {
    const ports = { INTAKE_PORT: await freePort(), RECTIFICATION_PORT: await freePort(), STATISTICS_PORT: await freePort() };
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, EMBEDDED_POSTGRES_RUNTIME_DIR: runtime, LOG_LEVEL: 'info' };
    for (const [name, port] of Object.entries(ports)) env[name] = String(port);
    let output = '';
    // A group of its own, which SIGINT then reaches as a whole, as Ctrl-C on a terminal does.
    child = spawn(process.execPath, ['--max-old-space-size=256', 'dist/apps/all-in-one/src/main.js'], {
      cwd: checkout,
      env,
      detached: true,
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const lastBannerLine = 'or run `npm run simulate`.';
    await eventually(
      () => Promise.resolve(output),
      (text) => text.includes(lastBannerLine),
      150_000,
      250,
    );
    const bannerAt = output.indexOf('好差评 backend is running');
    const startUp = output.slice(0, bannerAt);
    // The banner is the last thing printed: nothing follows it but its own closing blank line.
    expect(output.slice(output.indexOf(lastBannerLine) + lastBannerLine.length)).toBe('\n\n');
    expect(output.slice(bannerAt)).not.toMatch(/^\{/m);
    expect(output).not.toContain('already registered');
    const startUpLines = startUp
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { name: string; level: number; context?: string; msg: string });
    // Quiet: no wiring or route-mapping lines at info, only each service saying it started (and any warning).
    expect(startUpLines.length).toBeLessThan(15);
    expect(startUpLines.filter((line) => line.level === 30).every((line) => /successfully started/.test(line.msg))).toBe(true);
    const startedBy = startUpLines.filter((line) => line.context === 'NestApplication').map((line) => line.name);
    expect(startedBy).toEqual(['intake', 'rectification', 'statistics']);

    for (const port of Object.values(ports)) {
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
    }
    const databaseLine = output.split('\n').find((line) => line.includes('database:')) ?? '';
    // As root the cluster cannot live inside the private directory: it says where it went.
    expect(databaseLine).toContain(process.getuid?.() === 0 ? runtime : checkout);

    // A request to each service is logged once, by the service that answered it.
    const probes = { intake: '/api/v1/units', rectification: '/api/v1/cases', statistics: '/api/v1/reports/summary' } as const;
    const probePorts = { intake: ports.INTAKE_PORT, rectification: ports.RECTIFICATION_PORT, statistics: ports.STATISTICS_PORT };
    for (const [service, path] of Object.entries(probes)) {
      expect((await fetch(`http://127.0.0.1:${probePorts[service as keyof typeof probes]}${path}`)).status).toBe(401);
    }
    const requestLines = () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{') && line.includes('request completed'))
        .map((line) => JSON.parse(line) as { name: string; req: { url: string }; res: { statusCode: number } });
    await eventually(
      () => Promise.resolve(requestLines()),
      (lines) => lines.length >= 3,
      10_000,
      100,
    );
    // Each worker thread writes its own lines: their order across services is not the order of the requests.
    const byService = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(
      requestLines()
        .map((line) => [line.name, line.req.url, line.res.statusCode])
        .sort(byService),
    ).toEqual(Object.entries(probes).map(([service, path]) => [service, path, 401]));

    const before = output.length;
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    const shutdown = output.slice(before);
    expect(shutdown).toContain('stopping services');
    expect(shutdown).not.toMatch(/"level":(50|60)/);
    expect(shutdown).not.toContain('final flush failed');
  }, 240_000);
});
