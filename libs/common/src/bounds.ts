import { applyDecorators, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min, registerDecorator, type ValidationOptions } from 'class-validator';
import { DomainError } from './domain-error.js';

/** API.md § Text and numbers everywhere: the ranges of paging, years and dates, in one place. */
export const MAX_PAGE = 1_000_000;
export const MAX_PAGE_SIZE = 200;
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
export const MIN_DATE = '2000-01-01';
export const MAX_DATE = '2100-12-31';
const MIN_INSTANT_MS = Date.parse('2000-01-01T00:00:00+08:00');
const MAX_INSTANT_MS = Date.parse('2101-01-01T00:00:00+08:00');

const DECIMAL_INT = /^-?\d{1,15}$/;

/**
 * A query or path number parsed strictly: decimal digits only (`0x7ea`, `1e3`, ` 12`, `12.0`
 * stay strings and fail @IsInt). Fifteen digits at most, so it is exact as a JS number.
 */
export function toDecimalInt({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && DECIMAL_INT.test(value) ? Number(value) : value;
}

/** A strictly decimal integer query parameter within [min, max]. */
export function IsIntInRange(min: number, max: number) {
  return applyDecorators(Transform(toDecimalInt), IsInt(), Min(min), Max(max));
}

/** An identifier must hold something besides white space (@IsNotBlank and the fast validators). */
export const NOT_BLANK = /\S/;

export function IsNotBlank(options?: ValidationOptions) {
  return Matches(NOT_BLANK, { message: 'must not be blank', ...options });
}

/** True for a real calendar day `YYYY-MM-DD` within 2000-01-01 … 2100-12-31. */
export function isDayInRange(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  if (value < MIN_DATE || value > MAX_DATE) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** True unless `value` is a parseable instant outside 2000-01-01 … 2100-12-31 (Asia/Shanghai); the format is checked elsewhere. */
export function isInstantInRange(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  const t = Date.parse(value);
  return Number.isNaN(t) || (t >= MIN_INSTANT_MS && t < MAX_INSTANT_MS);
}

function rangeDecorator(name: string, message: string, check: (value: unknown) => boolean, options?: ValidationOptions) {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message, ...options },
      validator: { validate: check },
    });
}

/** A calendar day `YYYY-MM-DD` from 2000-01-01 to 2100-12-31. */
export const IsDayInRange = (options?: ValidationOptions) =>
  rangeDecorator('isDayInRange', `must be a calendar date YYYY-MM-DD from ${MIN_DATE} to ${MAX_DATE}`, isDayInRange, options);

/** An instant from 2000-01-01 to 2100-12-31. */
export const IsInstantInRange = (options?: ValidationOptions) =>
  rangeDecorator('isInstantInRange', `must lie between ${MIN_DATE} and ${MAX_DATE}`, isInstantInRange, options);

/** A `:year` path parameter: decimal, 2000–2100, else 400 naming the field. */
export class ParseYearPipe implements PipeTransform<string, number> {
  constructor(private readonly field = 'year') {}

  transform(value: string): number {
    // The global validation pipe has already made a parameter typed `number` a Number: 'abc' arrives as NaN.
    const n = toDecimalInt({ value });
    if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_YEAR || n > MAX_YEAR) {
      throw DomainError.validation([{ field: this.field, message: `must be a decimal year from ${MIN_YEAR} to ${MAX_YEAR}` }]);
    }
    return n;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A uuid path parameter: anything else is 400 naming the parameter (Nest's ParseUUIDPipe answers a message that
 * names no field, so a client cannot tell which of two ids was wrong).
 */
export class ParseIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw DomainError.validation([{ field: metadata.data ?? 'id', message: 'must be a UUID' }]);
    }
    return value;
  }
}
