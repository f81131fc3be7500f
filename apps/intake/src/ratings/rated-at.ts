import { registerDecorator, type ValidationArguments } from 'class-validator';
import { CLIENT_CLOCK_TOLERANCE_MS, Env } from '#libs/common';

/**
 * The time bounds of a rating's `ratedAt` (API.md § POST /ratings, § POST /imports/ratings): the one
 * home of the rule, used by the DTO decorator and the fast validator alike.
 * - every rating: not more than 300 s after server time;
 * - a device rating: not more than RATING_MAX_AGE_DAYS days before its receipt;
 * - an imported rating: not before 2000-01-01 (Asia/Shanghai).
 */
export type RatedAtKind = 'device' | 'import';

const DAY_MS = 86_400_000;

/** The earliest ratedAt of an imported rating: 2000-01-01 00:00 in Asia/Shanghai. */
export const IMPORT_EARLIEST_RATED_AT = '2000-01-01T00:00:00+08:00';
const IMPORT_EARLIEST_MS = Date.parse(IMPORT_EARLIEST_RATED_AT);

/** RATING_MAX_AGE_DAYS of the validated configuration (set by RatingsModule at start-up; the Env default until then). */
let maxAgeDays = new Env().RATING_MAX_AGE_DAYS;

export function setRatingMaxAgeDays(days: number): void {
  if (!Number.isInteger(days) || days < 1) throw new Error(`RATING_MAX_AGE_DAYS must be a positive integer, not ${days}`);
  maxAgeDays = days;
}

export function ratingMaxAgeDays(): number {
  return maxAgeDays;
}

/** Why `value` is out of bounds for a rating of this kind received at `now`, or null when it is within them (or not a date: other checks say so). */
export function ratedAtProblem(value: unknown, kind: RatedAtKind, now = Date.now()): string | null {
  if (typeof value !== 'string') return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return null;
  if (t - now > CLIENT_CLOCK_TOLERANCE_MS) return `must not be more than ${CLIENT_CLOCK_TOLERANCE_MS / 1000} seconds in the future`;
  if (kind === 'device' && now - t > maxAgeDays * DAY_MS)
    return `must not be more than ${maxAgeDays} days before receipt (history comes in through POST /imports/ratings)`;
  if (kind === 'import' && t < IMPORT_EARLIEST_MS) return `must not be before 2000-01-01 (Asia/Shanghai)`;
  return null;
}

/** ratedAt within the bounds of its kind, checked inside validation so that it is listed with every other invalid field. */
export function IsRatedAt(kind: RatedAtKind) {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isRatedAt',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: (args: ValidationArguments) => ratedAtProblem(args.value, kind) ?? 'is out of bounds' },
      validator: {
        validate(value: unknown) {
          return ratedAtProblem(value, kind) === null;
        },
      },
    });
}
