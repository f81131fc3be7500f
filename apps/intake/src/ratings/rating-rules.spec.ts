import { bodyHash, burstMembers, canonical } from './rating-rules.js';

describe('rating rules', () => {
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
});
