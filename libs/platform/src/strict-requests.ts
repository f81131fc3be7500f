import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import secureJson from 'secure-json-parse';
import {
  DomainError,
  ErrorCode,
  type FieldError,
  firstDuplicateKey,
  logRefusedRequest,
  logRequestCompleted,
  PROBLEM_CONTENT_TYPE,
  problemFrom,
  unstorableText,
  unstorableTextErrors,
} from '#libs/common';

/**
 * The HTTP edge of every service: what reaches a handler has been parsed strictly
 * (UTF-8 JSON without duplicated keys) and holds only text PostgreSQL can store; and
 * whatever Fastify itself refuses (bad URL, over-long URL or headers, unknown media
 * type) is answered as problem+json like every other error.
 */

/** Route config (`@RouteConfig({ [TEXT_CHECKED_PER_ITEM]: 'ratings' })`): items of this body array are judged one by one by the route. */
export const TEXT_CHECKED_PER_ITEM = 'textItemsAt';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

const notJson = () => DomainError.validation([{ field: 'body', message: 'is not valid JSON' }], 'The request body is not valid JSON.');

/**
 * The JSON body parser of every service: UTF-8 only (another declared charset → 415),
 * prototype poisoning refused (secure-json-parse, as Fastify's own), and a key given
 * twice in one object refused (`"level":5,"level":1` would otherwise be stored as the last).
 */
export function parseStrictJson(contentType: string | undefined, body: Buffer): unknown {
  const charset = CHARSET.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new DomainError(ErrorCode.UnsupportedMediaType, 'JSON bodies must be UTF-8.', [
      { field: 'content-type', message: 'charset must be utf-8' },
    ]);
  }
  if (body.length === 0) {
    throw DomainError.validation(
      [{ field: 'body', message: 'must not be empty with Content-Type application/json' }],
      'The request body is empty.',
    );
  }
  if (!isUtf8(body)) throw DomainError.validation([{ field: 'body', message: 'is not valid UTF-8' }], 'The request body is not UTF-8.');
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    throw notJson();
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== null) {
    throw DomainError.validation([{ field: duplicate, message: 'is given more than once' }], 'A JSON object repeats a key.');
  }
  return parsed;
}

export function strictJsonBodyParser(req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void {
  try {
    done(null, parseStrictJson(req.headers['content-type'], body));
  } catch (err) {
    done(err as Error);
  }
}

/** The services speak JSON only: a form body (which Nest would otherwise parse) is refused like any other media type. */
export function refuseBodyParser(_req: FastifyRequest, _body: Buffer, done: (err: Error | null, body?: unknown) => void): void {
  done(
    new DomainError(ErrorCode.UnsupportedMediaType, 'The request body must be JSON.', [
      { field: 'content-type', message: 'must be application/json' },
    ]),
  );
}

/**
 * The query parser decodes percent-escapes that are not UTF-8 (`%ED%A0%80`, a lone surrogate
 * as a careless client encodes it; `%E9`) into U+FFFD without a word: such a parameter is
 * refused, by name, rather than stored altered.
 */
export function malformedQueryErrors(url: string): FieldError[] {
  const q = url.indexOf('?');
  if (q < 0 || !url.includes('%', q)) return [];
  const errors: FieldError[] = [];
  for (const pair of url.slice(q + 1).split('&')) {
    if (!pair.includes('%')) continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    try {
      decodeURIComponent(pair.replace(/\+/g, ' '));
    } catch {
      errors.push({ field: safeDecode(rawName) ?? 'query', message: 'is not valid percent-encoded UTF-8' });
    }
  }
  return errors;
}

function safeDecode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/** Every unstorable string of a request — body, query, path parameters, headers — by field. */
export function requestTextErrors(request: FastifyRequest): FieldError[] {
  const errors: FieldError[] = [];
  const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
  const itemsAt = typeof config?.[TEXT_CHECKED_PER_ITEM] === 'string' ? (config[TEXT_CHECKED_PER_ITEM] as string) : undefined;
  if (request.body !== undefined) unstorableTextErrors(request.body, '', { itemsAt }, errors);
  if (request.query) unstorableTextErrors(request.query, '', {}, errors);
  errors.push(...malformedQueryErrors(request.url));
  if (request.params) unstorableTextErrors(request.params, '', {}, errors);
  for (const [name, value] of Object.entries(request.headers)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const reason = typeof v === 'string' ? unstorableText(v) : null;
      if (reason) errors.push({ field: name, message: reason });
    }
  }
  return errors;
}

