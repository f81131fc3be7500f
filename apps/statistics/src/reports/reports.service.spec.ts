import { jest } from '@jest/globals';
import type { ReportInput, UnitCounts } from './domain/report.js';
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
  };
  return { repository, service: new ReportsService(repository as unknown as ReportsRepository) };
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

  it('reads in the transaction it is given', async () => {
    const { repository, service } = serviceWith(input);
    const db = { query: () => Promise.resolve([]) } as unknown as Parameters<ReportsService['bulletin']>[3];
    await service.bulletin(2026, 4, undefined, db, new Date('2027-01-05T02:00:00Z'));
    expect(repository.reportInput.mock.calls[0]![3]).toBe(db);
    expect(repository.totals.mock.calls[0]![2]).toBe(db);
    expect(repository.monthly.mock.calls[0]![2]).toBe(db);
  });
});
