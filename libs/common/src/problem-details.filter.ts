import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from './domain-error.js';
import { codeForStatus, PROBLEM_CONTENT_TYPE, problemFrom } from './problem-details.js';

/** What Fastify's body parsing reports (FST_ERR_CTP_*), reaching the filter as an HttpException's cause. */
const BODY_ERRORS: Record<string, () => DomainError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => notJson(),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    DomainError.validation(
      [{ field: 'body', message: 'must not be empty with Content-Type application/json' }],
      'The request body is empty.',
    ),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new DomainError(ErrorCode.UnsupportedMediaType, 'The request body must be JSON.', [
      { field: 'content-type', message: 'must be application/json' },
    ]),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new DomainError(ErrorCode.PayloadTooLarge, 'The request body exceeds the size limit.'),
};

const notJson = () => DomainError.validation([{ field: 'body', message: 'is not valid JSON' }], 'The request body is not valid JSON.');

/** Seconds a client should wait before retrying a transient failure (503). */
export const TRANSIENT_RETRY_AFTER_SECONDS = 2;

export interface ProblemDetailsFilterOptions {
  /**
   * Recognises failures that pass by themselves (a lost database connection, a server
   * starting or stopping, a serialization failure or deadlock retries did not absorb):
   * they answer 503 SERVICE_UNAVAILABLE with Retry-After instead of 500.
   */
  isTransient?: (err: unknown) => boolean;
}

/**
 * A request may leave work for its error answer, done before the answer and able to replace its error: intake's
 * single rating, whose limits are decided in its write, has them decided here instead when it fails before the
 * write (a body refused becomes 429 when the device is over its limit). No cost to a request that succeeds.
 */
export interface ProblemRequest extends FastifyRequest {
  beforeProblem?: (exception: unknown) => Promise<unknown>;
}

/**
 * The one place errors become HTTP responses: every non-2xx is problem+json, and a
 * 500 never carries its cause (stack traces, SQL) to the client — only to the log.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  constructor(private readonly options: ProblemDetailsFilterOptions = {}) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<ProblemRequest>();
    const before = request.beforeProblem;
    if (!before) return this.answer(exception, host);
    request.beforeProblem = undefined;
    void before(exception).then(
      (replaced) => this.answer(replaced, host),
      () => this.answer(exception, host),
    );
  }

  private answer(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const path = http.getRequest<FastifyRequest>().url.split('?')[0];
    const error = this.options.isTransient?.(exception) ? transientError() : toDomainError(exception);
    if (error.code === ErrorCode.Internal) this.logger.error({ err: exception, path }, 'unhandled error');
    else if (error.code === ErrorCode.ServiceUnavailable && !(exception instanceof DomainError))
      this.logger.warn({ err: exception, path }, 'transient failure answered 503');
    if (reply.sent) return;
    const problem = problemFrom(error, path);
    void reply.status(problem.status).headers(error.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}

/** A transient failure: the same request, retried after a moment, may well succeed (and is safe to repeat). */
export function transientError(): DomainError {
  return new DomainError(ErrorCode.ServiceUnavailable, 'The service is briefly unavailable; retry the same request shortly.', [], {
    'Retry-After': String(TRANSIENT_RETRY_AFTER_SECONDS),
  });
}

/** Any thrown value as the contract's error: domain errors as they are, framework errors mapped, the rest a bare 500. */
export function toDomainError(exception: unknown): DomainError {
  if (exception instanceof DomainError) return exception;
  if (exception instanceof HttpException) {
    const cause = exception.cause as { code?: string; name?: string } | undefined;
    const fromBody = cause?.code ? BODY_ERRORS[cause.code] : undefined;
    if (fromBody) return fromBody();
    if (cause?.name === 'SyntaxError') return notJson();
    const status = exception.getStatus();
    const code = codeForStatus(status);
    const body = exception.getResponse();
    const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : exception.message;
    // Terminus reports failing checks in `details`: keep them, they name what is down.
    const checks = typeof body === 'object' && body !== null && 'details' in body ? { checks: body.details } : {};
    if (status === 503) return new DomainError(code, 'A dependency is unavailable.', [], {}, checks);
    return new DomainError(code, status >= 500 ? 'The server could not complete the request.' : message);
  }
  return new DomainError(ErrorCode.Internal, 'The server could not complete the request.');
}
