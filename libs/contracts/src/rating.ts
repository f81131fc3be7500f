/** Rating levels, grades and bad-review tags (API.md § Rating levels). Plain data, no framework. */
import { LEVEL_LABELS, TAG_LABELS } from './labels.js';

/**
 * GOOD / BAD: a rating's grade (a 12345 complaint is BAD). NONE: a 12345 transfer that is no review
 * (REQUEST, SUGGESTION, CONSULTATION): it opens a case, but counts in no review rate — only in the
 * report's `hotline` section.
 */
export type Grade = 'GOOD' | 'BAD' | 'NONE';
export const GRADES: readonly Grade[] = ['GOOD', 'BAD', 'NONE'];
export type RatingLevel = 1 | 2 | 3 | 4 | 5;
/**
 * Where a rating came from (API.md § Channels and 一事一评): the window PAD, a 12345 transfer, the online
 * platform (一网通办), the citizen's phone from a QR code or an SMS invitation, or the provincial platform.
 */
export const CHANNELS = ['PAD', 'HOTLINE_12345', 'ONLINE', 'QR', 'SMS', 'PROVINCE'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The channels a rating with a 1–5 level arrives by (all but a 12345 transfer): what an import may name. */
export const RATING_CHANNELS = CHANNELS.filter((c): c is Exclude<Channel, 'HOTLINE_12345'> => c !== 'HOTLINE_12345');
export type RatingChannel = (typeof RATING_CHANNELS)[number];

/** The stage of the matter rated (一事一评): 受理 or 办结. One rating per (unit, service record, stage), whatever the channel. */
export const STAGES = ['ACCEPTANCE', 'COMPLETION'] as const;
export type Stage = (typeof STAGES)[number];
/** A rating that names no stage rates the matter's completion. */
export const DEFAULT_STAGE: Stage = 'COMPLETION';

/** The five levels, best first, with their names and grades: the one place a level's grade is decided. */
export const RATING_LEVELS: ReadonlyArray<{ level: RatingLevel; name: string; grade: 'GOOD' | 'BAD' }> = [
  { level: 5, name: LEVEL_LABELS[5], grade: 'GOOD' },
  { level: 4, name: LEVEL_LABELS[4], grade: 'GOOD' },
  { level: 3, name: LEVEL_LABELS[3], grade: 'GOOD' },
  { level: 2, name: LEVEL_LABELS[2], grade: 'BAD' },
  { level: 1, name: LEVEL_LABELS[1], grade: 'BAD' },
];

const GRADE_OF_LEVEL = new Map(RATING_LEVELS.map((l) => [l.level, l.grade]));

/** A rating level's grade, as RATING_LEVELS says. */
export function gradeOf(level: RatingLevel): 'GOOD' | 'BAD' {
  const grade = GRADE_OF_LEVEL.get(level);
  if (grade === undefined) throw new RangeError(`no rating level ${String(level)}`);
  return grade;
}

/** The levels graded GOOD, ascending: SQL gets them as a parameter (`level = ANY($n)`), never as a literal. */
export const GOOD_LEVELS: readonly RatingLevel[] = RATING_LEVELS.filter((l) => l.grade === 'GOOD')
  .map((l) => l.level)
  .sort((a, b) => a - b);

/** 12345 转办 categories (API.md § POST /hotline/complaints). */
export const HOTLINE_CATEGORIES = ['COMPLAINT', 'REQUEST', 'SUGGESTION', 'CONSULTATION'] as const;
export type HotlineCategory = (typeof HOTLINE_CATEGORIES)[number];

/**
 * The longest a matter's identifiers may be, wherever they arrive (PAD ratings and prompts, online and provincial
 * platforms, 12345 transfers, 办不成事 reports): the DTOs and intake's fast validation read them from here.
 */
export const FIELD_MAX_LENGTH = {
  /** 办件编号: the matter's own number in the unit's system. */
  serviceRecordId: 64,
  /** 事项编码. */
  serviceItemCode: 64,
  /** 工号 of the staff member who served. */
  staffId: 64,
  /** A 12345 ticket's (or a provincial order's) id. */
  ticketId: 64,
} as const;

/** Only a complaint is a bad review (差评); the other categories are no review at all. */
export function gradeOfHotline(category: HotlineCategory): Grade {
  return category === 'COMPLAINT' ? 'BAD' : 'NONE';
}

/**
 * The category a 12345 review counts under: its own, or COMPLAINT for one stored before categories
 * counted (every transfer was then graded BAD).
 */
export function hotlineCategoryOf(category: string | null): HotlineCategory {
  return (HOTLINE_CATEGORIES as readonly string[]).includes(category ?? '') ? (category as HotlineCategory) : 'COMPLAINT';
}

/** Which reviews open a rectification case: every bad review and every 12345 transfer, whatever its category. */
export function opensCase(review: { grade: Grade; channel: Channel; handling?: unknown }): boolean {
  // An imported review the previous platform already handled opens none (API.md, POST /imports/ratings).
  if (review.handling) return false;
  return review.grade === 'BAD' || review.channel === 'HOTLINE_12345';
}

/** The bad-review tag codes and their labels (labels.ts, the one home of labels). */
export const BAD_REVIEW_TAGS = TAG_LABELS;
export type BadReviewTag = keyof typeof BAD_REVIEW_TAGS;
export const BAD_REVIEW_TAG_CODES = Object.keys(BAD_REVIEW_TAGS) as BadReviewTag[];
