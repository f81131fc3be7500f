import { quarterLabel, quarterOf } from '#libs/common';
import { quarterLabelOf } from './ratings.service.js';

describe('quarterLabelOf (memoised per hour)', () => {
  it('agrees with quarterLabel(quarterOf()) around Shanghai quarter boundaries and elsewhere', () => {
    const instants = [
      '2024-03-31T15:59:59.999Z', // 2024-03-31 23:59:59.999 +08:00
      '2024-03-31T16:00:00.000Z', // 2024-04-01 00:00 +08:00
      '2024-12-31T15:30:00Z',
      '2024-12-31T16:30:00Z',
      '2024-12-31T15:59:59.999Z',
      '1990-06-30T15:00:00Z', // China's DST years
      '1890-12-31T16:00:00Z', // local mean time, offset not a whole hour
      '1890-12-31T15:56:00Z',
    ];
    for (let pass = 0; pass < 2; pass++)
      for (const iso of instants) {
        const d = new Date(iso);
        expect(quarterLabelOf(d)).toBe(quarterLabel(quarterOf(d)));
      }
  });
});
