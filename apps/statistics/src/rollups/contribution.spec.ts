import {
  difference,
  emptyReviewFact,
  handledCaseFields,
  type ReviewFact,
  reviewContribution,
  unresolvedContribution,
} from './contribution.js';

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

describe('review contribution: what one fact adds to the rollups', () => {
  it('counts a good review once in review_rollups, under its unit, day, channel and level, and nothing else', () => {
    expect(reviewContribution(badFact({ grade: 'GOOD', level: 4 }))).toEqual([
      { table: 'review_rollups', key: ['CN-01', '2026-12-28', 'PAD', 4], counters: [1, 0, 0, 0, 0, 0, 0] },
    ]);
  });

  it('counts a bad review as open, pending its response deadline, with each distinct tag and its service item', () => {
    expect(reviewContribution(badFact({ tags: ['ATTITUDE', 'ATTITUDE', 'EFFICIENCY'], serviceItemCode: 'X-1' }))).toEqual([
      // reviews, responded, responded on time, rectified, open, overdue, appeals upheld
      { table: 'review_rollups', key: ['CN-01', '2026-12-28', 'PAD', 2], counters: [1, 0, 0, 0, 1, 0, 0] },
      { table: 'bad_pending_rollups', key: ['CN-01', '2026-12-28', '2026-12-29'], counters: [1] },
      { table: 'bad_tag_rollups', key: ['CN-01', '2026-12-28', 'ATTITUDE'], counters: [1] },
      { table: 'bad_tag_rollups', key: ['CN-01', '2026-12-28', 'EFFICIENCY'], counters: [1] },
      { table: 'bad_item_rollups', key: ['CN-01', '2026-12-28', 'X-1'], counters: [1] },
    ]);
  });

  it('moves a bad review from pending to responded on time, and counts it rectified and closed (RECTIFIED or EXPLAINED)', () => {
    const pending = badFact();
    const responded = badFact({ caseVersion: 2, caseStatus: 'RESPONDED', responded: true, respondedOnTime: true });
    expect(difference(reviewContribution(pending), reviewContribution(responded))).toEqual([
      { table: 'review_rollups', key: ['CN-01', '2026-12-28', 'PAD', 2], counters: [0, 1, 1, 0, 0, 0, 0] },
      { table: 'bad_pending_rollups', key: ['CN-01', '2026-12-28', '2026-12-29'], counters: [-1] },
    ]);
    for (const outcome of ['RECTIFIED', 'EXPLAINED'] as const) {
      const closed = { ...responded, caseVersion: 5, caseStatus: 'CLOSED', caseOutcome: outcome };
      expect(difference(reviewContribution(responded), reviewContribution(closed))).toEqual([
        { table: 'review_rollups', key: ['CN-01', '2026-12-28', 'PAD', 2], counters: [0, 0, 0, 1, -1, 0, 0] },
      ]);
    }
  });

  it('counts an overdue case as overdue only while it is open, and a late response as responded but not on time', () => {
    expect(reviewContribution(badFact({ overdue: true }))[0]!.counters).toEqual([1, 0, 0, 0, 1, 1, 0]);
    expect(reviewContribution(badFact({ overdue: true, caseStatus: 'CLOSED', caseOutcome: 'RECTIFIED' }))[0]!.counters).toEqual([
      1, 0, 0, 1, 0, 0, 0,
    ]);
    expect(reviewContribution(badFact({ responded: true, respondedOnTime: false }))[0]!.counters).toEqual([1, 1, 0, 0, 1, 0, 0]);
  });

  it('removes a bad review whose appeal was upheld from every count but appealsUpheld', () => {
    const upheld = badFact({ tags: ['OTHER'], caseStatus: 'CLOSED', caseOutcome: 'APPEAL_UPHELD' });
    expect(reviewContribution(upheld)).toEqual([
      { table: 'review_rollups', key: ['CN-01', '2026-12-28', 'PAD', 2], counters: [0, 0, 0, 0, 0, 0, 1] },
    ]);
  });

  it('adds nothing for a suspect (刷评) rating, nor for a fact not submitted yet (case events ahead of the review)', () => {
    expect(reviewContribution(badFact({ suspect: true }))).toEqual([]);
    expect(reviewContribution(badFact({ submitted: false }))).toEqual([]);
    expect(reviewContribution(emptyReviewFact())).toEqual([]);
  });

  it('counts every 12345 transfer by category in hotline_rollups, and only a complaint as a review', () => {
    const hotline = badFact({ channel: 'HOTLINE_12345', level: null, responseDueDay: null });
    expect(reviewContribution({ ...hotline, grade: 'NONE', category: 'SUGGESTION' })).toEqual([
      { table: 'hotline_rollups', key: ['CN-01', '2026-12-28', 'SUGGESTION'], counters: [1, 0, 0] },
    ]);
    expect(reviewContribution({ ...hotline, category: 'COMPLAINT' })).toEqual([
      { table: 'hotline_rollups', key: ['CN-01', '2026-12-28', 'COMPLAINT'], counters: [1, 0, 0] },
      { table: 'review_rollups', key: ['CN-01', '2026-12-28', 'HOTLINE_12345', 0], counters: [1, 0, 0, 0, 1, 0, 0] },
    ]);
    // A transfer stored before categories counted carries none: a complaint.
    expect(reviewContribution({ ...hotline, category: null })[0]!.key).toEqual(['CN-01', '2026-12-28', 'COMPLAINT']);
  });
});

