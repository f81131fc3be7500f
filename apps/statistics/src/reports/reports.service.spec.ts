import { jest } from '@jest/globals';
import type { ReportInput, UnitCounts } from './domain/report.js';
import type { HotspotsService } from '../analysis/hotspots.service.js';
import type { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

const unit = (unitCode: string, over: Partial<UnitCounts>): UnitCounts => ({
  unitCode,
  unitName: `单位${unitCode}`,
  byChannel: { PAD: { '5': 8, '1': 2 } },
  due: 2,
  respondedOnTime: 1,
  rectified: 0,
  open: 0,
  overdue: 0,
  appealsUpheld: 0,
  ...over,
});

function serviceWith(input: ReportInput) {
  const repository = {
    totals: jest.fn((..._args: unknown[]) => Promise.resolve({ total: 4, good: 3 })),
    reportInput: jest.fn((..._args: unknown[]) => Promise.resolve(input)),
    monthly: jest.fn((..._args: unknown[]) =>
      Promise.resolve([
        { month: '2026-10', total: 10, goodRate: 0.8 },
        { month: '2026-11', total: 10, goodRate: 0.8 },
        { month: '2026-12', total: 0, goodRate: null },
      ]),
    ),
    analysis: jest.fn((..._args: unknown[]) =>
      Promise.resolve({
        categories: [
          { code: 'EFFICIENCY', name: '办事效率与等候', sort: 4, count: 3, previous: 1 },
          { code: 'ATTITUDE', name: '服务态度', sort: 0, count: 0, previous: 0 },
        ],
        classes: { opened: 2, solved: 1, casesCovered: 5 },
      }),
    ),
    categoryNames: jest.fn((..._args: unknown[]) => Promise.resolve(new Map([['EFFICIENCY_WAITING', '排队等候时间长']]))),
  };
  const hotspots = {
    hotspots: jest.fn((..._args: unknown[]) =>
      Promise.resolve({
        hotspots: [
          { kind: 'CATEGORY', code: 'EFFICIENCY_WAITING', name: null, unitCodes: ['A'] },
          { kind: 'SERVICE_ITEM', code: 'S-1', name: '食品经营许可', unitCodes: ['B'] },
        ],
      }),
    ),
  };
  return {
    repository,
    hotspots,
    service: new ReportsService(repository as unknown as ReportsRepository, hotspots as unknown as HotspotsService),
  };
}

const input: ReportInput = {
  units: [unit('A', { open: 1, overdue: 1 }), unit('B', { open: 3 }), unit('C', {}), unit('D', { open: 1, overdue: 0 })],
  badTags: [],
  badServiceItems: [],
  unresolvedReports: { total: 0, closed: 0 },
};

describe('ReportsService.bulletin', () => {
  it("runs the report's queries once, for the report and its open problems alike", async () => {
    const { repository, service } = serviceWith(input);
    const now = new Date('2027-01-05T02:00:00Z');
    const { report, extras } = await service.bulletin(2026, 4, 'A', undefined, now);
    expect(repository.reportInput).toHaveBeenCalledTimes(1);
    expect(repository.reportInput).toHaveBeenCalledWith(
      expect.objectContaining({ from: '2026-10-01', to: '2026-12-31' }),
      'A',
      '2027-01-05',
      undefined,
    );
    expect(repository.totals).toHaveBeenCalledTimes(1);
    expect(repository.totals).toHaveBeenCalledWith({ from: '2026-07-01', to: '2026-09-30' }, 'A', undefined);
    expect(repository.monthly).toHaveBeenCalledTimes(1);
    expect(report.reviews).toMatchObject({ total: 40, good: 32 });
    expect(report.previousQuarter).toEqual({ total: 4, goodRate: 0.75 });
    expect(extras.openProblems).toEqual([
      { unitName: '单位B', open: 3, overdue: 0 },
      { unitName: '单位A', open: 1, overdue: 1 },
      { unitName: '单位D', open: 1, overdue: 0 },
    ]);
    expect(extras.monthly.map((m) => m.month)).toEqual(['2026-10', '2026-11', '2026-12']);
  });

  it('adds the analysis: categories with bad reviews, classes, the hotspots of the quarter’s last day that the unit has a part in', async () => {
    const { repository, hotspots, service } = serviceWith(input);
    const { report } = await service.bulletin(2026, 4, 'A', undefined, new Date('2027-01-05T02:00:00Z'));
    expect(repository.analysis).toHaveBeenCalledWith(
      expect.objectContaining({ from: '2026-10-01', to: '2026-12-31' }),
      { from: '2026-07-01', to: '2026-09-30' },
      'A',
      undefined,
    );
    expect(hotspots.hotspots).toHaveBeenCalledWith('2026-12-31', undefined);
    expect(report.analysis).toEqual({
      byCategory: [{ code: 'EFFICIENCY', name: '办事效率与等候', count: 3, previous: 1 }],
      classes: { opened: 2, solved: 1, casesCovered: 5 },
      hotspots: [{ kind: 'CATEGORY', code: 'EFFICIENCY_WAITING', name: '排队等候时间长', unitCodes: ['A'] }],
    });
  });

  it('compares a date range with the range of the same length just before, and takes today’s hotspots for a running one', async () => {
    const { repository, hotspots, service } = serviceWith(input);
    const user = { kind: 'user', sub: 's', role: 'supervisor', unitCode: null } as const;
    jest.useFakeTimers({ now: new Date('2026-11-20T02:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'setTimeout'] });
    try {
      await service.summary(user, '2026-11-01', '2026-11-30');
    } finally {
      jest.useRealTimers();
    }
    expect(repository.analysis.mock.calls[0]![1]).toEqual({ from: '2026-10-02', to: '2026-10-31' });
    expect(hotspots.hotspots.mock.calls[0]![0]).toBe('2026-11-20');
  });

  it('reads in the transaction it is given', async () => {
    const { repository, hotspots, service } = serviceWith(input);
    const db = { query: () => Promise.resolve([]) } as unknown as Parameters<ReportsService['bulletin']>[3];
    await service.bulletin(2026, 4, undefined, db, new Date('2027-01-05T02:00:00Z'));
    expect(repository.reportInput.mock.calls[0]![3]).toBe(db);
    expect(repository.totals.mock.calls[0]![2]).toBe(db);
    expect(repository.monthly.mock.calls[0]![2]).toBe(db);
    expect(repository.analysis.mock.calls[0]![3]).toBe(db);
    expect(hotspots.hotspots.mock.calls[0]![1]).toBe(db);
  });
});
