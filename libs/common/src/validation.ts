import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, type FieldError } from './domain-error.js';

/**
 * Flattens nested class-validator errors into one `{ field: 'reviewer.phone', message }` per invalid field, every one of
 * them; a field that is wrong itself is named without the errors of its parts.
 */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {}).map((m) =>
      m.startsWith(`${error.property} `) ? m.slice(error.property.length + 1) : m,
    );
    // A field wrong in itself (an object where an array belongs) is named alone, not with what its parts then lack.
    if (messages.length) out.push({ field, message: messages.join('; ') });
    else if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => DomainError.validation(flattenValidationErrors(errors)),
  });
}
