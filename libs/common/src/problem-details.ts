import { DomainError, ErrorCode, type FieldError, statusOf, titleOf } from './domain-error.js';

/** RFC 9457 problem details as API.md defines them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors: FieldError[];
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `https://gov-review.example/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

export function problemFrom(error: DomainError, instance?: string): ProblemDetails {
  return {
    type: problemType(error.code),
    title: titleOf(error.code),
    status: statusOf(error.code),
    detail: error.detail,
    code: error.code,
    errors: error.errors,
    ...(instance ? { instance } : {}),
    ...error.extensions,
  };
}

/** Maps a framework HTTP status with no domain code to the closest contract code. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.ValidationFailed;
    case 401:
      return ErrorCode.Unauthenticated;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
      return ErrorCode.NotFound;
    case 405:
      return ErrorCode.MethodNotAllowed;
    case 409:
      return ErrorCode.Conflict;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 414:
      return ErrorCode.UriTooLong;
    case 415:
      return ErrorCode.UnsupportedMediaType;
    case 431:
      return ErrorCode.HeadersTooLarge;
    case 429:
      return ErrorCode.RateLimited;
    case 503:
      return ErrorCode.ServiceUnavailable;
    default:
      return status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed;
  }
}
