import { suspectReasonLabel } from '#libs/contracts';
import { ARRIVAL_BURST_REASON, BURST_REASON, bodyHash, burstMembers, canonical, suspectReasons } from './rating-rules.js';

describe('rating rules', () => {
  it('stores 刷评 reasons that the label home words in Chinese', () => {
    expect(suspectReasonLabel(BURST_REASON)).toBe('疑似刷评：同一评价器的评价时间在 10 秒内超过 5 条');
    expect(suspectReasonLabel(ARRIVAL_BURST_REASON)).toBe('疑似刷评：同一评价器 10 秒内收到超过 5 条实时评价');
  });

  it('hashes bodies canonically: key order and undefined fields do not matter', () => {
    expect(canonical({ b: 1, a: [2, { d: undefined, c: 'x' }] })).toBe('{"a":[2,{"c":"x"}],"b":1}');
    expect(bodyHash({ a: 1, b: 2 })).toBe(bodyHash({ b: 2, a: 1 }));
    expect(bodyHash({ a: 1 })).not.toBe(bodyHash({ a: 2 }));
  });

  it('finds no burst in 5 ratings within 10 s, nor in 6 spread over more than 10 s', () => {
    expect(burstMembers([0, 1000, 2000, 3000, 4000]).size).toBe(0);
    expect(burstMembers([0, 2000, 4000, 6000, 8000, 10_001]).size).toBe(0);
  });

  it('flags all 6 ratings within 10 s (inclusive) and only those', () => {
    expect([...burstMembers([0, 2000, 4000, 6000, 8000, 10_000, 60_000])].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('flags overlapping windows, in any input order', () => {
    const members = burstMembers([11_000, 0, 1000, 2000, 3000, 4000, 5000, 100_000]);
    expect([...members].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('flags live ratings arriving faster than a person can rate, whatever ratedAt they claim; never offline batch items', () => {
    // 6 live ratings received within 1.2 s, each claiming ratedAt 11 s apart: only the arrival rule sees them.
    const live = Array.from({ length: 6 }, (_, i) => ({ ratedAtMs: i * 11_000, receivedAtMs: i * 200, live: true }));
    expect([...suspectReasons(live)]).toEqual(live.map((_, i) => [i, ARRIVAL_BURST_REASON]));
    // The same as a backlog upload: one arrival, ratedAt spaced out: legitimate.
    expect(suspectReasons(live.map((r) => ({ ...r, receivedAtMs: 0, live: false }))).size).toBe(0);
    // 5 live ones are fine; a sixth batch item does not count for arrival.
    expect(suspectReasons([...live.slice(0, 5), { ...live[5]!, live: false }]).size).toBe(0);
  });

  it('gives the ratedAt reason where both rules apply', () => {
    const both = Array.from({ length: 6 }, (_, i) => ({ ratedAtMs: i * 1000, receivedAtMs: i * 1000, live: true }));
    expect(new Set(suspectReasons(both).values())).toEqual(new Set([BURST_REASON]));
  });
});
