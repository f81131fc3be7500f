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

/**
 * The one place errors become HTTP responses: every non-2xx is problem+json, and a
 * 500 never carries its cause (stack traces, SQL) to the client — only to the log.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const path = http.getRequest<FastifyRequest>().url.split('?')[0];
    const error = toDomainError(exception);
    if (error.code === ErrorCode.Internal) this.logger.error({ err: exception, path }, 'unhandled error');
    if (reply.sent) return;
    const problem = problemFrom(error, path);
    void reply.status(problem.status).headers(error.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
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
