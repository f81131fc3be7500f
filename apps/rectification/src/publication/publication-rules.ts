import { personalNumbersIn } from '#libs/common';
import { BAD_REVIEW_TAGS, type CaseOutcome, type CaseSource, type CaseStatus, RATING_LEVELS } from '#libs/contracts';

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
 * Why a text may not be published: it holds a phone or ID number (in any spelling: spaces, dashes,
 * full-width digits), the staff id of the case, or the
 * reviewer's name. Empty when it is fit for the public.
 */
export function personalDataIn(text: string, known: { staffId?: string | null; reviewerName?: string | null }): string[] {
  const problems: string[] = [];
  const numbers = personalNumbersIn(text); // the one home of what counts as a phone or ID number, in any spelling
  if (numbers.includes('phone')) problems.push('must not contain a phone number');
  if (numbers.includes('idCard')) problems.push('must not contain an ID card number');
  if (known.staffId && text.includes(known.staffId)) problems.push('must not name the staff member (工号)');
  if (known.reviewerName && known.reviewerName.length >= 2 && text.includes(known.reviewerName))
    problems.push("must not contain the reviewer's name");
  return problems;
}
