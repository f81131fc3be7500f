import { findHotspots, HOTSPOT_RULE, hotspotOf, poissonUpperTail } from './hotspots.js';

/** A series from daily counts: the last 7 entries are the window, the 56 before them the baseline. */
function series(code: string, daily: number[]) {
  expect(daily).toHaveLength(63);
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  return { code, baselineCount: sum(daily.slice(0, 56)), windowCount: sum(daily.slice(56)) };
}
const days = (n: number, perDay: (i: number) => number) => Array.from({ length: n }, (_, i) => perDay(i));

describe('poissonUpperTail', () => {
  it('matches the closed forms', () => {
    expect(poissonUpperTail(0, 2)).toBe(1);
    expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12);
    // P(X ≥ 3 | 0.5) = 1 − e^-0.5 (1 + 0.5 + 0.125)
    expect(poissonUpperTail(3, 0.5)).toBeCloseTo(1 - Math.exp(-0.5) * 1.625, 12);
    expect(poissonUpperTail(5, 0)).toBe(0);
  });

  it('stays accurate far in the tail, where 1 − Σ would round to 0', () => {
    const p = poissonUpperTail(60, 2);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-40);
    // The first term dominates: P(X = 60 | 2) = e^-2 2^60 / 60!
    let log = -2 + 60 * Math.log(2);
    for (let i = 2; i <= 60; i++) log -= Math.log(i);
    expect(p / Math.exp(log)).toBeGreaterThan(1);
    expect(p / Math.exp(log)).toBeLessThan(1.05);
  });
});

describe('hotspots: last 7 days against the own 8-week baseline', () => {
  it('no spike: a steady item (≈ 2 a day) with an ordinary week is not a hotspot', () => {
    const steady = series('SI-STEADY', [...days(56, (i) => (i % 2 === 0 ? 2 : 3)), ...days(7, () => 3)]);
    expect(steady.baselineCount / 8).toBe(17.5);
    expect(steady.windowCount).toBe(21);
    expect(hotspotOf(steady)).toBeNull();
  });

  it('a spike: the same item with a week of 6 a day is one, with its baseline, expectation and p-value', () => {
    const spiking = series('SI-SPIKE', [...days(56, (i) => (i % 2 === 0 ? 2 : 3)), ...days(7, () => 6)]);
    const hot = hotspotOf(spiking);
    expect(hot).toMatchObject({ code: 'SI-SPIKE', windowCount: 42, baselineCount: 140, baselineWeeklyMean: 17.5, expected: 17.5 });
    expect(hot!.pValue).toBeLessThan(HOTSPOT_RULE.pThreshold);
    expect(hot!.pValue).toBeCloseTo(poissonUpperTail(42, 17.5), 15);
  });

  it('a small count never triggers, however quiet the baseline: 2 in a week after 8 silent weeks', () => {
    const small = series('SI-SMALL', [...days(56, () => 0), ...days(5, () => 0), 1, 1]);
    expect(small.windowCount).toBe(2);
    expect(hotspotOf(small)).toBeNull();
    // The minimum count is what stops it: the same 2 would be "significant" against the floor alone.
    expect(poissonUpperTail(2, HOTSPOT_RULE.minExpected)).toBeLessThan(0.1);
  });

  it('a new item with no baseline: 3 in a week is not enough against the floor of 0.5, 4 is', () => {
    const three = series('SI-NEW', [...days(56, () => 0), ...days(4, () => 0), 1, 1, 1]);
    const four = series('SI-NEW', [...days(56, () => 0), ...days(3, () => 0), 1, 1, 1, 1]);
    expect(hotspotOf(three)).toBeNull();
    expect(hotspotOf(four)).toMatchObject({ baselineWeeklyMean: 0, expected: 0.5, windowCount: 4 });
  });

  it('a busy item is judged by its own baseline: 25 a week is ordinary for one and a hotspot for another', () => {
    const busy = series('SI-BUSY', [...days(56, () => 4), ...days(7, (i) => (i < 4 ? 4 : 3))]);
    const quiet = series('SI-QUIET', [...days(56, (i) => (i % 7 === 0 ? 1 : 0)), ...days(7, (i) => (i < 4 ? 4 : 3))]);
    expect(busy.windowCount).toBe(25);
    expect(quiet.windowCount).toBe(25);
    expect(findHotspots([busy, quiet]).map((h) => h.code)).toEqual(['SI-QUIET']);
  });

  it('lists the most significant first', () => {
    const a = { code: 'A', windowCount: 10, baselineCount: 16 }; // λ = 2
    const b = { code: 'B', windowCount: 20, baselineCount: 16 }; // λ = 2, far rarer
    const c = { code: 'C', windowCount: 3, baselineCount: 80 }; // λ = 10: below expectation
    expect(findHotspots([a, b, c]).map((h) => h.code)).toEqual(['B', 'A']);
  });
});
