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
  const [q, setQ] = useState(currentQuarter);
  const unitCode = session.user?.unitCode ?? undefined;
  const { data, error } = usePolling(
    async () =>
      (await must(
        statistics.GET('/api/v1/reports/quarterly', { params: { query: { year: q.year, quarter: q.quarter, unitCode } } }),
      )) as unknown as QuarterlyReport,
    [q.year, q.quarter],
    60_000,
  );
  const levels = useMemo(
    () => ({
      tooltip: {},
      series: [
        {
          type: 'pie',
          radius: ['40%', '70%'],
          data: [5, 4, 3, 2, 1].map((l) => ({ name: LEVEL[l], value: data?.reviews.byLevel[String(l)] ?? 0 })),
        },
      ],
    }),
    [data],
  );
  const tags = useMemo(
    () => ({
      tooltip: {},
      grid: { left: 90, right: 20, top: 10, bottom: 30 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: (data?.topBadTags ?? []).map((t) => TAG[t.tag] ?? t.tag) },
      series: [{ type: 'bar', data: (data?.topBadTags ?? []).map((t) => t.count), itemStyle: { color: '#c0392b' } }],
    }),
    [data],
  );
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      <Card title={`本单位季度数据（${unitCode ?? ''}）`} extra={<QuarterPicker value={q} onChange={setQ} />}>
        {error ? <Alert type="error" showIcon title={problemMessage(error)} /> : data ? <Figures report={data} /> : <Spin />}
      </Card>
      {data && (
        <Card title="评价分布与差评原因">
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))', gap: 16 }}>
            <Chart option={levels} label="评价等级分布" />
            <Chart option={tags} label="差评原因排行" />
          </div>
        </Card>
      )}
    </Space>
  );
}
