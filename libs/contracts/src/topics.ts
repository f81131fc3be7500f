/** Kafka topics (API.md § Events). The record key is always the unit code. */
export const Topics = {
  ReviewsSubmitted: 'reviews.submitted',
  UnresolvedReported: 'unresolved.reported',
  CasesLifecycle: 'cases.lifecycle',
  CasesPublication: 'cases.publication',
  HotlineClients: 'registry.hotline-clients',
  DeadLetter: 'events.dead-letter',
  AuditRecorded: 'audit.recorded',
  /** 分析研判: problem classes (类问题) and their improvement actions, and changes of the 问题分类 taxonomy. */
  ProblemClasses: 'problem-classes.lifecycle',
} as const;
export type Topic = (typeof Topics)[keyof typeof Topics];

export const EventTypes = {
  ReviewSubmitted: 'gov.review.submitted',
  UnresolvedReported: 'gov.unresolved.reported',
  CaseOpened: 'gov.case.opened',
  CaseAccepted: 'gov.case.accepted',
  CaseResponded: 'gov.case.responded',
  CaseRectified: 'gov.case.rectified',
  CaseClosed: 'gov.case.closed',
  CaseReopened: 'gov.case.reopened',
  CaseAppealed: 'gov.case.appealed',
  CaseAppealDecided: 'gov.case.appeal-decided',
  CaseOverdue: 'gov.case.overdue',
  CaseUrged: 'gov.case.urged',
  CaseExtensionRequested: 'gov.case.extension-requested',
  CaseExtensionDecided: 'gov.case.extension-decided',
  CaseDeadlineChanged: 'gov.case.deadline-changed',
  CasePublicationChanged: 'gov.case.publication-changed',
  ReviewSuspectChanged: 'gov.review.suspect-changed',
  UnitRegistered: 'gov.unit.registered',
  UnitUpdated: 'gov.unit.updated',
  DeadLettered: 'gov.event.dead-lettered',
  HotlineClientRegistered: 'gov.hotline-client.registered',
  HotlineClientRevoked: 'gov.hotline-client.revoked',
  AuditRecorded: 'gov.audit.recorded',
  ProblemClassOpened: 'gov.problem-class.opened',
  ProblemClassCasesChanged: 'gov.problem-class.cases-changed',
  ProblemClassActionAssigned: 'gov.problem-class.action-assigned',
  ProblemClassActionReported: 'gov.problem-class.action-reported',
  ProblemClassActionAccepted: 'gov.problem-class.action-accepted',
  ProblemClassActionReturned: 'gov.problem-class.action-returned',
  ProblemClassSolved: 'gov.problem-class.solved',
  ProblemCategoryChanged: 'gov.problem-category.changed',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** CloudEvents `source` of each service. */
export const EventSources = {
  Intake: '/gov-review/intake',
  Rectification: '/gov-review/rectification',
  Statistics: '/gov-review/statistics',
} as const;

/**
 * Partitions of every topic. The key is the unit code, so a unit's events stay in
 * order on one partition; 12 lets 1, 2, 3, 4, 6 or 12 instances of a consumer
 * share a topic evenly and spreads a district's units (a dozen to a few hundred)
 * over enough partitions that a second or fourth instance has work to take.
 */
export const TOPIC_PARTITIONS = 12;

/**
 * The one list of topics and their partition counts: the services, `scripts/kafka.sh`
 * (through scripts/kafka/create-topics.mjs) and docker-compose.yml (checked by a test) read it.
 */
export const TOPIC_SPECS: ReadonlyArray<{ readonly name: Topic; readonly partitions: number }> = Object.values(Topics).map((name) => ({
  name,
  partitions: TOPIC_PARTITIONS,
}));
