/** Kafka topics (API.md § Events). The record key is always the unit code. */
export const Topics = {
  ReviewsSubmitted: 'reviews.submitted',
  UnresolvedReported: 'unresolved.reported',
  CasesLifecycle: 'cases.lifecycle',
  HotlineClients: 'registry.hotline-clients',
  DeadLetter: 'events.dead-letter',
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
  ReviewSuspectChanged: 'gov.review.suspect-changed',
  UnitRegistered: 'gov.unit.registered',
  DeadLettered: 'gov.event.dead-lettered',
  HotlineClientRegistered: 'gov.hotline-client.registered',
  HotlineClientRevoked: 'gov.hotline-client.revoked',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** CloudEvents `source` of each service. */
export const EventSources = {
  Intake: '/gov-review/intake',
  Rectification: '/gov-review/rectification',
  Statistics: '/gov-review/statistics',
} as const;
