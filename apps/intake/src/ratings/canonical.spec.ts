import { canonical } from './rating-rules.js';

/** The first formulation of canonical(): stored body hashes were computed with it, so the bytes must not change. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('canonical JSON', () => {
  const values: unknown[] = [
    { serviceRecordId: 'R1', serviceItemCode: 'I1', level: 5, ratedAt: '2024-11-20T01:30:00Z', staffId: undefined },
    { b: 1, a: [2, { d: undefined, c: 'x' }], e: null, '引号"': '张三\n', z: [] },
    [undefined, null, 1, 'a', [], {}, [undefined]],
    // eslint-disable-next-line no-sparse-arrays
    [1, , 3],
    { tags: ['EFFICIENCY', 'ATTITUDE'], reviewer: { phone: '13800138000', name: '张三' }, n: 1.5, t: true, d: new Date(0) },
    'x',
    42,
    null,
    {},
  ];
  it.each(values.map((v, i) => [i, v]))('case %i: same bytes as the reference formulation', (_i, v) => {
    expect(canonical(v)).toBe(reference(v));
  });
});
