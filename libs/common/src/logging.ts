import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { destination } from 'pino';

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

/** pino JSON logs; each request's lines carry the id the HTTP layer assigned (`requestIdOf`). */
export function loggerParams(service: string, level: string, file?: string): Params {
  const options: Exclude<Params['pinoHttp'], undefined | unknown[]> = {
    level,
    name: service,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
  };
  // LOG_FILE: the lines go to that file (appended) instead of standard output.
  return { pinoHttp: file ? [options, destination({ dest: file, append: true, sync: true })] : options };
}
