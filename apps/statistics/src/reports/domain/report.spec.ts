import { DomainError, ErrorCode, quarterOf } from '#libs/common';
import {
  buildReport,
  periodOfQuarter,
  periodOfRange,
  rankUnits,
  rate,
  topBadServiceItems,
  topBadTags,
  type ReportInput,
  type UnitCounts,
  type UnitRow,
} from './report.js';

const Q4 = periodOfQuarter(2024, 4);
const AT = '2025-01-02T01:00:00.000Z';

function unit(code: string, over: Partial<UnitCounts> = {}): UnitCounts {
  return {
    unitCode: code,
    unitName: `单位${code}`,
    byChannel: {},
    due: 0,
    respondedOnTime: 0,
    rectified: 0,
    open: 0,
    overdue: 0,
    appealsUpheld: 0,
    ...over,
  };
}

const EMPTY: ReportInput = { units: [], badTags: [], badServiceItems: [], unresolvedReports: { total: 0, closed: 0 } };

function row(unitCode: string, good: number, total: number): Omit<UnitRow, 'rank'> {
  return { unitCode, unitName: unitCode, total, good, bad: total - good, goodRate: rate(good, total), timelyResponseRate: null };
}

function expectValidation(fn: () => unknown, fields: string[]): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(ErrorCode.ValidationFailed);
    expect((e as DomainError).errors.map((f) => f.field)).toEqual(fields);
    return;
  }
  throw new Error('expected a validation error');
}

describe('rate', () => {
  it('divides at full precision and is null on a zero denominator', () => {
    expect(rate(2, 3)).toBe(2 / 3);
    expect(rate(0, 5)).toBe(0);
    expect(rate(0, 0)).toBeNull();
    expect(rate(3, 0)).toBeNull();
  });
});

