import { computeDeadlines, seedYearsFromChineseDays, WorkingCalendar } from '#libs/calendar';
import type { FieldError } from '#libs/common';
import { gradeOf, type RatingLevel, type ReviewHandling } from '#libs/contracts';
import type { ImportHandlingDto } from '../ratings/dto/create-rating.dto.js';

/**
 * The `handling` of an imported rating (how the previous platform handled a bad review), judged
 * against its rating: only a bad item (level 1–2) carries one — a good review has no case to have
 * handled —, the unit responded after the rating (respondedAt ≥ ratedAt) and closed after it
 * responded (closedAt ≥ respondedAt). Each wrong field is named.
 */
export function handlingErrors(item: { level: RatingLevel; ratedAt: string; handling?: ImportHandlingDto }): FieldError[] {
  const h = item.handling;
  if (!h) return [];
  if (gradeOf(item.level) !== 'BAD') return [{ field: 'handling', message: 'is only for bad ratings (level 1 or 2)' }];
  const errors: FieldError[] = [];
  const respondedAt = Date.parse(h.respondedAt);
  if (respondedAt < Date.parse(item.ratedAt)) errors.push({ field: 'handling.respondedAt', message: 'must not be before ratedAt' });
  if (h.closedAt !== undefined && Date.parse(h.closedAt) < respondedAt)
    errors.push({ field: 'handling.closedAt', message: 'must not be before handling.respondedAt' });
  return errors;
}

let packageCalendar: WorkingCalendar | null = null;

/**
 * The handling as the review event carries it. `respondedOnTime`, when the previous platform did
 * not say, is judged as a case's would be with the clock starting at ratedAt: respondedAt by the
 * 1-working-day deadline of the mainland calendar (the holiday package's years; intake has no
 * admin-corrected calendar, which lives in rectification).
 */
export function resolveHandling(ratedAt: string, h: ImportHandlingDto): ReviewHandling {
  const respondedAt = new Date(h.respondedAt);
  let onTime = h.respondedOnTime;
  if (onTime === undefined) {
    packageCalendar ??= WorkingCalendar.fromYears(seedYearsFromChineseDays());
    onTime = respondedAt.getTime() <= computeDeadlines(packageCalendar, new Date(ratedAt)).responseDueAt.getTime();
  }
  return {
    respondedAt: respondedAt.toISOString(),
    respondedOnTime: onTime,
    outcome: h.outcome,
    closedAt: h.closedAt !== undefined ? new Date(h.closedAt).toISOString() : null,
  };
}
