import { hotlineCategoryOf } from '#libs/contracts';

/**
 * What one fact adds to the rollups. Every change to a fact is applied as
 * `contribution(after) − contribution(before)`, so the rollups always equal the sum of
 * the contributions of the current facts — which is exactly what a rebuild computes.
 * Plain functions, no framework.
 */

export interface ReviewFact {
  submitted: boolean;
  unitCode: string | null;
  day: string | null;
  channel: string | null;
  level: number | null;
  grade: string | null;
  tags: string[];
  serviceItemCode: string | null;
  suspect: boolean;
  caseVersion: number;
  caseStatus: string | null;
  caseOutcome: string | null;
  responseDueDay: string | null;
  responded: boolean;
  respondedOnTime: boolean;
  overdue: boolean;
  /** The 12345 category of a hotline transfer; null for a PAD rating. */
  category: string | null;
  /** The case's deadline rests on a provisional calendar day. */
  deadlineProvisional: boolean;
  /** The 问题分类 the unit chose at rectify (rectification's taxonomy); null before, and for older cases (bad_category_rollups). */
  problemCategory: string | null;
}

export interface UnresolvedFact {
  submitted: boolean;
  unitCode: string | null;
  day: string | null;
  caseVersion: number;
  caseStatus: string | null;
}

/** Rollup tables, their key columns and their counters: the only names ever put into SQL text. */
export const ROLLUP_TABLES = {
  review_rollups: {
    keys: ['unit_code', 'day', 'channel', 'level'],
    counters: ['reviews', 'responded', 'responded_on_time', 'rectified', 'open', 'overdue', 'appeals_upheld'],
  },
  bad_pending_rollups: { keys: ['unit_code', 'day', 'due_day'], counters: ['pending'] },
  bad_tag_rollups: { keys: ['unit_code', 'day', 'tag'], counters: ['reviews'] },
  bad_item_rollups: { keys: ['unit_code', 'day', 'service_item_code'], counters: ['reviews'] },
  unresolved_rollups: { keys: ['unit_code', 'day'], counters: ['total', 'closed'] },
  hotline_rollups: { keys: ['unit_code', 'day', 'category'], counters: ['total', 'closed', 'overdue'] },
  provisional_deadline_rollups: { keys: ['unit_code', 'day'], counters: ['reviews'] },
  bad_category_rollups: { keys: ['unit_code', 'day', 'category'], counters: ['reviews'] },
} as const;

export type RollupTable = keyof typeof ROLLUP_TABLES;

export interface RollupDelta {
  table: RollupTable;
  /** Key values in the order of ROLLUP_TABLES[table].keys. */
  key: Array<string | number>;
  /** Counter values in the order of ROLLUP_TABLES[table].counters. */
  counters: number[];
}

const oneIf = (flag: boolean): number => (flag ? 1 : 0);

export const emptyReviewFact = (): ReviewFact => ({
  submitted: false,
  unitCode: null,
  day: null,
  channel: null,
  level: null,
  grade: null,
  tags: [],
  serviceItemCode: null,
  suspect: false,
  caseVersion: 0,
  caseStatus: null,
  caseOutcome: null,
  responseDueDay: null,
  responded: false,
  respondedOnTime: false,
  overdue: false,
  category: null,
  deadlineProvisional: false,
  problemCategory: null,
});

/**
 * An imported bad review that the previous platform handled (the review event's `handling`) opens
 * no case: its case fields are those of a case closed with that outcome, responded (on time or not,
 * as the history says), never overdue, nothing pending. The fact keeps them, so a rebuild (rebuild.service.ts)
 * counts them alike.
 */
export function handledCaseFields(handling: {
  respondedOnTime: boolean;
  outcome: string;
}): Pick<ReviewFact, 'caseStatus' | 'caseOutcome' | 'responseDueDay' | 'responded' | 'respondedOnTime' | 'overdue'> {
  return {
    caseStatus: 'CLOSED',
    caseOutcome: handling.outcome,
    responseDueDay: null,
    responded: true,
    respondedOnTime: handling.respondedOnTime,
    overdue: false,
  };
}

/** A case counts as rectified in state RECTIFIED, or CLOSED with outcome RECTIFIED/EXPLAINED (API.md). */
export function isRectified(status: string | null, outcome: string | null): boolean {
  return status === 'RECTIFIED' || (status === 'CLOSED' && (outcome === 'RECTIFIED' || outcome === 'EXPLAINED'));
}