describe('buildReport', () => {
  const input: ReportInput = {
    units: [
      unit('CN-01', {
        unitName: '市场监管局',
        byChannel: { PAD: { '5': 2990, '4': 8, '3': 1, '2': 1 }, HOTLINE_12345: { unleveled: 2 } },
        due: 3,
        respondedOnTime: 2,
        rectified: 1,
        open: 2,
        overdue: 1,
        appealsUpheld: 4,
      }),
      unit('CN-02', { unitName: '人社局', byChannel: { PAD: { '5': 97, '1': 3 } }, due: 2, respondedOnTime: 2, rectified: 3 }),
    ],
    badTags: [
      { tag: 'EFFICIENCY', count: 3 },
      { tag: 'ATTITUDE', count: 3 },
      { tag: 'EFFICIENCY', count: 1 },
      { tag: 'UNKNOWN_TAG', count: 1 },
      { tag: 'PROCESS', count: 0 },
    ],
    badServiceItems: [
      { serviceItemCode: 'B', serviceItemName: '营业执照变更', count: 2 },
      { serviceItemCode: 'A', serviceItemName: null, count: 2 },
      { serviceItemCode: 'A', serviceItemName: '食品经营许可', count: 1 },
    ],
    unresolvedReports: { total: 7, closed: 5 },
  };
  const report = buildReport(input, Q4, { total: 2000, good: 1990 }, new Date(AT));

  it('counts reviews by level and channel; hotline complaints have no level and are bad', () => {
    expect(report.reviews).toEqual({
      total: 3002 + 100,
      good: 2999 + 97,
      bad: 3 + 3,
      goodRate: 3096 / 3102,
      byLevel: { '1': 3, '2': 1, '3': 1, '4': 8, '5': 3087 },
      byChannel: { PAD: 3100, HOTLINE_12345: 2, ONLINE: 0, QR: 0, SMS: 0, PROVINCE: 0 },
    });
  });

  it('applies the bad-review formulas: timely = respondedOnTime/due, rectification = rectified/bad', () => {
    expect(report.badReviews).toEqual({
      total: 6,
      due: 5,
      respondedOnTime: 4,
      timelyResponseRate: 0.8,
      rectified: 4,
      rectificationRate: 4 / 6,
      open: 2,
      overdue: 1,
      appealsUpheld: 4,
      provisionalDeadlines: 0,
    });
  });

  it('keeps full precision (no rounding in JSON)', () => {
    expect(report.reviews.goodRate).toBeCloseTo(0.998065764, 9);
    expect(report.units[0]!.goodRate).toBe(2999 / 3002);
  });

  it('builds ranked unit rows with their own rates', () => {
    expect(report.units).toEqual([
      {
        unitCode: 'CN-01',
        unitName: '市场监管局',
        total: 3002,
        good: 2999,
        bad: 3,
        goodRate: 2999 / 3002,
        timelyResponseRate: 2 / 3,
        rank: 1,
      },
      { unitCode: 'CN-02', unitName: '人社局', total: 100, good: 97, bad: 3, goodRate: 0.97, timelyResponseRate: 1, rank: 2 },
    ]);
  });

  it('sums repeated tags and items, sorts by count desc then code asc, labels tags in Chinese', () => {
    expect(report.topBadTags).toEqual([
      { tag: 'EFFICIENCY', label: '办事效率低', count: 4 },
      { tag: 'ATTITUDE', label: '服务态度差', count: 3 },
      { tag: 'UNKNOWN_TAG', label: 'UNKNOWN_TAG', count: 1 },
    ]);
    expect(report.topBadServiceItems).toEqual([
      { serviceItemCode: 'A', serviceItemName: '食品经营许可', count: 3 },
      { serviceItemCode: 'B', serviceItemName: '营业执照变更', count: 2 },
    ]);
  });

  it('carries period, unresolved reports, previous quarter and generatedAt', () => {
    expect(report.period).toEqual({ year: 2024, quarter: 4, from: '2024-10-01', to: '2024-12-31', timezone: 'Asia/Shanghai' });
    expect(report.unresolvedReports).toEqual({ total: 7, closed: 5 });
    expect(report.previousQuarter).toEqual({ total: 2000, goodRate: 0.995 });
    expect(report.generatedAt).toBe(AT);
  });

  it('gives every rate null when its denominator is 0', () => {
    const r = buildReport(
      { ...EMPTY, units: [unit('CN-01', { byChannel: { PAD: { '5': 4 } } }), unit('CN-02')] },
      Q4,
      { total: 0, good: 0 },
      AT,
    );
    expect(r.reviews.goodRate).toBe(1);
    expect(r.badReviews.timelyResponseRate).toBeNull();
    expect(r.badReviews.rectificationRate).toBeNull();
    expect(r.previousQuarter).toEqual({ total: 0, goodRate: null });
    expect(r.units.map((u) => [u.unitCode, u.goodRate, u.timelyResponseRate, u.rank])).toEqual([
      ['CN-01', 1, null, 1],
      ['CN-02', null, null, 2],
    ]);
  });

  it('reports an empty period as zeros and nulls', () => {
    expect(buildReport(EMPTY, Q4, null, AT)).toEqual({
      period: Q4,
      reviews: {
        total: 0,
        good: 0,
        bad: 0,
        goodRate: null,
        byLevel: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
        byChannel: { PAD: 0, HOTLINE_12345: 0, ONLINE: 0, QR: 0, SMS: 0, PROVINCE: 0 },
      },
      badReviews: {
        total: 0,
        due: 0,
        respondedOnTime: 0,
        timelyResponseRate: null,
        rectified: 0,
        rectificationRate: null,
        open: 0,
        overdue: 0,
        appealsUpheld: 0,
        provisionalDeadlines: 0,
      },
      unresolvedReports: { total: 0, closed: 0 },
      hotline: { total: 0, byCategory: { COMPLAINT: 0, REQUEST: 0, SUGGESTION: 0, CONSULTATION: 0 }, closed: 0, overdue: 0 },
      units: [],
      topBadTags: [],
      topBadServiceItems: [],
      previousQuarter: null,
      generatedAt: AT,
    });
  });

  it('keeps only the top 10 tags and items', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ code: `T${String(i).padStart(2, '0')}`, count: i % 3 }));
    const tags = topBadTags(many.map((m) => ({ tag: m.code, count: m.count + 1 })));
    expect(tags).toHaveLength(10);
    expect(tags.map((t) => t.tag)).toEqual(['T02', 'T05', 'T08', 'T11', 'T01', 'T04', 'T07', 'T10', 'T00', 'T03']);
    const items = topBadServiceItems(many.map((m) => ({ serviceItemCode: m.code, serviceItemName: null, count: 1 })));
    expect(items.map((i) => i.serviceItemCode)).toEqual(many.slice(0, 10).map((m) => m.code));
  });
});

