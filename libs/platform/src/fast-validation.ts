import type { ArgumentMetadata, PipeTransform, Type } from '@nestjs/common';
import { createValidationPipe } from '#libs/common';

/**
 * A hand-written check for a hot body DTO: returns the transformed instance when the
 * value is certainly valid (what class-transformer + class-validator would return), or
 * null when in any doubt — then the regular ValidationPipe runs and produces the
 * errors. So a fast validator may only ever accept less, never more, and the
 * problem+json answers stay exactly those of class-validator.
 */
export type FastValidator<T> = (value: unknown) => T | null;

const fastValidators = new WeakMap<Type, FastValidator<unknown>>();

export function registerFastValidator<T>(type: Type<T>, validator: FastValidator<T>): void {
  fastValidators.set(type, validator);
}

/** The global pipe: the registered fast path for hot body DTOs, otherwise (and on any doubt) the shared ValidationPipe. */
export class FastPathValidationPipe implements PipeTransform {
  private readonly pipe = createValidationPipe();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && metadata.metatype) {
      const fast = fastValidators.get(metadata.metatype as Type);
      const dto = fast?.(value);
      if (dto) return dto;
    }
    return this.pipe.transform(value, metadata);
  }
}
