import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import {
  type Env,
  ENV,
  loadEnv,
  logHttpRequests,
  MetricsRegistry,
  ProblemDetailsFilter,
  recordHttpMetrics,
  requestIdOf,
  ServiceLogger,
} from '#libs/common';
import { connectEventTransport, isTransient } from '#libs/messaging';
import {
  answerMethodNotAllowed,
  clientErrorHandler,
  frameworkErrors,
  installTextGuard,
  refuseBodyParser,
  strictJsonBodyParser,
} from './strict-requests.js';
import { FastPathValidationPipe } from './fast-validation.js';

export interface ServiceAppOptions {
  service: string;
  title: string;
  description: string;
  /** Whether the service consumes events (has `@EventPattern` handlers). */
  consumesEvents: boolean;
  /** Largest accepted request body in bytes (default 1 MiB; routes may set tighter limits). */
  bodyLimit?: number;
  /** Larger limits for particular routes (full path → bytes), e.g. a bulk import; every other route keeps `bodyLimit`. */
  routeBodyLimits?: Readonly<Record<string, number>>;
  /** Let Nest close the app on SIGTERM/SIGINT (off when a host process manages several services). */
  shutdownHooks?: boolean;
  /** Service-specific HTTP set-up after the shared one, e.g. static pages (intake's /pad). */
  configure?: (app: NestFastifyApplication) => void;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The HTTP adapter every service runs on: Fastify, whose routing, body parsing and
 * replies cost a fraction of Express's per request. It assigns each request its id
 * (the caller's X-Request-Id or a new one), which every log line of the request
 * carries and every response echoes.
 */
export function createHttpAdapter(options: Pick<ServiceAppOptions, 'bodyLimit' | 'routeBodyLimits'>): FastifyAdapter {
  const adapter = new FastifyAdapter({
    trustProxy: trustedProxies(loadEnv().TRUST_PROXY),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: false,
    genReqId: requestIdOf,
    frameworkErrors,
    clientErrorHandler,
  });
  const routeLimits = options.routeBodyLimits ?? {};
  // Fastify reads a route's bodyLimit when the route is registered (Nest registers them later, at init).
  adapter.getInstance().addHook('onRoute', (route) => {
    const limit = routeLimits[route.url];
    if (limit !== undefined) route.bodyLimit = limit;
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    done();
  });
  installTextGuard(adapter.getInstance());
  answerMethodNotAllowed(adapter.getInstance());
  return adapter;
}

/** Fastify's trustProxy from TRUST_PROXY: the addresses and CIDRs of the proxies to believe. */
export function trustedProxies(setting: string | undefined): string[] | false {
  return setting ? setting.split(',') : false;
}

/** Nest application options shared by the services and the e2e tests. */
export const SERVICE_APP_OPTIONS = { rawBody: true, bufferLogs: true } as const;

/** The service's OpenAPI document, served at /docs-json and exported for the console's typed client. */
export function openApiDocument(app: INestApplication, options: Pick<ServiceAppOptions, 'title' | 'description'>): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(options.description)
      .setVersion('1')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Signature', description: 'HMAC request signature (API.md)' }, 'device-hmac')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Signature', description: 'HMAC request signature (API.md)' }, 'hotline-hmac')
      .build(),
  );
}

/** Routes served outside `/api/v1`: the probes (deploy/ points its probes here) and the metrics. */
export const UNPREFIXED_ROUTES = ['health', 'health/live', 'health/ready', 'metrics'] as const;

/** Applies the cross-cutting HTTP set-up shared by every service (and by the e2e tests). */
export function configureServiceApp(app: NestFastifyApplication, options: ServiceAppOptions): void {
  app.useLogger(new ServiceLogger(app.get(Logger)));
  recordHttpMetrics(app.getHttpAdapter().getInstance(), app.get(MetricsRegistry));
  logHttpRequests(app.getHttpAdapter().getInstance());
  app.useBodyParser('application/json', {}, strictJsonBodyParser);
  app.useBodyParser('application/x-www-form-urlencoded', {}, refuseBodyParser);
  app.useGlobalPipes(new FastPathValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter({ isTransient }));
  app.setGlobalPrefix('api/v1', { exclude: [...UNPREFIXED_ROUTES] });
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  // Built on the first request for it (then kept), not at every start: the scan of every route and DTO costs a
  // start-up ~0.2 s of CPU, paid by each service boot of the e2e tests too.
  SwaggerModule.setup('docs', app, () => openApiDocument(app, options), { jsonDocumentUrl: 'docs-json' });
  options.configure?.(app);
  if (options.consumesEvents) connectEventTransport(app, { service: options.service, schema: options.service });
}

/** Creates, configures and starts a service: HTTP on `port`, its event consumers, and graceful shutdown. */
export async function startService(rootModule: Type, options: ServiceAppOptions, port: number): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, createHttpAdapter(options), SERVICE_APP_OPTIONS);
  configureServiceApp(app, options);
  await app.startAllMicroservices();
  await app.listen(port, app.get<Env>(ENV).HOST);
  return app;
}

/**
 * Entry point of a service process: validates the configuration first (a bad
 * variable is named and the process exits 1), then starts the service.
 */
export async function runService(
  rootModule: Type,
  options: ServiceAppOptions,
  portOf: (env: Env) => number,
  afterStart?: (app: INestApplication) => Promise<void>,
): Promise<void> {
  let env: Env;
  try {
    env = loadEnv(process.env);
  } catch (err) {
    process.stderr.write(`${options.service}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const app = await startService(rootModule, options, portOf(env));
  await afterStart?.(app);
}
