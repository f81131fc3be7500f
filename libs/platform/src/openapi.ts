import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '#libs/common';

/** One bad field of a request (problem+json `errors`). */
export class FieldErrorDto {
  @ApiProperty({ example: 'level', description: 'The field, as a path into the request (empty for the request as a whole)' })
  field: string;

  @ApiProperty({ example: 'level must not be greater than 5' })
  message: string;
}

/** RFC 9457 problem details, as every service answers an error (API.md § Errors). */
export class ProblemDto {
  @ApiProperty({ example: 'https://gov-review.example/problems/validation-failed' })
  type: string;

  @ApiProperty({ example: 'Validation failed' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request has 1 invalid field.' })
  detail: string;

  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'The contract error code (API.md § Errors)' })
  code: string;

  @ApiProperty({ type: [FieldErrorDto] })
  errors: FieldErrorDto[];

  @ApiPropertyOptional({ example: '/api/v1/ratings' })
  instance?: string;
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED: every bad field named in `errors`',
  401: 'UNAUTHENTICATED: no, or no valid, credentials',
  403: 'FORBIDDEN (wrong role) or FORBIDDEN_UNIT (another unit)',
  404: 'NOT_FOUND',
  409: 'A conflict with the current state (the code says which)',
  410: 'Gone: used up or expired (the code says which)',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED (with Retry-After)',
  503: 'SERVICE_UNAVAILABLE (with Retry-After); a health body names what is down',
};

/** Documents the given error statuses of an operation (or of every operation of a controller) as problem+json. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto, FieldErrorDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}

/** A page of `item`: `{ items, page, pageSize, total }`. */
export function pageOf<T>(item: Type<T>, name: string): Type<{ items: T[]; page: number; pageSize: number; total: number }> {
  class Page {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
    page: number;

    @ApiProperty({ type: 'integer', minimum: 1, example: 50 })
    pageSize: number;

    @ApiProperty({ type: 'integer', minimum: 0, description: 'Items matching the filter, over all pages' })
    total: number;
  }
  Object.defineProperty(Page, 'name', { value: name });
  return Page;
}
