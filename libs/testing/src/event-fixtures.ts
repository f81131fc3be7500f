import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CaseLifecycleData, type CloudEvent, gradeOf, type ReviewSubmittedData } from '#libs/contracts';
import { appendToEventBus } from '#libs/messaging';

/** A `gov.review.submitted` payload: a plain PAD rating unless overridden. */
export function reviewSubmittedData(overrides: Partial<ReviewSubmittedData> = {}): ReviewSubmittedData {
  const level = overrides.level === undefined ? 5 : overrides.level;
  const ratedAt = overrides.ratedAt ?? new Date().toISOString();
  return {
    reviewId: randomUUID(),
    unitCode: 'CN-01',
    unitName: '区市场监督管理局',
    channel: 'PAD',
    level,
    grade: level === null ? 'BAD' : gradeOf(level),
    tags: [],
    serviceItemCode: null,
    serviceItemName: null,
    serviceRecordId: null,
    windowNo: null,
    staffId: null,
    comment: null,
    ratedAt,
    receivedAt: ratedAt,
    suspect: false,
    suspectReason: null,
    ticketId: null,
    hotlineClientId: null,
    category: null,
    dueAt: null,
    contact: { maskedName: null, maskedPhone: null, sealed: null },
    ...overrides,
  };
}

/** A `gov.case.*` payload: a freshly opened bad-review case unless overridden. */
export function caseLifecycleData(overrides: Partial<CaseLifecycleData> = {}): CaseLifecycleData {
  return {
    caseId: randomUUID(),
    source: 'BAD_REVIEW',
    unitCode: 'CN-01',
    reviewId: null,
    reportId: null,
    ticketId: null,
    status: 'PENDING',
    outcome: null,
    openedAt: '2024-11-20T10:00:00+08:00',
    responseDueAt: '2024-11-21T23:59:59.999+08:00',
    rectifyDueAt: '2024-11-27T23:59:59.999+08:00',
    respondedAt: null,
    respondedOnTime: null,
    rectifiedAt: null,
    closedAt: null,
    overdue: false,
    reopenedCount: 0,
    version: 1,
    actor: 'test',
    note: null,
    ...overrides,
  };
}

/** Feeds an event to a service's consumers through the embedded bus, as another service's relay would. */
export async function publishToBus(app: INestApplication, topic: string, key: string, event: CloudEvent): Promise<void> {
  const runner = app.get(DataSource).createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await appendToEventBus(runner, [{ topic, key, eventId: event.id, value: JSON.stringify(event) }]);
    await runner.commitTransaction();
  } finally {
    await runner.release();
  }
}
