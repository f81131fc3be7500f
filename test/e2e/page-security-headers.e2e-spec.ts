import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { APP_PAGE_CSP } from '#libs/platform';
import { applyTestEnv, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';
import { inlineScriptsOf } from '../../scripts/vite/no-inline-script.js';

/**
 * The console (/console/) and the PAD (/pad/) are served with a CSP that allows no inline script
 * and no framing, a Referrer-Policy and the other headers of the public pages, on the page, its
 * assets and the PAD's service worker alike. The pages are built from fixtures here (the headers
 * are the subject); the real builds fail when they would hold an inline script (noInlineScript).
 */
describe('the console and the PAD send the pages’ security headers', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let dir: string;
  const http = () => request(intake.getHttpServer());
  const page = '<!doctype html><html lang="zh-CN"><head><script type="module" src="./assets/app.js"></script></head><body></body></html>';

  beforeAll(async () => {
    db = await createTestDatabase('page_security_headers');
    applyTestEnv(db.url);
    dir = mkdtempSync(join(tmpdir(), 'pages-'));
    for (const name of ['console', 'pad']) {
      mkdirSync(join(dir, name, 'assets'), { recursive: true });
      writeFileSync(join(dir, name, 'index.html'), page);
      writeFileSync(join(dir, name, 'assets', 'app.js'), 'export {};\n');
    }
    writeFileSync(join(dir, 'pad', 'sw.js'), 'self.addEventListener("fetch", () => {});\n');
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

  it('the policy allows the pages’ own scripts only and forbids framing', () => {
    const directives = Object.fromEntries(APP_PAGE_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(APP_PAGE_CSP).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|data:|\*)/);
  });

  it.each([
    ['/console/', 200],
    ['/console/index.html', 200],
    ['/console/assets/app.js', 200],
    ['/console', 302],
    ['/pad/', 200],
    ['/pad/sw.js', 200],
    ['/pad/assets/app.js', 200],
    ['/pad', 301],
  ])('%s answers %d with the CSP, Referrer-Policy, nosniff and no framing', async (path, status) => {
    const res = await http().get(path).expect(status);
    expect(res.headers['content-security-policy']).toBe(APP_PAGE_CSP);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['permissions-policy']).toContain('camera=()');
  });

  it('serves the page itself, not only headers', async () => {
    const res = await http().get('/pad/').expect(200);
    expect(res.text).toBe(page);
    expect((await http().get('/pad/sw.js').expect(200)).headers['service-worker-allowed']).toBe('/pad/');
  });

  it('the build check finds every form of inline script and passes the built pages’ shape', () => {
    expect(inlineScriptsOf(page)).toEqual([]);
    expect(inlineScriptsOf('<script type="module" crossorigin src="/console/assets/index-LZTfyMBv.js"></script>')).toEqual([]);
    expect(inlineScriptsOf('<script>alert(1)</script>')).toHaveLength(1);
    expect(inlineScriptsOf('<script type="module">import "/x.js"</script>')).toHaveLength(1);
    expect(inlineScriptsOf('<script src="/a.js">alert(1)</script>')).toHaveLength(1);
    expect(inlineScriptsOf('<img src="x" onerror="alert(1)">')).toEqual(['onerror= handler']);
    expect(inlineScriptsOf('<a href="javascript:alert(1)">x</a>')).toHaveLength(1);
  });
});
