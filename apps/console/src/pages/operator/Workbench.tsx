import { Card, Input, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { must, rectification } from '../../api/client';
import { CaseTable, OpenButton } from '../../components/CaseTable';
import { usePolling } from '../../components/common';
import { STATUS } from '../../labels';
import { session } from '../../session';
import type { CaseView, Page } from '../../types';

type Filter = 'all' | 'PENDING' | 'overdue' | 'CLOSED';

/** My unit's cases: open, overdue and urged ones on top, refreshed every 10 seconds. */
export function Workbench() {
  const [paging, setPaging] = useState({ page: 1, pageSize: 20 });
  const [filter, setFilter] = useState<Filter>('all');
  const [q, setQ] = useState('');
  const unitCode = session.user?.unitCode ?? undefined;
  const { data, loading } = usePolling(
    async () =>
      (await must(
        rectification.GET('/api/v1/cases', {
          params: {
            query: {
              unitCode,
              sort: 'attention',
              ...(q ? { q } : {}),
              page: paging.page,
              pageSize: paging.pageSize,
              ...(filter === 'overdue' ? { overdue: true } : filter === 'all' ? {} : { status: filter }),
            },
          },
        }),
      )) as unknown as Page<CaseView>,
    [paging.page, paging.pageSize, filter, q],
  );
  return (
    <Card
      title={
        <Space>
          <Typography.Text strong>本单位案件</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            每 10 秒自动刷新
          </Typography.Text>
        </Space>
      }
    >
      <Space wrap size={12} style={{ marginBottom: 12 }}>
        <Segmented<Filter>
          aria-label="按状态筛选"
          value={filter}
          onChange={(v) => {
            setFilter(v);
            setPaging((p) => ({ ...p, page: 1 }));
          }}
          options={[
            { label: '全部', value: 'all' },
            { label: STATUS.PENDING.text, value: 'PENDING' },
            { label: '超期', value: 'overdue' },
            { label: STATUS.CLOSED.text, value: 'CLOSED' },
          ]}
        />
        <Input.Search
          allowClear
          aria-label="按案件编号查找"
          placeholder="案件编号，如 2026-1207-0001"
          style={{ width: 260, maxWidth: '100%' }}
          onSearch={(v) => {
            setQ(v.trim());
            setPaging((p) => ({ ...p, page: 1 }));
          }}
        />
      </Space>
      <CaseTable
        page={data}
        loading={loading}
        onPage={(page, pageSize) => setPaging({ page, pageSize })}
        actions={(c) => <OpenButton id={c.id} caseNumber={c.caseNumber} />}
      />
    </Card>
  );
}
