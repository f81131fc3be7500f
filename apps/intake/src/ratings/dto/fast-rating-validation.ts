import { arrayMaxSize, arrayUnique, isIn, isInt, isISO8601, isString, length, matches, max, maxLength, min } from 'class-validator';
import { BAD_REVIEW_TAG_CODES, FIELD_MAX_LENGTH, RATING_CHANNELS, STAGES } from '#libs/contracts';
import { isInstantInRange, MAINLAND_MOBILE, NOT_BLANK } from '#libs/common';
import { registerFastValidator } from '#libs/platform';
import { ISO_WITH_OFFSET } from '../../shared/validators.js';
import { type RatedAtKind, ratedAtProblem } from '../rated-at.js';
import { CreateRatingDto, ImportedRatingDto, ReviewerDto } from './create-rating.dto.js';
import { RatingBatchDto } from './rating-batch.dto.js';

/*
 * Fast paths for the two hot bodies (profiled: class-transformer + class-validator cost
 * more per rating than the database write). Each accepts only what the decorators of
 * the DTO accept — with the same class-validator check functions — and answers null on
 * anything else (unknown or null fields included), so that the ValidationPipe decides
 * and words the errors. rating-validation.spec.ts checks both agree.
 */

const RATING_KEYS = new Set([
  'serviceRecordId',
  'serviceItemCode',
  'serviceItemName',
  'staffId',
  'level',
  'tags',
  'comment',
  'reviewer',
  'ratedAt',
  'stage',
]);
/** An import item may also name its channel. */
const IMPORTED_RATING_KEYS = new Set([...RATING_KEYS, 'channel']);
const REVIEWER_KEYS = new Set(['name', 'phone']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function onlyKeys(value: Record<string, unknown>, allowed: Set<string>): boolean {
  for (const key in value) if (!allowed.has(key) || value[key] === undefined || value[key] === null) return false;
  return true;
}

function fastReviewer(value: unknown): ReviewerDto | null {
  if (!isPlainObject(value) || !onlyKeys(value, REVIEWER_KEYS)) return null;
  const reviewer = new ReviewerDto();
  if ('name' in value) {
    if (!isString(value.name) || !length(value.name, 1, 50)) return null;
    reviewer.name = value.name;
  }
  if ('phone' in value) {
    if (!isString(value.phone) || !matches(value.phone, MAINLAND_MOBILE)) return null;
    reviewer.phone = value.phone;
  }
  return reviewer;
}

/** A valid rating body as the CreateRatingDto instance the ValidationPipe would return, or null (then class-validator decides). */
export function fastRating(value: unknown): CreateRatingDto | null {
  return fastRatingOf(value, 'device') as CreateRatingDto | null;
}

/** An import item, as fastRating with the import's ratedAt bounds. */
export function fastImportedRating(value: unknown): ImportedRatingDto | null {
  return fastRatingOf(value, 'import') as ImportedRatingDto | null;
}

function fastRatingOf(value: unknown, kind: RatedAtKind): CreateRatingDto | ImportedRatingDto | null {
  if (!isPlainObject(value) || !onlyKeys(value, kind === 'device' ? RATING_KEYS : IMPORTED_RATING_KEYS)) return null;
  const v = value;
  if ('stage' in v && !isIn(v.stage, STAGES)) return null;
  if ('channel' in v && !isIn(v.channel, RATING_CHANNELS)) return null;
  if (!isString(v.serviceRecordId) || !length(v.serviceRecordId, 1, FIELD_MAX_LENGTH.serviceRecordId) || !NOT_BLANK.test(v.serviceRecordId))
    return null;
  if (!isString(v.serviceItemCode) || !length(v.serviceItemCode, 1, FIELD_MAX_LENGTH.serviceItemCode) || !NOT_BLANK.test(v.serviceItemCode))
    return null;
  if ('serviceItemName' in v && (!isString(v.serviceItemName) || !maxLength(v.serviceItemName, 200))) return null;
  if ('staffId' in v && (!isString(v.staffId) || !maxLength(v.staffId, FIELD_MAX_LENGTH.staffId))) return null;
  if (!isInt(v.level) || !min(v.level, 1) || !max(v.level, 5)) return null;
  let tags: string[] | undefined;
  if ('tags' in v) {
    if (!Array.isArray(v.tags) || !arrayMaxSize(v.tags, BAD_REVIEW_TAG_CODES.length) || !arrayUnique(v.tags)) return null;
    if (!v.tags.every((t) => isIn(t, BAD_REVIEW_TAG_CODES))) return null;
    tags = [...(v.tags as string[])];
  }
  if ('comment' in v && (!isString(v.comment) || !maxLength(v.comment, 500))) return null;
  let reviewer: ReviewerDto | null | undefined;
  if ('reviewer' in v) {
    reviewer = fastReviewer(v.reviewer);
    if (!reviewer) return null;
  }
  const ratedAt = v.ratedAt;
  if (
    !isString(ratedAt) ||
    !isISO8601(ratedAt, { strict: true }) ||
    !matches(ratedAt, ISO_WITH_OFFSET) ||
    ratedAtProblem(ratedAt, kind) !== null ||
    !isInstantInRange(ratedAt)
  )
    return null;

  const dto = kind === 'device' ? new CreateRatingDto() : new ImportedRatingDto();
  for (const key in v) (dto as unknown as Record<string, unknown>)[key] = v[key];
  if (tags) dto.tags = tags as CreateRatingDto['tags'];
  if (reviewer) dto.reviewer = reviewer;
  return dto;
}

/** The batch envelope: `{ ratings: [1 or more items] }` (items are validated one by one by the service). */
export function fastRatingBatch(value: unknown): RatingBatchDto | null {
  if (!isPlainObject(value) || !onlyKeys(value, new Set(['ratings']))) return null;
  const ratings = value.ratings;
  if (!Array.isArray(ratings) || ratings.length < 1) return null;
  const dto = new RatingBatchDto();
  dto.ratings = ratings as unknown[];
  return dto;
}

registerFastValidator(CreateRatingDto, fastRating);
registerFastValidator(RatingBatchDto, fastRatingBatch);
