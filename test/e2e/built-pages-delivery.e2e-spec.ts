import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { applyTestEnv, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';

/**
 * The console and the PAD as a browser receives them: the build's brotli or gzip copy when it accepts one (written
 * by scripts/compress-assets.mjs, nothing compressed per request), the plain file otherwise; hashed assets cached
 * for a year as immutable, the page revalidated on every load.
 */
describe('built pages: compressed once, cached by what can change', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let dir: string;
  // Big enough to be worth compressing (compress-assets skips files under 1 KiB).
  const script = `export const labels = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `事项${i}`))};\n`;
  /** The bytes as sent (node:http decodes nothing, where supertest and fetch would). */
  const raw = (path: string, encoding = 'identity') =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const { port } = intake.getHttpServer().address() as AddressInfo;
      get({ host: '127.0.0.1', port, path, headers: { 'Accept-Encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });

  beforeAll(async () => {
    db = await createTestDatabase('built_pages');
    applyTestEnv(db.url);
    dir = mkdtempSync(join(tmpdir(), 'built-pages-'));
    for (const name of ['console', 'pad']) {
      mkdirSync(join(dir, name, 'assets'), { recursive: true });
      writeFileSync(
        join(dir, name, 'index.html'),
        `<!doctype html><html lang="zh-CN"><head><script type="module" src="./assets/app-3f2a1b.js"></script></head><body></body></html>`,
      );
      writeFileSync(join(dir, name, 'assets', 'app-3f2a1b.js'), script);
    }
    execFileSync(process.execPath, ['scripts/compress-assets.mjs', join(dir, 'console'), join(dir, 'pad')]);
    process.env.CONSOLE_DIR = join(dir, 'console');
    process.env.PAD_ASSETS_DIR = join(dir, 'pad');
    intake = await startTestService(IntakeModule, INTAKE_APP);
  });

  afterAll(async () => {
    delete process.env.CONSOLE_DIR;
    delete process.env.PAD_ASSETS_DIR;
    await intake?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['console', 'pad'])('/%s/: the build wrote a brotli and a gzip copy of the script', (name) => {
    const br = readFileSync(join(dir, name, 'assets', 'app-3f2a1b.js.br'));
    expect(brotliDecompressSync(br).toString()).toBe(script);
    expect(gunzipSync(readFileSync(join(dir, name, 'assets', 'app-3f2a1b.js.gz'))).toString()).toBe(script);
    expect(br.length).toBeLessThan(script.length / 3);
  });

  it.each(['console', 'pad'])('/%s/: sends the brotli copy, the gzip copy or the plain file as the browser accepts', async (name) => {
    const path = `/${name}/assets/app-3f2a1b.js`;
    const br = await raw(path, 'br, gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    const gz = await raw(path, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);
    const plain = await raw(path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    for (const res of [br, gz, plain]) {
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers.vary).toMatch(/accept-encoding/i);
    }
  });

  it.each(['console', 'pad'])('/%s/: the page itself is revalidated on every load', async (name) => {
    const page = await raw(`/${name}/`);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body.toString()).toContain('./assets/app-3f2a1b.js');
  });
});
