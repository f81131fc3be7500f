import { handlingErrors, resolveHandling } from './handling-rules.js';

describe('the handling of an imported rating', () => {
  const ratedAt = '2024-04-12T10:00:00+08:00'; // a Friday

  it('is only for bad items, after the rating, closed after the response', () => {
    expect(handlingErrors({ level: 1, ratedAt })).toEqual([]);
    expect(handlingErrors({ level: 2, ratedAt, handling: { respondedAt: '2024-04-12T10:00:00+08:00', outcome: 'RECTIFIED' } })).toEqual([]);
    for (const level of [3, 4, 5] as const)
      expect(handlingErrors({ level, ratedAt, handling: { respondedAt: '2024-04-13T10:00:00+08:00', outcome: 'RECTIFIED' } })).toEqual([
        { field: 'handling', message: 'is only for bad ratings (level 1 or 2)' },
      ]);
    expect(
      handlingErrors({
        level: 1,
        ratedAt,
        handling: { respondedAt: '2024-04-12T09:59:59+08:00', outcome: 'EXPLAINED', closedAt: '2024-04-12T09:00:00+08:00' },
      }),
    ).toEqual([
      { field: 'handling.respondedAt', message: 'must not be before ratedAt' },
      { field: 'handling.closedAt', message: 'must not be before handling.respondedAt' },
    ]);
  });

  it('keeps what the previous platform said, else judges the response by the working-day calendar', () => {
    expect(resolveHandling(ratedAt, { respondedAt: '2024-04-20T10:00:00+08:00', respondedOnTime: true, outcome: 'RECTIFIED' })).toEqual({
      respondedAt: '2024-04-20T02:00:00.000Z',
      respondedOnTime: true,
      outcome: 'RECTIFIED',
      closedAt: null,
    });
    // Friday's rating: due by the end of Monday (the weekend does not count).
    expect(resolveHandling(ratedAt, { respondedAt: '2024-04-15T23:00:00+08:00', outcome: 'EXPLAINED' }).respondedOnTime).toBe(true);
    expect(resolveHandling(ratedAt, { respondedAt: '2024-04-16T09:00:00+08:00', outcome: 'EXPLAINED' }).respondedOnTime).toBe(false);
    // Before Labour Day 2024 (1–5 May off, Saturday 11 May worked): a Tuesday 30 April rating is due by the end of Monday 6 May.
    expect(
      resolveHandling('2024-04-30T16:00:00+08:00', { respondedAt: '2024-05-06T18:00:00+08:00', outcome: 'RECTIFIED' }).respondedOnTime,
    ).toBe(true);
  });
});
