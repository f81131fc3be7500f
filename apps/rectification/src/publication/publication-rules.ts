import { BAD_REVIEW_TAGS, type CaseOutcome, type CaseSource, type CaseStatus, RATING_LEVELS } from '#libs/contracts';

/** A mainland mobile number anywhere in a text (not part of a longer digit run). */
export const PHONE_IN_TEXT = /(?<!\d)1[3-9]\d{9}(?!\d)/;
/** A landline with its area code, e.g. 021-12345678 or 02112345678. */
export const LANDLINE_IN_TEXT = /(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)/;
/** A resident ID card number (18 characters, the last a digit or X). */
export const ID_CARD_IN_TEXT = /(?<![\dXx])\d{17}[\dXx](?![\dXx])/;

export const MATTER_MAX = 200;
export const MEASURES_MAX = 1000;

/** Only a case closed with its rectification or explanation accepted is an example (not an upheld appeal, not an open case). */
export function canBePublished(status: CaseStatus, outcome: CaseOutcome | null): boolean {
  return status === 'CLOSED' && (outcome === 'RECTIFIED' || outcome === 'EXPLAINED');
}

const WALK_IN_ITEM = 'WALK-IN';

/**
 * The matter as published when the unit gives no wording of its own, built only from structured
 * fields (the service item, the level, the tags), never from the citizen's comment or the hotline
 * content; null when the case has nothing structured to say (the unit must then word it).
 */
export function defaultPublishedMatter(source: CaseSource, matter: Record<string, unknown>): string | null {
  if (source !== 'BAD_REVIEW') return null;
  const code = typeof matter.serviceItemCode === 'string' ? matter.serviceItemCode : null;
  const name = typeof matter.serviceItemName === 'string' && matter.serviceItemName ? matter.serviceItemName : null;
  const item = name ?? (code && code !== WALK_IN_ITEM ? code : '窗口服务');
  const level = RATING_LEVELS.find((l) => l.level === matter.level)?.name ?? '差评';
  const tags = Array.isArray(matter.tags)
    ? matter.tags
        .map((t) => BAD_REVIEW_TAGS[t as keyof typeof BAD_REVIEW_TAGS])
        .filter((label): label is (typeof BAD_REVIEW_TAGS)[keyof typeof BAD_REVIEW_TAGS] => !!label)
    : [];
  return tags.length ? `${item}（${level}：${tags.join('、')}）` : `${item}（${level}）`;
}

/**
 * Why a text may not be published: it holds a phone or ID number, the staff id of the case, or the
 * reviewer's name. Empty when it is fit for the public.
 */
export function personalDataIn(text: string, known: { staffId?: string | null; reviewerName?: string | null }): string[] {
  const problems: string[] = [];
  if (PHONE_IN_TEXT.test(text) || LANDLINE_IN_TEXT.test(text)) problems.push('must not contain a phone number');
  if (ID_CARD_IN_TEXT.test(text)) problems.push('must not contain an ID card number');
  if (known.staffId && text.includes(known.staffId)) problems.push('must not name the staff member (工号)');
  if (known.reviewerName && known.reviewerName.length >= 2 && text.includes(known.reviewerName))
    problems.push("must not contain the reviewer's name");
  return problems;
}
