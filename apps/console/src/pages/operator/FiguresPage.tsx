import { Alert, Card, Space, Spin } from 'antd';
import { useMemo, useState } from 'react';
import { must, statistics } from '../../api/client';
import { Chart } from '../../components/Chart';
import { problemMessage, usePolling } from '../../components/common';
import { Figures } from '../../components/Figures';
import { currentQuarter, QuarterPicker } from '../../components/QuarterPicker';
import { LEVEL, TAG } from '../../labels';
import { session } from '../../session';
import type { QuarterlyReport } from '../../types';

/** My unit's quarterly figures. */
export function FiguresPage() {
  return <UnitFigures unitCode={session.user?.unitCode ?? undefined} title={(name) => `本单位季度数据${name ? `（${name}）` : ''}`} />;
}

/** One unit's quarterly figures, its ratings by level and its top bad-review tags (an operator's own; a supervisor's drill-down). */
export function UnitFigures({ unitCode, title }: { unitCode: string | undefined; title: (unitName: string | undefined) => string }) {
  const [q, setQ] = useState(currentQuarter);
  const { data, error } = usePolling(
    async () =>
      (await must(
        statistics.GET('/api/v1/reports/quarterly', { params: { query: { year: q.year, quarter: q.quarter, unitCode } } }),
      )) as unknown as QuarterlyReport,
    [q.year, q.quarter, unitCode],
    60_000,
  );
  const levels = useMemo(
    () => ({
      tooltip: {},
      series: [
        {
          type: 'pie',
          radius: ['35%', '60%'],
          label: { formatter: '{b}\n{c}' },
          data: [5, 4, 3, 2, 1].map((l) => ({ name: LEVEL[l], value: data?.reviews.byLevel[String(l)] ?? 0 })),
        },
      ],
    }),
    [data],
  );
  const tags = useMemo(
    () => ({
      tooltip: {},
      grid: { left: 8, right: 24, top: 10, bottom: 30, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: (data?.topBadTags ?? []).map((t) => TAG[t.tag] ?? t.tag) },
      series: [{ type: 'bar', data: (data?.topBadTags ?? []).map((t) => t.count), itemStyle: { color: '#c0392b' } }],
    }),
    [data],
  );
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      <Card title={title(data?.units.find((u) => u.unitCode === unitCode)?.unitName)} extra={<QuarterPicker value={q} onChange={setQ} />}>
        {error ? <Alert type="error" showIcon title={problemMessage(error)} /> : data ? <Figures report={data} /> : <Spin />}
      </Card>
      {data && (
        <Card title="评价分布与差评原因">
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(min(320px, 100%), 1fr))', gap: 16 }}>
            <Chart option={levels} label="评价等级分布" />
            <Chart option={tags} label="差评原因排行" />
          </div>
        </Card>
      )}
    </Space>
  );
}
