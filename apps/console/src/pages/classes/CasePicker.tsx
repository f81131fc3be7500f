import { Select, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { must, rectification } from '../../api/client';
import { matterSummary } from '../../components/CaseTable';
import { formatTime, StatusTag, usePolling } from '../../components/common';
import { SOURCE } from '../../labels';
import type { CaseView, Page } from '../../types';
import { type Category, useNarrow } from './names';

export type PickedCase = CaseView & { problemCategory?: string | null };

/** 问题分类 options: top-level categories and, under them, their sub-categories ("办事效率与等候 · 排队等候时间长"). */
export function categoryOptions(categories: Category[]) {
  const active = categories.filter((c) => !c.retired);
  const name = new Map(categories.map((c) => [c.code, c.name]));
  // One flat list, each sub-category named with its category (大类 · 小类): no group headings, which screen readers
  // would meet as options without a role of their own.
  return active
    .filter((c) => !c.parentCode)
    .flatMap((top) => [top, ...active.filter((c) => c.parentCode === top.code)])
    .map((c) => ({
      value: c.code,
      label: c.parentCode ? `${name.get(c.parentCode) ?? ''} · ${c.name}` : `${c.name}（整类）`,
    }));
}

/** Cases of every unit to choose from, filtered by 问题分类 (as rectified) and unit; the choice survives paging. */
export function CasePicker({
  categories,
  selected,
  onChange,
  exclude = [],
}: {
  categories: Category[];
  selected: PickedCase[];
  onChange: (cases: PickedCase[]) => void;
  exclude?: string[];
}) {
  const [problemCategory, setProblemCategory] = useState<string | undefined>();
  const [paging, setPaging] = useState({ page: 1, pageSize: 10 });
  const categoryName = useMemo(() => new Map(categories.map((c) => [c.code, c.name])), [categories]);
  const { data, loading } = usePolling(
    async () =>
      (await must(
        rectification.GET('/api/v1/cases', {
          params: { query: { problemCategory, sort: 'opened', page: paging.page, pageSize: paging.pageSize } },
        }),
      )) as unknown as Page<PickedCase>,
    [problemCategory, paging.page, paging.pageSize],
    0,
  );
  const excluded = new Set(exclude);
  const narrow = useNarrow();
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap style={{ width: '100%' }} orientation={narrow ? 'vertical' : 'horizontal'}>
        <Select
          aria-label="按问题分类筛选案件"
          placeholder="全部问题分类"
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: narrow ? '100%' : 280 }}
          value={problemCategory}
          onChange={(v?: string) => {
            setProblemCategory(v);
            setPaging((p) => ({ ...p, page: 1 }));
          }}
          options={categoryOptions(categories)}
        />
        <Typography.Text aria-label="已选案件数">已选 {selected.length} 件</Typography.Text>
      </Space>
      <Table<PickedCase>
        rowKey="id"
        size="small"
        loading={loading && !data}
        dataSource={data?.items ?? []}
        locale={{ emptyText: '没有符合条件的案件' }}
        rowSelection={{
          preserveSelectedRowKeys: true,
          selectedRowKeys: selected.map((c) => c.id),
          getCheckboxProps: (c) => ({ disabled: excluded.has(c.id), 'aria-label': `选择案件：${c.unitName} ${matterSummary(c)}` }),
          onChange: (keys, rows) => {
            const known = new Map([...selected, ...rows.filter(Boolean)].map((c) => [c.id, c]));
            onChange(keys.map((k) => known.get(String(k))).filter((c): c is PickedCase => c !== undefined));
          },
        }}
        pagination={{
          current: paging.page,
          pageSize: paging.pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50],
          showTotal: (total) => `共 ${total} 件`,
          onChange: (page, pageSize) => setPaging({ page, pageSize }),
        }}
        columns={[
          { title: '单位', key: 'unit', width: narrow ? 96 : 170, render: (_, c) => c.unitName },
          {
            title: '事项',
            key: 'matter',
            ellipsis: !narrow,
            render: (_, c) => `${SOURCE[c.source] ?? ''}：${matterSummary(c) || '（无文字）'}`,
          },
          {
            title: '问题分类',
            key: 'category',
            width: 150,
            responsive: ['md'],
            render: (_, c) => (c.problemCategory ? (categoryName.get(c.problemCategory) ?? '—') : '未分类'),
          },
          { title: '状态', key: 'status', width: 90, responsive: ['sm'], render: (_, c) => <StatusTag status={c.status} /> },
          { title: '立案时间', key: 'opened', width: 140, responsive: ['md'], render: (_, c) => formatTime(c.openedAt) },
        ]}
      />
    </Space>
  );
}
