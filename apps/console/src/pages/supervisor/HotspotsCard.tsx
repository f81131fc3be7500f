import { Alert, Card, Empty, Space, Spin, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { must, rectification, statistics } from '../../api/client';
import { matterSummary } from '../../components/CaseTable';
import { problemMessage, usePolling } from '../../components/common';
import { SOURCE } from '../../labels';
import { useUnitNames } from '../classes/names';
import type { CaseView } from '../../types';

interface Hotspot {
  kind: 'SERVICE_ITEM' | 'CATEGORY';
  code: string;
  name: string | null;
  windowCount: number;
  baselineWeeklyMean: number;
  expected: number;
  pValue: number;
  unitCodes: string[];
  cases: { serviceItemCode?: string; problemCategory?: string; from: string; to: string };
}

interface Hotspots {
  windowFrom: string;
  windowTo: string;
  rule: { description: string };
  hotspots: Hotspot[];
}

// Paths newer than the generated client types: called untyped, answers typed here.
type UntypedGet = (
  path: string,
  init: { params?: { query?: Record<string, unknown> } },
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/** The cases behind one hotspot: its service item or category, opened in the window. */
function HotspotCases({ hotspot }: { hotspot: Hotspot }) {
  const { data, error } = usePolling(
    async () => {
      const get = rectification.GET as unknown as UntypedGet;
      // The hotspot's filter, not its `path` (the same filter as a link for API callers): the case list refuses unknown parameters.
      const { serviceItemCode, problemCategory, from, to } = hotspot.cases;
      const query = { serviceItemCode, problemCategory, from, to, pageSize: 50 };
      return (await must(get('/api/v1/cases', { params: { query } }))) as { items: CaseView[] };
    },
    [hotspot.kind, hotspot.code, hotspot.cases.from],
    0,
  );
  if (error) return <Alert type="error" showIcon title={problemMessage(error)} />;
  if (!data) return <Spin />;
  if (data.items.length === 0) return <Typography.Text type="secondary">该时段内没有已立案的案件</Typography.Text>;
  return (
    <Space orientation="vertical" size={2}>
      {data.items.map((c) => (
        <Link key={c.id} to={`/cases/${c.id}`}>
          {c.unitName}：{SOURCE[c.source] ?? ''} {matterSummary(c) || '（无文字）'}
        </Link>
      ))}
    </Space>
  );
}

/** 热点: what stands out this week against its own 8-week baseline, each row opening its cases. */
export function HotspotsCard() {
  const unitName = useUnitNames();
  const [categoryNames, setCategoryNames] = useState<Map<string, string>>(new Map());
  const { data, error } = usePolling(
    async () => {
      const get = statistics.GET as unknown as UntypedGet;
      const result = (await must(get('/api/v1/analysis/hotspots', {}))) as Hotspots;
      if (result.hotspots.some((h) => h.kind === 'CATEGORY')) {
        const categories = (await must((rectification.GET as unknown as UntypedGet)('/api/v1/problem-categories', {}))) as Array<{
          code: string;
          name: string;
        }>;
        setCategoryNames(new Map(categories.map((c) => [c.code, c.name])));
      }
      return result;
    },
    [],
    300_000,
  );
  return (
    <Card
      title="热点问题（近7日）"
      styles={{ header: { flexWrap: 'wrap', gap: 4 }, title: { whiteSpace: 'normal' } }}
      extra={data && <Typography.Text type="secondary">{`${data.windowFrom} 至 ${data.windowTo}`}</Typography.Text>}
    >
      {error ? (
        <Alert type="error" showIcon title={problemMessage(error)} />
      ) : !data ? (
        <Spin />
      ) : data.hotspots.length === 0 ? (
        <Empty description="近7日没有明显高于往常的差评" />
      ) : (
        <Table<Hotspot>
          size="small"
          rowKey={(h) => `${h.kind}:${h.code}`}
          dataSource={data.hotspots}
          pagination={false}
          expandable={{ expandedRowRender: (h) => <HotspotCases hotspot={h} />, expandRowByClick: true }}
          columns={[
            {
              title: '类型',
              key: 'kind',
              responsive: ['sm'],
              width: 90,
              render: (_, h) => (h.kind === 'SERVICE_ITEM' ? <Tag color="blue">办事事项</Tag> : <Tag color="purple">问题分类</Tag>),
            },
            {
              title: '名称',
              key: 'name',
              width: 120,
              render: (_, h) => (h.kind === 'SERVICE_ITEM' ? (h.name ?? '未命名事项') : (categoryNames.get(h.code) ?? '…')),
            },
            { title: '近7日差评', dataIndex: 'windowCount', width: 72 },
            { title: '往常周均', key: 'mean', width: 100, responsive: ['md'], render: (_, h) => h.baselineWeeklyMean.toFixed(1) },
            { title: '涉及单位', key: 'units', render: (_, h) => h.unitCodes.map(unitName).join('、') },
          ]}
        />
      )}
      {data && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          判定规则：{data.rule.description}。{data.hotspots.length > 0 && '点击一行查看相关案件。'}
        </Typography.Paragraph>
      )}
    </Card>
  );
}
