/**
 * PIPL retention of a case's personal data (the reviewer's or citizen's name and phone, and the
 * originals of phone or ID numbers masked in free text): kept PERSONAL_DATA_RETENTION_DAYS after
 * the case closes, then erased — not masked — by a scheduled sweep. What the case says stays:
 * its figures, its timeline (with an entry saying so) and the audit of earlier reveals.
 */

/** What the console and the timeline show where an erased contact was. */
export const ERASED_LABEL = '已按期删除';
/** The timeline action of an erasure. */
export const ERASURE_ACTION = 'personal-data-erased';

const DAY_MS = 86_400_000;

/** Cases closed before this instant have outlived their contact's retention. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Whether a case's contact is due for erasure now. */
export function contactErasureDue(
  c: { status: string; closedAt: Date | null; contactErasedAt: Date | null },
  now: Date,
  retentionDays: number,
): boolean {
  return c.status === 'CLOSED' && c.contactErasedAt === null && c.closedAt !== null && c.closedAt < retentionCutoff(now, retentionDays);
}