describe('rankUnits', () => {
  it('ranks by goodRate desc, then total desc, with competition ranks for full ties (1, 2, 2, 4)', () => {
    const ranked = rankUnits([row('D', 90, 100), row('C', 9, 10), row('B', 99, 100), row('A', 99, 100), row('E', 18, 20)]);
    expect(ranked.map((u) => [u.unitCode, u.rank])).toEqual([
      ['A', 1],
      ['B', 1],
      ['D', 3],
      ['E', 4],
      ['C', 5],
    ]);
  });

  it('treats equal rates as equal however they are written (1/3 = 2/6) and breaks them by total', () => {
    const ranked = rankUnits([row('X', 1, 3), row('Y', 2, 6), row('Z', 2, 6), row('W', 3, 4)]);
    expect(ranked.map((u) => [u.unitCode, u.rank])).toEqual([
      ['W', 1],
      ['Y', 2],
      ['Z', 2],
      ['X', 4],
    ]);
  });

  it('puts units without reviews (null goodRate) last, tied with each other', () => {
    const ranked = rankUnits([row('N2', 0, 0), row('Z0', 0, 5), row('N1', 0, 0), row('H', 5, 5)]);
    expect(ranked.map((u) => [u.unitCode, u.goodRate, u.rank])).toEqual([
      ['H', 1, 1],
      ['Z0', 0, 2],
      ['N1', null, 3],
      ['N2', null, 3],
    ]);
  });

  it('ranks an empty list as empty', () => {
    expect(rankUnits([])).toEqual([]);
  });
});

describe('periods', () => {
  it('maps a quarter to its inclusive Shanghai calendar days', () => {
    expect(periodOfQuarter(2024, 1)).toEqual({ year: 2024, quarter: 1, from: '2024-01-01', to: '2024-03-31', timezone: 'Asia/Shanghai' });
    expect(periodOfQuarter(2024, 2)).toMatchObject({ from: '2024-04-01', to: '2024-06-30' });
    expect(periodOfQuarter(2024, 3)).toMatchObject({ from: '2024-07-01', to: '2024-09-30' });
    expect(periodOfQuarter(2024, 4)).toMatchObject({ from: '2024-10-01', to: '2024-12-31' });
  });

  it('rejects a quarter outside 1–4 and a non-integer year', () => {
    expectValidation(() => periodOfQuarter(2024, 5), ['quarter']);
    expectValidation(() => periodOfQuarter(2024, 0), ['quarter']);
    expectValidation(() => periodOfQuarter(2024.5, 1.5), ['year', 'quarter']);
  });

  it('puts instants in quarters by the Asia/Shanghai calendar', () => {
    expect(quarterOf('2024-03-31T23:30:00+08:00')).toEqual({ year: 2024, quarter: 1 });
    expect(quarterOf('2024-03-31T16:30:00Z')).toEqual({ year: 2024, quarter: 2 });
    expect(quarterOf('2024-03-31T15:59:59Z')).toEqual({ year: 2024, quarter: 1 });
    expect(quarterOf('2024-12-31T16:00:00Z')).toEqual({ year: 2025, quarter: 1 });
    expect(quarterOf(new Date('2024-09-30T16:00:00Z'))).toEqual({ year: 2024, quarter: 4 });
  });

  it('accepts an inclusive range, one day long included', () => {
    expect(periodOfRange('2024-01-01', '2024-11-30')).toEqual({ from: '2024-01-01', to: '2024-11-30', timezone: 'Asia/Shanghai' });
    expect(periodOfRange('2024-02-29', '2024-02-29')).toEqual({ from: '2024-02-29', to: '2024-02-29', timezone: 'Asia/Shanghai' });
  });

  it('rejects malformed or impossible dates and from after to', () => {
    expectValidation(() => periodOfRange('2024-1-01', '2024-11-30'), ['from']);
    expectValidation(() => periodOfRange('2024-01-01', '2023-02-29'), ['to']);
    expectValidation(() => periodOfRange('2024-13-01', 'yesterday'), ['from', 'to']);
    expectValidation(() => periodOfRange('2024-12-01', '2024-11-30'), ['to']);
  });
});