describe('unresolved contribution and difference', () => {
  it('counts a 办不成事 report once, and as closed when its case closes', () => {
    const report = { submitted: true, unitCode: 'CN-02', day: '2026-11-30', caseVersion: 1, caseStatus: 'PENDING' };
    expect(unresolvedContribution(report)).toEqual([{ table: 'unresolved_rollups', key: ['CN-02', '2026-11-30'], counters: [1, 0] }]);
    expect(difference(unresolvedContribution(report), unresolvedContribution({ ...report, caseStatus: 'CLOSED' }))).toEqual([
      { table: 'unresolved_rollups', key: ['CN-02', '2026-11-30'], counters: [0, 1] },
    ]);
    expect(unresolvedContribution({ ...report, submitted: false })).toEqual([]);
  });

  it('sums deltas per rollup row and drops the rows that do not change', () => {
    const a = badFact({ grade: 'GOOD', level: 5 });
    expect(difference([], [...reviewContribution(a), ...reviewContribution(a)])).toEqual([
      { table: 'review_rollups', key: ['CN-01', '2026-12-28', 'PAD', 5], counters: [2, 0, 0, 0, 0, 0, 0] },
    ]);
    expect(difference(reviewContribution(a), reviewContribution(a))).toEqual([]);
  });
});

describe('an imported bad review handled on the previous platform', () => {
  const fact = (handling: { respondedOnTime: boolean; outcome: string }): ReviewFact => ({
    ...emptyReviewFact(),
    submitted: true,
    unitCode: 'CN-01',
    day: '2024-04-12',
    channel: 'PAD',
    level: 1,
    grade: 'BAD',
    tags: ['ATTITUDE'],
    ...handledCaseFields(handling),
  });

  it('counts as a closed case: responded, on time as the history says, rectified or explained, nothing open or pending', () => {
    expect(reviewContribution(fact({ respondedOnTime: true, outcome: 'RECTIFIED' }))).toEqual([
      { table: 'review_rollups', key: ['CN-01', '2024-04-12', 'PAD', 1], counters: [1, 1, 1, 1, 0, 0, 0] },
      { table: 'bad_tag_rollups', key: ['CN-01', '2024-04-12', 'ATTITUDE'], counters: [1] },
    ]);
    expect(reviewContribution(fact({ respondedOnTime: false, outcome: 'EXPLAINED' }))[0]!.counters).toEqual([1, 1, 0, 1, 0, 0, 0]);
  });

  it('leaves every count but appealsUpheld when the appeal was upheld', () => {
    expect(reviewContribution(fact({ respondedOnTime: true, outcome: 'APPEAL_UPHELD' }))).toEqual([
      { table: 'review_rollups', key: ['CN-01', '2024-04-12', 'PAD', 1], counters: [0, 0, 0, 0, 0, 0, 1] },
    ]);
  });
});

describe('review contribution: bad reviews by 问题分类', () => {
  it('counts a bad review under the category its case was rectified with, moves it when the category changes, and drops it on an upheld appeal', () => {
    const categorized = badFact({ caseStatus: 'RECTIFIED', caseOutcome: 'RECTIFIED', problemCategory: 'EFFICIENCY_WAITING' });
    expect(reviewContribution(categorized)).toContainEqual({
      table: 'bad_category_rollups',
      key: ['CN-01', '2026-12-28', 'EFFICIENCY_WAITING'],
      counters: [1],
    });
    expect(reviewContribution(badFact()).some((d) => d.table === 'bad_category_rollups')).toBe(false);
    const moved = { ...categorized, caseVersion: 2, problemCategory: 'ATTITUDE_RUDE' };
    expect(
      difference(reviewContribution(categorized), reviewContribution(moved)).filter((d) => d.table === 'bad_category_rollups'),
    ).toEqual([
      { table: 'bad_category_rollups', key: ['CN-01', '2026-12-28', 'EFFICIENCY_WAITING'], counters: [-1] },
      { table: 'bad_category_rollups', key: ['CN-01', '2026-12-28', 'ATTITUDE_RUDE'], counters: [1] },
    ]);
    const upheld = { ...categorized, caseStatus: 'CLOSED', caseOutcome: 'APPEAL_UPHELD' };
    expect(reviewContribution(upheld).some((d) => d.table === 'bad_category_rollups')).toBe(false);
    expect(reviewContribution({ ...categorized, suspect: true })).toEqual([]);
  });
});
