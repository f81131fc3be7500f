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

/** The sample report with an analysis section: two categories, classes solved, one hotspot. */
export function sampleReportWithAnalysis(): QuarterlyReport {
  return {
    ...sampleReport(),
    analysis: {
      byCategory: [
        { code: 'EFFICIENCY', name: '办事效率与等候', count: 3, previous: 1 },
        { code: 'ATTITUDE', name: '服务态度', count: 1, previous: 2 },
      ],
      classes: { opened: 3, solved: 2, casesCovered: 7 },
      hotspots: [
        {
          kind: 'SERVICE_ITEM',
          code: '310105-XK-0001',
          name: '食品经营许可',
          windowCount: 5,
          baselineCount: 2,
          baselineWeeklyMean: 0.25,
          expected: 0.5,
          pValue: 0.0002,
          unitCodes: ['CN-01'],
          cases: { serviceItemCode: '310105-XK-0001', from: '2024-12-25', to: '2024-12-31', path: '/api/v1/cases' },
        },
      ],
    },
  };
}