export function isAppealUpheld(fact: Pick<ReviewFact, 'caseStatus' | 'caseOutcome'>): boolean {
  return fact.caseStatus === 'CLOSED' && fact.caseOutcome === 'APPEAL_UPHELD';
}

export function reviewContribution(f: ReviewFact): RollupDelta[] {
  if (!f.submitted || f.suspect || !f.unitCode || !f.day || !f.channel) return [];
  const hotline = hotlineContribution(f);
  // A 12345 request, suggestion or consultation is no review: it counts in the hotline section only.
  if (f.grade === 'NONE') return hotline;
  return [...hotline, ...ratingContribution(f)];
}

/** Every 12345 transfer, by category (an upheld appeal removes it, as from every count). */
function hotlineContribution(f: ReviewFact): RollupDelta[] {
  if (f.channel !== 'HOTLINE_12345' || isAppealUpheld(f)) return [];
  const closed = f.caseStatus === 'CLOSED';
  return [
    {
      table: 'hotline_rollups',
      key: [f.unitCode!, f.day!, hotlineCategoryOf(f.category)],
      counters: [1, oneIf(closed), oneIf(f.overdue && !closed)],
    },
  ];
}

function ratingContribution(f: ReviewFact): RollupDelta[] {
  const unit = f.unitCode!;
  const day = f.day!;
  const reviewKey = [unit, day, f.channel!, f.level ?? 0];
  const bad = f.grade === 'BAD';
  // A bad review removed by an upheld appeal leaves every count but appealsUpheld.
  if (bad && isAppealUpheld(f)) return [{ table: 'review_rollups', key: reviewKey, counters: [0, 0, 0, 0, 0, 0, 1] }];
  if (!bad) return [{ table: 'review_rollups', key: reviewKey, counters: [1, 0, 0, 0, 0, 0, 0] }];
  const closed = f.caseStatus === 'CLOSED';
  const deltas: RollupDelta[] = [
    {
      table: 'review_rollups',
      key: reviewKey,
      counters: [
        1,
        oneIf(f.responded),
        oneIf(f.responded && f.respondedOnTime),
        oneIf(isRectified(f.caseStatus, f.caseOutcome)),
        oneIf(!closed),
        oneIf(f.overdue && !closed),
        0,
      ],
    },
  ];
  if (!f.responded && f.responseDueDay) deltas.push({ table: 'bad_pending_rollups', key: [unit, day, f.responseDueDay], counters: [1] });
  for (const tag of new Set(f.tags)) deltas.push({ table: 'bad_tag_rollups', key: [unit, day, tag], counters: [1] });
  if (f.serviceItemCode) deltas.push({ table: 'bad_item_rollups', key: [unit, day, f.serviceItemCode], counters: [1] });
  if (f.deadlineProvisional) deltas.push({ table: 'provisional_deadline_rollups', key: [unit, day], counters: [1] });
  if (f.problemCategory) deltas.push({ table: 'bad_category_rollups', key: [unit, day, f.problemCategory], counters: [1] });
  return deltas;
}

export function unresolvedContribution(f: UnresolvedFact): RollupDelta[] {
  if (!f.submitted || !f.unitCode || !f.day) return [];
  return [{ table: 'unresolved_rollups', key: [f.unitCode, f.day], counters: [1, oneIf(f.caseStatus === 'CLOSED')] }];
}

/** after − before, merged per rollup row, without the rows that do not change. */
export function difference(before: RollupDelta[], after: RollupDelta[]): RollupDelta[] {
  const rows = new Map<string, RollupDelta>();
  const add = (delta: RollupDelta, sign: 1 | -1) => {
    const id = `${delta.table}\u0000${delta.key.join('\u0000')}`;
    const row = rows.get(id) ?? { table: delta.table, key: delta.key, counters: delta.counters.map(() => 0) };
    delta.counters.forEach((n, i) => (row.counters[i] += sign * n));
    rows.set(id, row);
  };
  before.forEach((d) => add(d, -1));
  after.forEach((d) => add(d, 1));
  return [...rows.values()].filter((d) => d.counters.some((n) => n !== 0));
}
