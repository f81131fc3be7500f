import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode } from './domain-error.js';
import { codeForStatus, PROBLEM_CONTENT_TYPE, problemFrom } from './problem-details.js';

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

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
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const error = this.toDomainError(exception);
    if (error.code === ErrorCode.Internal) {
      this.logger.error({ err: exception, path: req.path }, 'unhandled error');
    }
    const problem = problemFrom(error, req.originalUrl?.split('?')[0]);
    if (res.headersSent) return;
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toDomainError(exception: unknown): DomainError {
    if (exception instanceof DomainError) return exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = codeForStatus(status);
      const body = exception.getResponse();
      const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : exception.message;
      // Terminus reports failing checks in `details`: keep them, they name what is down.
      const checks = typeof body === 'object' && body !== null && 'details' in body ? { checks: body.details } : {};
      if (status === 503) return new DomainError(code, 'A dependency is unavailable.', [], {}, checks);
      return new DomainError(code, status >= 500 ? 'The server could not complete the request.' : message);
    }
    const parserError = exception as BodyParserError;
    if (parserError?.type === 'entity.too.large') {
      return new DomainError(ErrorCode.PayloadTooLarge, 'The request body exceeds the size limit.');
    }
    if (parserError?.type === 'entity.parse.failed') {
      return DomainError.validation([{ field: 'body', message: 'is not valid JSON' }], 'The request body is not valid JSON.');
    }
    if (parserError?.expose && typeof parserError.status === 'number' && parserError.status < 500) {
      return new DomainError(codeForStatus(parserError.status), 'The request could not be read.');
    }
    return new DomainError(ErrorCode.Internal, 'The server could not complete the request.');
  }
}
