import { difference, emptyReviewFact, type ReviewFact, reviewContribution } from './contribution.js';

const badFact = (overrides: Partial<ReviewFact> = {}): ReviewFact => ({
  ...emptyReviewFact(),
  submitted: true,
  unitCode: 'CN-01',
  day: '2026-12-28',
  channel: 'PAD',
  level: 2,
  grade: 'BAD',
  caseVersion: 1,
  caseStatus: 'PENDING',
  responseDueDay: '2026-12-29',
  ...overrides,
});

describe('review contribution: deadlines on a provisional calendar', () => {
  it('counts a bad review whose deadline rests on a provisional day once, and stops when the year is confirmed', () => {
    const provisional = badFact({ deadlineProvisional: true });
    expect(reviewContribution(provisional)).toContainEqual({
      table: 'provisional_deadline_rollups',
      key: ['CN-01', '2026-12-28'],
      counters: [1],
    });
    const confirmed = { ...provisional, caseVersion: 2, deadlineProvisional: false };
    expect(difference(reviewContribution(provisional), reviewContribution(confirmed))).toEqual([
      { table: 'provisional_deadline_rollups', key: ['CN-01', '2026-12-28'], counters: [-1] },
    ]);
  });

  it('a moved response deadline moves the pending review to its new due day (the `due` of 差评及时答复率)', () => {
    const before = badFact({ responseDueDay: '2027-01-04', deadlineProvisional: true });
    const after = badFact({ responseDueDay: '2027-01-05', deadlineProvisional: false, caseVersion: 2 });
    expect(difference(reviewContribution(before), reviewContribution(after))).toEqual([
      { table: 'bad_pending_rollups', key: ['CN-01', '2026-12-28', '2027-01-04'], counters: [-1] },
      { table: 'provisional_deadline_rollups', key: ['CN-01', '2026-12-28'], counters: [-1] },
      { table: 'bad_pending_rollups', key: ['CN-01', '2026-12-28', '2027-01-05'], counters: [1] },
    ]);
  });

  it('leaves good reviews and upheld appeals out', () => {
    expect(reviewContribution(badFact({ grade: 'GOOD', level: 5, deadlineProvisional: true })).map((d) => d.table)).toEqual([
      'review_rollups',
    ]);
    expect(
      reviewContribution(badFact({ caseStatus: 'CLOSED', caseOutcome: 'APPEAL_UPHELD', deadlineProvisional: true })).map((d) => d.table),
    ).toEqual(['review_rollups']);
  });
});
