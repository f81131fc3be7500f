/**
 * The quarterly / summary report of API.md § Statistics service, built from counts that
 * the rollup SQL has already aggregated. Plain functions, no framework: every formula of
 * the contract lives here and nowhere else.
 */
import { CHINA_ZONE, DomainError, isShanghaiDay, quarterRange, type FieldError, type Quarter } from '#libs/common';
import {
  BAD_REVIEW_TAGS,
  CHANNELS,
  HOTLINE_CATEGORIES,
  type HotlineCategory,
  hotlineCategoryOf,
  GOOD_LEVELS,
  type Channel,
  type RatingLevel,
} from '#libs/contracts';

/** A ratio at full precision, or null when its denominator is 0. */
export type Rate = number | null;

export type LevelKey = `${RatingLevel}`;
export const LEVEL_KEYS: readonly LevelKey[] = ['1', '2', '3', '4', '5'];

export interface QuarterPeriod {
  year: number;
  quarter: Quarter['quarter'];
  /** First and last Shanghai calendar day, inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
  timezone: typeof CHINA_ZONE;
}

/** `GET /reports/summary`: any inclusive date range; no year/quarter. */
export interface RangePeriod {
  from: string;
  to: string;
  timezone: typeof CHINA_ZONE;
}

export type ReportPeriod = QuarterPeriod | RangePeriod;

export interface UnitRow {
  unitCode: string;
  unitName: string;
  total: number;
  good: number;
  bad: number;
  goodRate: Rate;
  timelyResponseRate: Rate;
  /** Competition ranking (1, 2, 2, 4) by goodRate desc then total desc; null goodRate last. */
  rank: number;
}

export interface TagCount {
  tag: string;
  /** Chinese label of the tag code (the code itself when unknown). Extra to API.md. */
  label: string;
  count: number;
}

export interface ServiceItemCount {
  serviceItemCode: string;
  serviceItemName: string | null;
  count: number;
}

export interface QuarterlyReport {
  period: ReportPeriod;
  reviews: {
    total: number;
    good: number;
    bad: number;
    goodRate: Rate;
    byLevel: Record<LevelKey, number>;
    byChannel: Record<Channel, number>;
  };
  badReviews: {
    total: number;
    due: number;
    respondedOnTime: number;
    timelyResponseRate: Rate;
    rectified: number;
    rectificationRate: Rate;
    open: number;
    overdue: number;
    appealsUpheld: number;
    /**
     * Of the period's bad reviews, those whose case deadline rests on a provisional calendar day
     * (a year not yet published or confirmed): their timeliness may still change once it is.
     */
    provisionalDeadlines?: number;
  };
  unresolvedReports: { total: number; closed: number };
  /**
   * The period's 12345 transfers (by transferredAt) of every category; only complaints are also in
   * `reviews`. closed: their case is closed; overdue: past a deadline and not closed. Absent from
   * snapshots published before the section existed.
   */
  hotline?: HotlineSection;
  units: UnitRow[];
  topBadTags: TagCount[];
  topBadServiceItems: ServiceItemCount[];
  /**
   * 分析研判 (analysis-facts definitions in analysis/domain/class-facts.ts). Absent from snapshots published before the
   * section existed.
   */
  analysis?: AnalysisSection;
  /** Null when the caller has no comparable period (e.g. an arbitrary summary range). */
  previousQuarter: { total: number; goodRate: Rate } | null;
  /** ISO-8601 instant. */
  generatedAt: string;
  /** Set on the frozen report of a published quarter (POST /reports/quarterly/publish): when and by whom. */
  published?: PublishedInfo;
  /**
   * On a published quarter's frozen report: null while the live figures still equal the frozen ones,
   * else how far later events (a late import, an upheld appeal) have moved them — live minus published.
   */
  changedSincePublished?: ChangeSincePublished | null;
}

/**
 * The report's `analysis`: the period's counted bad reviews by top-level 问题分类 (as the unit chose it at rectify, a
 * sub-category counting for its category), with the count of the period before (the previous quarter; for a date
 * range, the range of the same length just before); the 类问题 opened and solved in the period and the cases the solved
 * ones covered; and the hotspots as of the period's last day (or today, for a period not yet over).
 */
export interface AnalysisSection {
  byCategory: CategoryCount[];
  classes: { opened: number; solved: number; casesCovered: number };
  hotspots: ReportHotspot[];
}

export interface CategoryCount {
  code: string;
  name: string;
  count: number;
  previous: number;
}

/** A hotspot as GET /analysis/hotspots gives it (a category's name filled in). */
export interface ReportHotspot {
  kind: 'SERVICE_ITEM' | 'CATEGORY';
  code: string;
  name: string | null;
  windowCount: number;
  baselineCount: number;
  baselineWeeklyMean: number;
  expected: number;
  pValue: number;
  unitCodes: string[];
  cases: { serviceItemCode?: string; problemCategory?: string; from: string; to: string; path: string };
}

export interface AnalysisInput {
  /** Top-level categories with their counts in the period and the period before. */
  categories: Array<{ code: string; name: string; sort: number; count: number; previous: number }>;
  classes: { opened: number; solved: number; casesCovered: number };
  hotspots: ReportHotspot[];
}

/** Categories with a bad review in either period, most this period first (then most before, then the taxonomy's order). */
export function analysisSection(input: AnalysisInput): AnalysisSection {
  const byCategory = input.categories
    .filter((c) => c.count > 0 || c.previous > 0)
    .sort((a, b) => b.count - a.count || b.previous - a.previous || a.sort - b.sort || (a.code < b.code ? -1 : 1))
    .map(({ code, name, count, previous }) => ({ code, name, count, previous }));
  return { byCategory, classes: { ...input.classes }, hotspots: input.hotspots };
}

export interface HotlineSection {
  total: number;
  byCategory: Record<HotlineCategory, number>;
  closed: number;
  overdue: number;
}

export interface PublishedInfo {
  /** ISO-8601 instant of publication. */
  at: string;
  /** The publishing supervisor (JWT `sub`): an account id, never shown to a reader. */
  by: string;
  /**
   * The publisher's display name at publication (the token's `name`); null when the token had none. Absent from
   * snapshots frozen before names were kept.
   */
  byName?: string | null;
}

/** 发布人 as a reader sees it: the name kept at publication, else 「—」 (never the account id). */
export function publisherName(published: PublishedInfo): string {
  return published.byName ?? '—';
}

export interface ChangeSincePublished {
  /** Live reviews.total − published reviews.total. */
  reviews: number;
  /** Live reviews.bad − published reviews.bad. */
  bad: number;
  /** Live goodRate − published goodRate (null when either is null). */
  goodRate: Rate;
}

// ---------------------------------------------------------------- input (raw counts)

/**
 * Reviews of one unit on one channel, by level. `unleveled` counts reviews without a level:
 * 12345 hotline complaints, which are graded BAD (events.ts `ReviewSubmittedData.level`).
 * Suspect ratings and bad reviews whose appeal was upheld must already be left out.
 */
export type LevelCounts = Partial<Record<LevelKey | 'unleveled', number>>;

export interface UnitCounts {
  unitCode: string;
  unitName: string;
  byChannel: Partial<Record<Channel, LevelCounts>>;
  /** Bad reviews whose response was due (responded, or `responseDueAt` passed). */
  due: number;
  /** Of `due`, those responded to by `responseDueAt`. */
  respondedOnTime: number;
  /** Bad reviews whose case is RECTIFIED, or CLOSED with outcome RECTIFIED/EXPLAINED. */
  rectified: number;
  /** Bad reviews whose case is not yet closed. */
  open: number;
  /** Bad reviews whose case is past a deadline and not closed. */
  overdue: number;
  /** Bad reviews removed by an upheld appeal (reported, not counted anywhere else). */
  appealsUpheld: number;
}

export interface ReportInput {
  units: UnitCounts[];
  /** Tag code → count over the period's bad reviews; repeated codes are summed. */
  badTags: Array<{ tag: string; count: number }>;
  badServiceItems: Array<{ serviceItemCode: string; serviceItemName: string | null; count: number }>;
  unresolvedReports: { total: number; closed: number };
  /** 12345 transfers by category (hotline_rollups); absent = none. */
  hotline?: Array<{ category: string; total: number; closed: number; overdue: number }>;
  /** Bad reviews whose case deadline rests on a provisional calendar day (absent: 0). */
  provisionalDeadlines?: number;
  /** The analysis section's figures; absent: no section. */
  analysis?: AnalysisInput;
}

/** Counts of the comparison period, or null when there is none. */
export type PreviousCounts = { total: number; good: number } | null;

export const TOP_N = 10;

// ---------------------------------------------------------------- formulas

/** numerator / denominator, null when the denominator is 0. */
export function rate(numerator: number, denominator: number): Rate {
  return denominator === 0 ? null : numerator / denominator;
}

/**
 * 差评及时答复率's denominator for a unit: the bad reviews responded to, and those still pending whose
 * `responseDueAt` has passed (a pending one not yet due is not counted).
 */
export function responsesDue(responded: number, pendingPastDue: number): number {
  return responded + pendingPastDue;
}

const GOOD_LEVEL_KEYS = new Set<LevelKey>(GOOD_LEVELS.map((level) => `${level}` as LevelKey));

function emptyLevels(): Record<LevelKey, number> {
  return { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
}

function emptyChannels(): Record<Channel, number> {
  return Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
}

interface ReviewTotals {
  total: number;
  good: number;
  bad: number;
  byLevel: Record<LevelKey, number>;
  byChannel: Record<Channel, number>;
}

function reviewTotals(unit: UnitCounts): ReviewTotals {
  const totals: ReviewTotals = { total: 0, good: 0, bad: 0, byLevel: emptyLevels(), byChannel: emptyChannels() };
  for (const channel of CHANNELS) {
    const counts = unit.byChannel[channel] ?? {};
    for (const level of LEVEL_KEYS) {
      const n = counts[level] ?? 0;
      totals.byLevel[level] += n;
      totals.byChannel[channel] += n;
      if (GOOD_LEVEL_KEYS.has(level)) totals.good += n;
      else totals.bad += n;
    }
    const unleveled = counts.unleveled ?? 0;
    totals.byChannel[channel] += unleveled;
    totals.bad += unleveled;
  }
  totals.total = totals.good + totals.bad;
  return totals;
}

/** Good-rate comparison by cross-multiplication, exact for integer counts; null goodRate sorts last. */
function compareUnits(a: Omit<UnitRow, 'rank'>, b: Omit<UnitRow, 'rank'>): number {
  if (a.total === 0 || b.total === 0) return b.total - a.total; // empty units after the rest, tied among themselves
  const byRate = b.good * a.total - a.good * b.total;
  return byRate !== 0 ? byRate : b.total - a.total;
}

/** Ranks units: goodRate desc, then total desc; equal on both → same rank (1, 2, 2, 4); unitCode orders ties. */
export function rankUnits(rows: ReadonlyArray<Omit<UnitRow, 'rank'>>): UnitRow[] {
  const sorted = [...rows].sort((a, b) => compareUnits(a, b) || (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0));
  const ranked: UnitRow[] = [];
  sorted.forEach((row, i) => {
    const prev = ranked[i - 1];
    const rank = prev && compareUnits(sorted[i - 1]!, row) === 0 ? prev.rank : i + 1;
    ranked.push({ ...row, rank });
  });
  return ranked;
}

function byCountThenCode<T extends { count: number }>(code: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => b.count - a.count || (code(a) < code(b) ? -1 : code(a) > code(b) ? 1 : 0);
}

export function topBadTags(tags: ReportInput['badTags'], n = TOP_N): TagCount[] {
  const sums = new Map<string, number>();
  for (const { tag, count } of tags) sums.set(tag, (sums.get(tag) ?? 0) + count);
  return [...sums]
    .filter(([, count]) => count > 0)
    .map(([tag, count]) => ({ tag, label: (BAD_REVIEW_TAGS as Record<string, string>)[tag] ?? tag, count }))
    .sort(byCountThenCode((t) => t.tag))
    .slice(0, n);
}

export function topBadServiceItems(items: ReportInput['badServiceItems'], n = TOP_N): ServiceItemCount[] {
  const sums = new Map<string, ServiceItemCount>();
  for (const item of items) {
    const seen = sums.get(item.serviceItemCode);
    if (seen) {
      seen.count += item.count;
      seen.serviceItemName ??= item.serviceItemName;
    } else sums.set(item.serviceItemCode, { ...item });
  }
  return [...sums.values()]
    .filter((i) => i.count > 0)
    .sort(byCountThenCode((i) => i.serviceItemCode))
    .slice(0, n);
}

export function hotlineSection(rows: ReportInput['hotline'] = []): HotlineSection {
  const section: HotlineSection = {
    total: 0,
    byCategory: Object.fromEntries(HOTLINE_CATEGORIES.map((c) => [c, 0])) as Record<HotlineCategory, number>,
    closed: 0,
    overdue: 0,
  };
  for (const row of rows) {
    section.total += row.total;
    section.byCategory[hotlineCategoryOf(row.category)] += row.total;
    section.closed += row.closed;
    section.overdue += row.overdue;
  }
  return section;
}

export function buildReport(
  input: ReportInput,
  period: ReportPeriod,
  previous: PreviousCounts,
  generatedAt: Date | string,
): QuarterlyReport {
  const reviews: ReviewTotals = { total: 0, good: 0, bad: 0, byLevel: emptyLevels(), byChannel: emptyChannels() };
  const bad = { due: 0, respondedOnTime: 0, rectified: 0, open: 0, overdue: 0, appealsUpheld: 0 };
  const unitRows: Array<Omit<UnitRow, 'rank'>> = [];

  for (const unit of input.units) {
    const t = reviewTotals(unit);
    reviews.total += t.total;
    reviews.good += t.good;
    reviews.bad += t.bad;
    for (const level of LEVEL_KEYS) reviews.byLevel[level] += t.byLevel[level];
    for (const channel of CHANNELS) reviews.byChannel[channel] += t.byChannel[channel];
    for (const key of Object.keys(bad) as Array<keyof typeof bad>) bad[key] += unit[key];
    unitRows.push({
      unitCode: unit.unitCode,
      unitName: unit.unitName,
      total: t.total,
      good: t.good,
      bad: t.bad,
      goodRate: rate(t.good, t.total),
      timelyResponseRate: rate(unit.respondedOnTime, unit.due),
    });
  }

  return {
    period,
    reviews: { ...reviews, goodRate: rate(reviews.good, reviews.total) },
    badReviews: {
      total: reviews.bad,
      due: bad.due,
      respondedOnTime: bad.respondedOnTime,
      timelyResponseRate: rate(bad.respondedOnTime, bad.due),
      rectified: bad.rectified,
      rectificationRate: rate(bad.rectified, reviews.bad),
      open: bad.open,
      overdue: bad.overdue,
      appealsUpheld: bad.appealsUpheld,
      provisionalDeadlines: input.provisionalDeadlines ?? 0,
    },
    unresolvedReports: { total: input.unresolvedReports.total, closed: input.unresolvedReports.closed },
    hotline: hotlineSection(input.hotline),
    units: rankUnits(unitRows),
    topBadTags: topBadTags(input.badTags),
    topBadServiceItems: topBadServiceItems(input.badServiceItems),
    ...(input.analysis ? { analysis: analysisSection(input.analysis) } : {}),
    previousQuarter: previous && { total: previous.total, goodRate: rate(previous.good, previous.total) },
    generatedAt: typeof generatedAt === 'string' ? generatedAt : generatedAt.toISOString(),
  };
}

// ---------------------------------------------------------------- periods

export function isQuarterPeriod(period: ReportPeriod): period is QuarterPeriod {
  return 'quarter' in period;
}

export function periodOfQuarter(year: number, quarter: number): QuarterPeriod {
  const errors: FieldError[] = [];
  if (!Number.isInteger(year) || year < 2000 || year > 9999) errors.push({ field: 'year', message: 'year must be an integer 2000–9999' });
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4) errors.push({ field: 'quarter', message: 'quarter must be 1, 2, 3 or 4' });
  if (errors.length > 0) throw DomainError.validation(errors);
  const q = { year, quarter: quarter as Quarter['quarter'] };
  return { ...q, ...quarterRange(q), timezone: CHINA_ZONE };
}

const validDate = isShanghaiDay;

/** An inclusive range of Shanghai calendar days; both ends YYYY-MM-DD and from ≤ to. */
export function periodOfRange(from: string, to: string): RangePeriod {
  const errors: FieldError[] = [];
  if (!validDate(from)) errors.push({ field: 'from', message: 'from must be a date YYYY-MM-DD' });
  if (!validDate(to)) errors.push({ field: 'to', message: 'to must be a date YYYY-MM-DD' });
  if (errors.length === 0 && from > to) errors.push({ field: 'to', message: 'to must not be before from' });
  if (errors.length > 0) throw DomainError.validation(errors);
  return { from, to, timezone: CHINA_ZONE };
}
