import { DomainError } from '#libs/common';
import type { WorkingCalendar } from './calendar.js';

/** Shanghai's "1、5、15" rule, in working days after the case opens. */
export const RESPONSE_WORKING_DAYS = 1;
export const RECTIFY_WORKING_DAYS = 5;
export const MAX_EXTENSION_WORKING_DAYS = 15;

export interface CaseDeadlines {
  /** 联系评价人/回访核实: 1 working day after opening. */
  responseDueAt: Date;
  /** 整改到位并反馈: 5 working days after opening, or the hotline's own `dueAt`. */
  rectifyDueAt: Date;
  /** True when a computed deadline walked through a provisional year (see `WorkingCalendar.spanIsProvisional`). */
  provisional: boolean;
}

/**
 * Deadlines of a case opened at `openedAt` (when the matter reached the unit). A hotline
 * complaint's `dueAt`, when given, is the rectification deadline as the 12345 centre set it.
 */
export function computeDeadlines(calendar: WorkingCalendar, openedAt: Date, hotlineDueAt?: Date | null): CaseDeadlines {
  if (hotlineDueAt != null && Number.isNaN(hotlineDueAt.getTime())) throw new RangeError('hotlineDueAt is not a valid instant');
  const responseDueAt = calendar.addWorkingDays(openedAt, RESPONSE_WORKING_DAYS);
  const computedRectifyDueAt = hotlineDueAt == null ? calendar.addWorkingDays(openedAt, RECTIFY_WORKING_DAYS) : null;
  return {
    responseDueAt,
    rectifyDueAt: computedRectifyDueAt ?? hotlineDueAt!,
    provisional: calendar.spanIsProvisional(openedAt, computedRectifyDueAt ?? responseDueAt),
  };
}

/** What a case's deadlines were computed from, to compute them again under a changed calendar. */
export interface DeadlineBasis {
  openedAt: Date;
  /** The 12345 centre's own rectification deadline, when it gave one: not computed, never moved. */
  hotlineDueAt?: Date | null;
  /** An approved extension (延期): a date a supervisor agreed to, never moved either. */
  extendedUntil?: Date | null;
}

/**
 * The deadlines of a case under `calendar`, as `computeDeadlines` gave them when it opened, except
 * that an approved extension keeps its agreed date as the rectification deadline.
 */
export function recomputeDeadlines(calendar: WorkingCalendar, basis: DeadlineBasis): CaseDeadlines {
  const deadlines = computeDeadlines(calendar, basis.openedAt, basis.hotlineDueAt);
  if (basis.extendedUntil == null) return deadlines;
  return {
    responseDueAt: deadlines.responseDueAt,
    rectifyDueAt: basis.extendedUntil,
    provisional: calendar.spanIsProvisional(basis.openedAt, deadlines.responseDueAt),
  };
}

/**
 * Whether a missed-deadline flag still holds under moved deadlines: the deadline has passed at
 * `now` and its obligation was not met by it (`metAt`: when the reviewer was contacted, or the
 * case rectified; null when not yet). A flag raised under a deadline that has since moved later
 * is withdrawn when this is false.
 */
export function deadlineMissed(dueAt: Date, metAt: Date | null, now: Date): boolean {
  if (now.getTime() <= dueAt.getTime()) return false;
  return metAt === null || metAt.getTime() > dueAt.getTime();
}

/** The latest a complex case may be extended to: 15 working days after opening. */
export function maxExtensionUntil(calendar: WorkingCalendar, openedAt: Date): Date {
  return calendar.addWorkingDays(openedAt, MAX_EXTENSION_WORKING_DAYS);
}

export type ExtensionCheck =
  | { ok: true; until: Date; maxUntil: Date }
  | { ok: false; reason: 'INVALID_DATE' | 'NOT_AFTER_CURRENT_DUE' | 'BEYOND_MAX'; message: string; maxUntil: Date };

/**
 * The extension rule: `requestedUntil` must be a valid instant later than the current rectifyDueAt and
 * no later than `maxUntil` (15 working days after opening, `maxExtensionUntil`).
 */
export function checkExtension(currentRectifyDueAt: Date, requestedUntil: Date, maxUntil: Date): ExtensionCheck {
  if (!(requestedUntil instanceof Date) || Number.isNaN(requestedUntil.getTime())) {
    return { ok: false, reason: 'INVALID_DATE', message: 'must be a valid date-time', maxUntil };
  }
  if (requestedUntil.getTime() <= currentRectifyDueAt.getTime()) {
    return {
      ok: false,
      reason: 'NOT_AFTER_CURRENT_DUE',
      message: `must be after the current rectification deadline ${currentRectifyDueAt.toISOString()}`,
      maxUntil,
    };
  }
  if (requestedUntil.getTime() > maxUntil.getTime()) {
    return {
      ok: false,
      reason: 'BEYOND_MAX',
      message: `must not be later than ${maxUntil.toISOString()} (${MAX_EXTENSION_WORKING_DAYS} working days after opening)`,
      maxUntil,
    };
  }
  return { ok: true, until: requestedUntil, maxUntil };
}

/**
 * Throws a VALIDATION_FAILED DomainError (field `until`) unless `requestedUntil` passes `checkExtension`;
 * returns it.
 */
export function validateExtension(currentRectifyDueAt: Date, requestedUntil: Date, maxUntil: Date): Date {
  const check = checkExtension(currentRectifyDueAt, requestedUntil, maxUntil);
  if (!check.ok)
    throw DomainError.validation([{ field: 'until', message: check.message }], `The extension is not allowed: ${check.message}.`);
  return check.until;
}