/** Installs the text guard: runs after parsing, before guards, pipes and handlers (so before any database access). */
export function installTextGuard(fastify: FastifyInstance): void {
  // Every response states its type firmly: no browser sniffs a JSON or CSV answer into HTML.
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.header('X-Content-Type-Options', 'nosniff');
    done();
  });
  // Fastify parses text/plain by default; no route takes it, so it is refused (415) like every non-JSON type.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('preValidation', (request, _reply, done) => {
    const errors = requestTextErrors(request);
    if (errors.length) done(DomainError.validation(errors, 'The request holds text that cannot be stored.'));
    else done();
  });
}

/**
 * A path some route serves, asked with a method none of its routes takes (`DELETE /api/v1/ratings`):
 * 405 with `Allow` naming the methods it takes, rather than a 404 that suggests the path is wrong.
 * Routes are matched as Fastify matches them: their patterns go into a find-my-way router of our
 * own (Fastify's router), keyed by path alone, as they are registered.
 */
export function answerMethodNotAllowed(fastify: FastifyInstance): void {
  const paths = FindMyWay();
  const methodsOf = new Map<string, Set<string>>();
  fastify.addHook('onRoute', (route) => {
    let methods = methodsOf.get(route.url);
    if (!methods) {
      methods = new Set();
      methodsOf.set(route.url, methods);
      paths.on('GET', route.url, () => undefined, methods);
    }
    for (const method of [route.method].flat()) methods.add(method.toUpperCase());
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.url !== undefined) return done(); // a route took it
    const path = request.url.split('?')[0] ?? '';
    const methods = paths.find('GET', path)?.store as Set<string> | undefined;
    if (!methods) return done(); // no route serves this path: 404
    const allow = [...methods].sort().join(', ');
    void reply.header('Allow', allow);
    sendProblem(
      reply,
      new DomainError(ErrorCode.MethodNotAllowed, `${request.method} is not allowed on ${path}.`, [
        { field: 'method', message: `must be one of ${allow}` },
      ]),
      path,
    );
  });
}

/** Answers a request with a DomainError as problem+json straight from a Fastify hook (before Nest's filter could). */
export function sendProblem(reply: FastifyReply, error: DomainError, path: string): void {
  const problem = problemFrom(error, path);
  void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** Fastify's router errors (a malformed URL → 400, an over-long path parameter → 414) as problem+json. */
export function frameworkErrors(error: { code?: string; statusCode?: number }, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  const domain =
    status === 414
      ? new DomainError(ErrorCode.UriTooLong, 'The request URL is too long.', [{ field: 'url', message: 'is too long' }])
      : DomainError.validation([{ field: 'url', message: 'is not a valid URL (bad percent-encoding)' }], 'The request URL is malformed.');
  sendProblem(reply, domain, request.url.split('?')[0] ?? '');
  logRequestCompleted(request, reply); // Fastify runs no hooks for these
}

/**
 * Errors Node's HTTP parser answers before Fastify sees a request (headers or URL over
 * the size limit → 431, malformed request → 400, timeouts → 408), as problem+json.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const code = status === 431 ? ErrorCode.HeadersTooLarge : ErrorCode.ValidationFailed;
  const detail =
    status === 431
      ? 'The request line or headers exceed the size limit.'
      : status === 408
        ? 'The request took too long to arrive.'
        : 'The request is malformed.';
  const body = JSON.stringify({ ...problemFrom(new DomainError(code, detail)), status });
  logRefusedRequest(status, err.code);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
