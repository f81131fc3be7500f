import {
  type Channel,
  type ContactPayload,
  Events,
  type Grade,
  type HotlineCategory,
  type ReviewHandling,
  type ReviewSubmittedData,
  type Stage,
  Topics,
  type UnresolvedReportedData,
} from '#libs/contracts';
import type { OutboxEntry } from '#libs/messaging';
import type { ReviewEntity } from '../ratings/review.entity.js';
import type { UnitEntity } from '../registry/registry.entities.js';
import type { UnresolvedReportEntity } from '../unresolved/unresolved-report.entity.js';

/**
 * intake's facts as a replay re-sends them (POST /admin/replay): the events that told each fact, carrying it as it
 * stands now (a review's current 刷评 flag, a unit's current name and status), built by the contract's factories
 * with `replay` set. Plain functions over the rows.
 */

const contactOf = (row: { contactSealed: string | null; contactMaskedName: string | null; contactMaskedPhone: string | null }) =>
  ({ sealed: row.contactSealed, maskedName: row.contactMaskedName, maskedPhone: row.contactMaskedPhone }) satisfies ContactPayload;

/** A unit: gov.unit.registered with its current name, then gov.unit.updated when it is disabled (keyed by its code). */
export function unitReplayEvents(unit: Pick<UnitEntity, 'code' | 'name' | 'createdAt' | 'disabledAt'>, replay: string): OutboxEntry[] {
  const entries: OutboxEntry[] = [
    {
      topic: Topics.ReviewsSubmitted,
      key: unit.code,
      event: Events.unitRegistered(
        { unitCode: unit.code, unitName: unit.name, registeredAt: unit.createdAt.toISOString() },
        { subject: unit.code, replay },
      ),
    },
  ];
  if (unit.disabledAt) {
    const disabledAt = unit.disabledAt.toISOString();
    entries.push({
      topic: Topics.ReviewsSubmitted,
      key: unit.code,
      event: Events.unitUpdated(
        { unitCode: unit.code, unitName: unit.name, disabled: true, disabledAt, updatedAt: disabledAt },
        { subject: unit.code, replay },
      ),
    });
  }
  return entries;
}

/** A review (PAD, online, QR, SMS, province, imported or a 12345 transfer) as its gov.review.submitted told it, with its current 刷评 flag. */
export function reviewReplayEvent(review: ReviewEntity, unitName: string, replay: string): OutboxEntry {
  const hotline = review.channel === 'HOTLINE_12345';
  const data: ReviewSubmittedData = {
    reviewId: review.id,
    unitCode: review.unitCode,
    unitName,
    channel: review.channel as Channel,
    // A 12345 transfer rates no stage (its events carry none).
    ...(hotline ? {} : { stage: review.stage as Stage }),
    level: review.level as ReviewSubmittedData['level'],
    grade: review.grade as Grade,
    tags: review.tags,
    serviceItemCode: review.serviceItemCode,
    serviceItemName: review.serviceItemName,
    serviceRecordId: review.serviceRecordId,
    windowNo: review.windowNo,
    staffId: review.staffId,
    comment: review.comment,
    ratedAt: review.ratedAt.toISOString(),
    receivedAt: review.receivedAt.toISOString(),
    suspect: review.suspect,
    suspectReason: review.suspectReason,
    ticketId: review.ticketId,
    hotlineClientId: review.hotlineClientId,
    category: hotline ? (review.category as HotlineCategory | null) : null,
    dueAt: review.dueAt?.toISOString() ?? null,
    contact: contactOf(review),
    ...(review.hotlineReceivedAt ? { hotlineReceivedAt: review.hotlineReceivedAt.toISOString() } : {}),
    ...(review.imported ? { imported: true } : {}),
    ...(review.handling ? { handling: review.handling as unknown as ReviewHandling } : {}),
  };
  return { topic: Topics.ReviewsSubmitted, key: review.unitCode, event: Events.reviewSubmitted(data, { subject: review.id, replay }) };
}

/** A 办不成事 report as its gov.unresolved.reported told it. */
export function unresolvedReplayEvent(report: UnresolvedReportEntity, unitName: string, replay: string): OutboxEntry {
  const data: UnresolvedReportedData = {
    reportId: report.id,
    unitCode: report.unitCode,
    unitName,
    matter: report.matter,
    description: report.description,
    serviceItemCode: report.serviceItemCode,
    reportedAt: report.reportedAt.toISOString(),
    reportedBy: report.reportedBy,
    contact: contactOf(report),
  };
  return { topic: Topics.UnresolvedReported, key: report.unitCode, event: Events.unresolvedReported(data, { subject: report.id, replay }) };
}
