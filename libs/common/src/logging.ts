import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Params, PinoLogger } from 'nestjs-pino';
import { destination, type Logger as Pino } from 'pino';

/** Paths of personal data and secrets that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-signature"]',
  'req.headers.cookie',
  '*.phone',
  '*.name',
  '*.secret',
  '*.reviewer',
  '*.citizen',
  'reviewer',
  'citizen',
];

/** The request id: the caller's `X-Request-Id` when it is a sane token, else a new UUID. Echoed back by the HTTP layer. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Probes and scrapes: logged at debug, so a load balancer polling every second does not fill the log. */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * pino JSON logs; each request's lines carry the id the HTTP layer assigned (`requestIdOf`).
 * With `file`, lines go there instead of stdout (the tests: a passing run prints nothing,
 * and its logs stay readable in .data/test-logs). Requests are logged once, by `logHttpRequests`.
 */
export function loggerParams(service: string, level: string, file?: string): Params {
  const options = {
    level,
    name: service,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    autoLogging: false,
  };
  // Standard output is written synchronously: a service in a worker thread (npm start) has no
  // exit hook to flush an asynchronous stream, and its lines must be out before the banner.
  const stream = file ? destination({ dest: file, mkdir: true, sync: false }) : destination({ dest: 1, sync: true });
  return { pinoHttp: [options, stream] };
}

/**
 * One line per request, when its response has gone: info, warn for 4xx, error for 5xx, and
 * debug for probes and metric scrapes. The line comes from the request's own logger (it carries
 * the request id and route) when the request reached one, else from the service's root logger.
 */
export function logHttpRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    logRequestCompleted(request, reply);
    done();
  });
}

/** The request's line (see `logHttpRequests`); also called for what Fastify answers without its hooks (a malformed URL). */
export function logRequestCompleted(request: FastifyRequest, reply: FastifyReply): void {
  const status = reply.statusCode;
  const level = QUIET_PATHS.test(request.url) ? 'debug' : status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  // pino-http's logger for the request (`allLogs`: `raw.log` is Fastify's own, which logs nothing).
  const own = (request.raw as { allLogs?: Pino[] }).allLogs?.at(-1);
  // The raw response: pino-http's serializer reads its status once the headers are sent.
  const line = { res: reply.raw, responseTime: Math.round(reply.elapsedTime) };
  if (own) own[level](line, 'request completed');
  else PinoLogger.root?.[level]({ req: { id: request.id, method: request.method, url: request.url }, ...line }, 'request completed');
}

/** A request Node's HTTP parser refused before Fastify saw it (headers or URL too large, malformed): one line, like any request's. */
export function logRefusedRequest(status: number, parserCode: string | undefined): void {
  PinoLogger.root?.[status >= 500 ? 'error' : 'warn']({ status, parserCode }, 'request refused');
}

/** Nest's own start-up lines (each module wired, each route mapped: over a hundred per start). */
const START_UP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * The service's Nest logger: nestjs-pino's, with Nest's start-up chatter at debug, so that a
 * start at info says only that each service started (and what deserves a warning). The
 * lines are one `LOG_LEVEL=debug` away.
 */
export class ServiceLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) this.inner.debug?.(message, ...optionalParams);
    else this.inner.log(message, ...optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.error(message, ...optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.warn(message, ...optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.debug?.(message, ...optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.verbose?.(message, ...optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.fatal?.(message, ...optionalParams);
  }
}
