import { CASE_STATUSES, EventTypes } from '#libs/contracts';
import { replayedCaseType } from './replay-events.js';

describe('replayedCaseType: the lifecycle event a case as it stands reads as', () => {
  it('names every status, an upheld appeal and a reopened case by their own events', () => {
    const type = (status: string, outcome: string | null = null, reopenedCount = 0) =>
      replayedCaseType({ status, outcome, reopenedCount } as Parameters<typeof replayedCaseType>[0]);
    expect(CASE_STATUSES.map((s) => type(s))).toEqual([
      EventTypes.CaseOpened,
      EventTypes.CaseAccepted,
      EventTypes.CaseResponded,
      EventTypes.CaseRectified,
      EventTypes.CaseClosed,
      EventTypes.CaseAppealed,
    ]);
    expect(type('PENDING', null, 1)).toBe(EventTypes.CaseReopened);
    expect(type('CLOSED', 'APPEAL_UPHELD')).toBe(EventTypes.CaseAppealDecided);
    expect(type('CLOSED', 'EXPLAINED')).toBe(EventTypes.CaseClosed);
  });
});
