import { contactErasureDue, retentionCutoff } from './retention.js';

describe('retention of a case contact', () => {
  const closedAt = new Date('2026-01-10T08:00:00.000Z');
  const at = (days: number) => new Date(closedAt.getTime() + days * 86_400_000);

  it('is due once the retention days have passed since the case closed', () => {
    const closed = { status: 'CLOSED', closedAt, contactErasedAt: null };
    expect(contactErasureDue(closed, at(179.99), 180)).toBe(false);
    expect(contactErasureDue(closed, at(180), 180)).toBe(false);
    expect(contactErasureDue(closed, at(180.001), 180)).toBe(true);
    expect(contactErasureDue(closed, at(31), 30)).toBe(true);
    expect(retentionCutoff(at(180), 180)).toEqual(closedAt);
  });

  it('is never due for an open case, or twice', () => {
    for (const status of ['PENDING', 'ACCEPTED', 'RESPONDED', 'RECTIFIED', 'APPEALING'])
      expect(contactErasureDue({ status, closedAt: null, contactErasedAt: null }, at(1000), 180)).toBe(false);
    expect(contactErasureDue({ status: 'CLOSED', closedAt, contactErasedAt: at(181) }, at(1000), 180)).toBe(false);
  });
});
