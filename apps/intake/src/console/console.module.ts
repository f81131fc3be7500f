import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyHttpProxy from '@fastify/http-proxy';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { type Env, ENV } from '#libs/common';
import { APP_PAGE_CSP, sendPageSecurityHeaders, sendProblem } from '#libs/platform';
import { BUILT_PAGE_STATIC_OPTIONS, builtPageCacheControl } from '../shared/built-pages.js';
import { proxyTargetRefusal } from './proxy-target.js';

/** Where `npm run build:console` puts the console (vite build of apps/console), read when intake starts. */
export function consoleDir(): string {
  return resolve(process.env.CONSOLE_DIR ?? 'dist/console');
}
export const CONSOLE_DIR = consoleDir();
/** The console's calls to the other services go through intake, so the browser talks to one origin (no CORS). */
export const CONSOLE_UPSTREAMS = ['rectification', 'statistics'] as const;

export function upstreamOf(env: Env, service: (typeof CONSOLE_UPSTREAMS)[number]): string {
  if (service === 'rectification') return env.RECTIFICATION_URL ?? `http://127.0.0.1:${env.RECTIFICATION_PORT}`;
  return env.STATISTICS_URL ?? `http://127.0.0.1:${env.STATISTICS_PORT}`;
}

/**
 * The web console at /console/ (static files from CONSOLE_DIR, when built) and, under
 * /console/svc/<service>/, a reverse proxy to rectification and statistics (RECTIFICATION_URL,
 * STATISTICS_URL): bearer tokens pass through unchanged, each service checks them itself. Only the
 * services' /api/v1/ paths pass (proxy-target.ts).
 */
@Module({})
export class ConsoleModule implements OnModuleInit {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Registered, not awaited: fastify loads the plugins when it starts, after Nest's own set-up (error handler, parsers). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const service of CONSOLE_UPSTREAMS) {
      void fastify.register(async (scope) => {
        // The proxy passes bodies through untouched: it brings its own parsers instead of the service's JSON parser.
        scope.removeAllContentTypeParsers();
        // Only the services' API passes: a traversal, a malformed path or /metrics, /docs, /health is answered here.
        const prefix = `/console/svc/${service}`;
        scope.addHook('onRequest', (request, reply, done) => {
          const path = request.url.split('?', 1)[0] ?? '';
          const refusal = proxyTargetRefusal(path.slice(prefix.length));
          if (refusal) return sendProblem(reply, refusal, path);
          done();
        });
        await scope.register(fastifyHttpProxy, {
          upstream: upstreamOf(this.env, service),
          prefix,
          rewritePrefix: '',
        });
      });
    }
    const root = consoleDir();
    if (!existsSync(resolve(root, 'index.html'))) {
      this.logger.warn(`The console is not built (${root}): run npm run build to serve it at /console/`);
      return;
    }
    void fastify.register(async (scope) => {
      // The page and its assets carry the pages' security headers (a CSP without inline script, never framed).
      scope.addHook('onRequest', (_request, reply, done) => {
        sendPageSecurityHeaders(reply, APP_PAGE_CSP);
        done();
      });
      await scope.register(fastifyStatic, {
        ...BUILT_PAGE_STATIC_OPTIONS,
        root,
        prefix: '/console/',
        index: ['index.html'],
        setHeaders: builtPageCacheControl,
      });
      scope.get('/console', (_req, reply) => reply.redirect('/console/', 302));
    });
  }
}
