import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BUILT_PAGE_STATIC_OPTIONS, builtPageCacheControl } from '../shared/built-pages.js';
import { APP_PAGE_CSP, sendPageSecurityHeaders } from '#libs/platform';

/** Where `npm run build:pad` puts the PAD page: dist/pad of the repository. */
export function padAssetsDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled: dist/apps/intake/src/pad → dist/pad. From source (tests): the repository's dist/pad.
  const candidates = [
    process.env.PAD_ASSETS_DIR,
    resolve(here, '../../../../pad'),
    resolve(here, '../../../../dist/pad'),
    join(process.cwd(), 'dist/pad'),
  ];
  return candidates.find((dir): dir is string => !!dir && existsSync(join(dir, 'index.html'))) ?? null;
}

/**
 * Serves the PAD kiosk page at /pad/ with @fastify/static. The page shell and the service worker
 * are revalidated on every load (a new release reaches the PADs); Vite's hashed assets are immutable.
 */
export function servePadPage(app: NestFastifyApplication): void {
  const root = padAssetsDir();
  if (!root) {
    new Logger('PadPage').warn('The PAD page is not built (npm run build:pad); /pad is not served.');
    return;
  }
  const fastify = app.getHttpAdapter().getInstance();
  void fastify.register(async (scope) => {
    // The page, its assets and its service worker carry the pages' security headers (a CSP without inline script, never framed).
    scope.addHook('onRequest', (_request, reply, done) => {
      sendPageSecurityHeaders(reply, APP_PAGE_CSP);
      done();
    });
    scope.get('/pad', (_req, reply) => reply.redirect('/pad/', 301));
    // Registered as the plugin itself: Nest's useStaticAssets types setHeaders for an older @fastify/static.
    await scope.register(fastifyStatic, {
      ...BUILT_PAGE_STATIC_OPTIONS,
      root,
      prefix: '/pad/',
      setHeaders(reply, path) {
        builtPageCacheControl(reply, path);
        if (path.endsWith('sw.js')) void reply.header('Service-Worker-Allowed', '/pad/');
      },
    });
  });
}
