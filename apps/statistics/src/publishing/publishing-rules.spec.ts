import { buildReport, periodOfQuarter } from '../reports/domain/report.js';
import { changeSincePublished, publishedJson, quarterEnded } from './publishing-rules.js';

const report = (good: number, bad: number) =>
  buildReport(
    {
      units: [
        {
          unitCode: 'CN-01',
          unitName: '单位',
          byChannel: { PAD: { '5': good, '1': bad } },
          due: 0,
          respondedOnTime: 0,
          rectified: 0,
          open: 0,
          overdue: 0,
          appealsUpheld: 0,
        },
      ],
      badTags: [],
      badServiceItems: [],
      unresolvedReports: { total: 0, closed: 0 },
    },
    periodOfQuarter(2024, 4),
    null,
    '2025-01-02T00:00:00.000Z',
  );

describe('quarter publishing rules', () => {
  it('a quarter ends when its last Shanghai day is over', () => {
    const q4 = { year: 2024, quarter: 4 as const };
    expect(quarterEnded(q4, new Date('2024-12-31T15:59:59.999Z'))).toBe(false); // 23:59:59.999 on 31 Dec in Shanghai
    expect(quarterEnded(q4, new Date('2024-12-31T16:00:00.000Z'))).toBe(true); // 00:00 on 1 Jan in Shanghai
    expect(quarterEnded({ year: 2025, quarter: 1 }, new Date('2025-03-31T16:00:00.000Z'))).toBe(true);
    expect(quarterEnded({ year: 2025, quarter: 2 }, new Date('2025-03-31T16:00:00.000Z'))).toBe(false);
  });

  it('changedSincePublished is null while nothing moved, else live minus published', () => {
    expect(changeSincePublished(report(3, 1), report(3, 1))).toBeNull();
    expect(changeSincePublished(report(3, 1), report(4, 2))).toEqual({ reviews: 2, bad: 1, goodRate: 4 / 6 - 0.75 });
    expect(changeSincePublished(report(0, 0), report(1, 0))).toEqual({ reviews: 1, bad: 0, goodRate: null });
  });

  it('appends changedSincePublished after the frozen bytes', () => {
    const frozen = JSON.stringify({ a: 1, published: { at: 'x', by: 'y' } });
    const text = publishedJson(frozen, { reviews: 1, bad: 0, goodRate: null });
    expect(text.startsWith(frozen.slice(0, -1))).toBe(true);
    expect(JSON.parse(text)).toEqual({
      a: 1,
      published: { at: 'x', by: 'y' },
      changedSincePublished: { reviews: 1, bad: 0, goodRate: null },
    });
  });
});
