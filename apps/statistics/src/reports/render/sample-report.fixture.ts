/** A small but complete report for the renderer specs (test data only). */
import { buildReport, periodOfQuarter, type QuarterlyReport, type UnitCounts } from '../domain/report.js';

function unit(unitCode: string, unitName: string, over: Partial<UnitCounts>): UnitCounts {
  return { unitCode, unitName, byChannel: {}, due: 0, respondedOnTime: 0, rectified: 0, open: 0, overdue: 0, appealsUpheld: 0, ...over };
}

export function sampleReport(): QuarterlyReport {
  return buildReport(
    {
      units: [
        // 9997 / 10000 good → 99.97%
        unit('CN-01', '市场监管局', {
          byChannel: { PAD: { '5': 9990, '4': 5, '3': 2, '2': 1 }, HOTLINE_12345: { unleveled: 2 } },
          due: 3,
          respondedOnTime: 3,
          rectified: 3,
          open: 1,
          overdue: 1,
          appealsUpheld: 1,
        }),
        unit('CN-02', '人社局, "窗口"<script>alert(1)</script>', { byChannel: { PAD: { '5': 9, '1': 1 } }, due: 1, respondedOnTime: 1 }),
        unit('CN-03', '=HYPERLINK("x")', {}),
      ],
      badTags: [
        { tag: 'EFFICIENCY', count: 3 },
        { tag: 'ATTITUDE', count: 1 },
      ],
      badServiceItems: [{ serviceItemCode: '310105-XK-0001', serviceItemName: '食品经营许可', count: 2 }],
      unresolvedReports: { total: 4, closed: 3 },
    },
    periodOfQuarter(2024, 4),
    { total: 8000, good: 7990 },
    '2025-01-02T01:00:00.000Z',
  );
}
