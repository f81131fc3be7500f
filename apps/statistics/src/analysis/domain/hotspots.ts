/**
 * 热点 (hotspots): service items and problem categories whose bad reviews in the last 7 days stand well above their own
 * 8-week baseline. The rule, in one place:
 *
 * - window: the 7 days ending today (Asia/Shanghai); baseline: the 56 days (8 weeks) before the window;
 * - expected count in the window λ = max(baseline total / 8, MIN_EXPECTED): the baseline weekly mean, floored so that
 *   an item with no history (new, or never complained about) is compared with a small expectation instead of zero;
 * - a hotspot when the window count n ≥ MIN_COUNT and the one-sided Poisson tail P(X ≥ n | λ) < P_THRESHOLD.
 *
 * With λ floored at 0.5 a brand-new item needs 4 bad reviews in a week (P(X ≥ 3 | 0.5) = 0.014, P(X ≥ 4 | 0.5) =
 * 0.0018). Each item is tested on its own (no correction for the number of items): a list for a supervisor to look
 * at, not a verdict.
 */
export const HOTSPOT_RULE = {
  windowDays: 7,
  baselineWeeks: 8,
  minCount: 3,
  pThreshold: 0.01,
  minExpected: 0.5,
} as const;

export interface Series {
  code: string;
  /** Bad reviews in the window (last 7 days). */
  windowCount: number;
  /** Bad reviews in the 8 weeks before the window. */
  baselineCount: number;
}

export interface Hotspot extends Series {
  /** The baseline weekly mean (baselineCount / 8). */
  baselineWeeklyMean: number;
  /** λ: what the window would hold at the usual rate (the weekly mean, floored at minExpected). */
  expected: number;
  /** P(X ≥ windowCount) for X ~ Poisson(expected). */
  pValue: number;
}

/** P(X ≥ k) for X ~ Poisson(λ), summed in log space (stable for the counts a week can hold). */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  // P(X ≥ k) = 1 − Σ_{i<k} P(X = i); for large k against small λ, sum the upper terms directly instead.
  let logTerm = -lambda; // log P(X = 0)
  let below = 0;
  for (let i = 0; i < k; i++) {
    below += Math.exp(logTerm);
    logTerm += Math.log(lambda) - Math.log(i + 1);
  }
  if (below < 0.5) return Math.max(0, 1 - below);
  let upper = 0;
  for (let i = k; i < k + 1000; i++) {
    const t = Math.exp(logTerm);
    upper += t;
    if (t < upper * 1e-15) break;
    logTerm += Math.log(lambda) - Math.log(i + 1);
  }
  return Math.min(1, upper);
}

/** Tests one series against the rule: its hotspot, or null. */
export function hotspotOf(series: Series, rule = HOTSPOT_RULE): Hotspot | null {
  const baselineWeeklyMean = series.baselineCount / rule.baselineWeeks;
  const expected = Math.max(baselineWeeklyMean, rule.minExpected);
  if (series.windowCount < rule.minCount) return null;
  const pValue = poissonUpperTail(series.windowCount, expected);
  if (pValue >= rule.pThreshold) return null;
  return { ...series, baselineWeeklyMean, expected, pValue };
}

/** The hotspots among `series`, most significant first (then the larger count, then the code). */
export function findHotspots(series: readonly Series[], rule = HOTSPOT_RULE): Hotspot[] {
  return series
    .map((s) => hotspotOf(s, rule))
    .filter((h): h is Hotspot => h !== null)
    .sort((a, b) => a.pValue - b.pValue || b.windowCount - a.windowCount || a.code.localeCompare(b.code));
}
