import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
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
  return { pinoHttp: file ? [options, destination({ dest: file, mkdir: true, sync: false })] : options };
}

/**
 * One line per request, when its response has gone: info, warn for 4xx, error for 5xx, and
 * debug for probes and metric scrapes. The line comes from the request's own logger (it carries
 * the request id and route) when the request reached one, else from the service's root logger.
 */
export function logHttpRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = QUIET_PATHS.test(request.url) ? 'debug' : status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    const own = (request.raw as { log?: Pino }).log;
    const line = { res: { statusCode: status }, responseTime: Math.round(reply.elapsedTime) };
    if (own) own[level](line, 'request completed');
    else PinoLogger.root?.[level]({ req: { id: request.id, method: request.method, url: request.url }, ...line }, 'request completed');
    done();
  });
}
