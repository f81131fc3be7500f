import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches, registerDecorator, type ValidationOptions } from 'class-validator';
import { CLIENT_CLOCK_TOLERANCE_MS, IsInstantInRange } from '#libs/common';

/** ISO-8601 with an explicit offset or Z (a bare local time is ambiguous). */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** How far in the future a client clock may be (API.md: ratedAt not more than 300 s ahead). */
export const FUTURE_TOLERANCE_MS = CLIENT_CLOCK_TOLERANCE_MS;

/** The check of @IsNotFarFuture, also used by the ratings' fast validator. */
export function notFarFuture(value: unknown, toleranceMs = FUTURE_TOLERANCE_MS): boolean {
  if (typeof value !== 'string') return true; // the type is checked by the other decorators
  const t = Date.parse(value);
  return Number.isNaN(t) || t - Date.now() <= toleranceMs;
}

/**
 * The instant must not lie more than `toleranceMs` after server time. Checked inside
 * validation so that it is listed together with every other invalid field.
 */
export function IsNotFarFuture(toleranceMs = FUTURE_TOLERANCE_MS, options?: ValidationOptions) {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNotFarFuture',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `must not be more than ${toleranceMs / 1000} seconds in the future`, ...options },
      validator: {
        validate(value: unknown) {
          return notFarFuture(value, toleranceMs);
        },
      },
    });
}

/**
 * An instant the way every intake body carries one: strict ISO-8601 with a UTC offset
 * (a bare local time is ambiguous) and, unless `future: true`, not more than 300 s ahead.
 */
export function IsInstantWithOffset(options: { future?: boolean } = {}) {
  const checks = [
    IsISO8601({ strict: true }),
    IsInstantInRange(),
    Matches(ISO_WITH_OFFSET, { message: 'must carry a UTC offset, e.g. 2024-11-20T09:30:00+08:00' }),
  ];
  return applyDecorators(...(options.future ? checks : [...checks, IsNotFarFuture()]));
}
