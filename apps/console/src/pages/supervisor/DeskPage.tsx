import { Alert, Card, Space, Spin, Table, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { must, statistics } from '../../api/client';
import { Chart } from '../../components/Chart';
import { problemMessage, usePolling } from '../../components/common';
import { Figures } from '../../components/Figures';
import { currentQuarter, previousQuarter, QuarterPicker, type Quarter } from '../../components/QuarterPicker';
import { percent } from '../../labels';
import type { QuarterlyReport, UnitRow } from '../../types';
import { HotspotsCard } from './HotspotsCard';

async function report(q: Quarter): Promise<QuarterlyReport> {
  return (await must(
    statistics.GET('/api/v1/reports/quarterly', { params: { query: { year: q.year, quarter: q.quarter } } }),
  )) as unknown as QuarterlyReport;
}

type RankRow = UnitRow & { previous?: UnitRow };

/** Unit names under the bars, upright and wrapped into short lines (never rotated over the legend). */
const UNIT_AXIS_LABEL = {
  interval: 0,
  width: 64,
  overflow: 'break',
  lineHeight: 14,
  formatter: (name: string) => (name.length > 12 ? `${name.slice(0, 11)}…` : name),
};

/** The quarter at a glance: the headline rates, the unit ranking beside the previous quarter's, and charts. */
export function DeskPage() {
  const [q, setQ] = useState(currentQuarter);
  const { data, error } = usePolling(
    async () => {
      const [now, before] = await Promise.all([report(q), report(previousQuarter(q))]);
      return { now, before };
    },
    [q.year, q.quarter],
    60_000,
  );
  const rows: RankRow[] = useMemo(() => {
    const before = new Map((data?.before.units ?? []).map((u) => [u.unitCode, u]));
    // A unit without reviews last quarter has no rank worth comparing.
    return (data?.now.units ?? []).map((u) => ({ ...u, previous: before.get(u.unitCode)?.total ? before.get(u.unitCode) : undefined }));
  }, [data]);
  const ranking = useMemo(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v.toFixed(2)}%` },
      legend: { data: ['本季度', '上季度'], top: 0 },
      grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: rows.map((r) => r.unitName), axisLabel: UNIT_AXIS_LABEL },
      // A rate is drawn from 0: a cut axis makes 95 % look like half of 99 %.
      yAxis: { type: 'value', name: '好评率（%）', min: 0, max: 100, nameTextStyle: { align: 'left' } },
      series: [
        {
          name: '本季度',
          type: 'bar',
          data: rows.map((r) => (r.goodRate === null ? null : +(r.goodRate * 100).toFixed(2))),
          itemStyle: { color: '#c0392b' },
        },
        {
          name: '上季度',
          type: 'bar',
          data: rows.map((r) => (r.previous?.goodRate == null ? null : +(r.previous.goodRate * 100).toFixed(2))),
          itemStyle: { color: '#95a5a6' },
        },
      ],
    }),
    [rows],
  );
  const volume = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { data: ['好评', '差评'], top: 0 },
      grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: rows.map((r) => r.unitName), axisLabel: UNIT_AXIS_LABEL },
      yAxis: { type: 'value', name: '评价数（件）', minInterval: 1, nameTextStyle: { align: 'left' } },
      series: [
        { name: '好评', type: 'bar', stack: 'n', data: rows.map((r) => r.good), itemStyle: { color: '#27ae60' } },
        { name: '差评', type: 'bar', stack: 'n', data: rows.map((r) => r.bad), itemStyle: { color: '#c0392b' } },
      ],
    }),
    [rows],
  );
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      <Card title="季度概览" extra={<QuarterPicker value={q} onChange={setQ} />}>
        {error ? <Alert type="error" showIcon title={problemMessage(error)} /> : data ? <Figures report={data.now} /> : <Spin />}
        {data?.now.published && (
          <Tag color="green" style={{ marginTop: 12 }}>
            已发布
          </Tag>
        )}
      </Card>
      <HotspotsCard />
      <Card title="单位排名（与上季度对比）">
        <Table<RankRow>
          rowKey="unitCode"
          size="small"
          dataSource={rows}
          pagination={false}
          scroll={{ x: 760 }}
          columns={[
            { title: '名次', dataIndex: 'rank', width: 64 },
            {
              title: '单位',
              key: 'unitName',
              render: (_, r) => (
                <Link to={`/units/${encodeURIComponent(r.unitCode)}`} aria-label={`查看 ${r.unitName} 的数据与案件`}>
                  {r.unitName}
                </Link>
              ),
            },
            { title: '评价数', dataIndex: 'total', width: 90 },
            { title: '差评', dataIndex: 'bad', width: 70 },
            { title: '好评率', key: 'goodRate', width: 100, render: (_, r) => percent(r.goodRate) },
            { title: '及时答复率', key: 'timely', width: 110, render: (_, r) => percent(r.timelyResponseRate) },
            { title: '上季度名次', key: 'prevRank', width: 100, render: (_, r) => r.previous?.rank ?? '—' },
            { title: '上季度好评率', key: 'prevRate', width: 120, render: (_, r) => percent(r.previous?.goodRate) },
            {
              title: '变化',
              key: 'change',
              width: 80,
              render: (_, r) => {
                if (!r.previous) return '—';
                const d = r.previous.rank - r.rank;
                return d > 0 ? <Tag color="green">↑{d}</Tag> : d < 0 ? <Tag color="red">↓{-d}</Tag> : <Tag>持平</Tag>;
              },
            },
          ]}
        />
      </Card>
      <Card title="图表">
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(min(420px, 100%), 1fr))', gap: 16 }}>
          <Chart option={ranking} label="各单位好评率（本季度与上季度）" />
          <Chart option={volume} label="各单位好评与差评数量" />
        </div>
      </Card>
    </Space>
  );
}
