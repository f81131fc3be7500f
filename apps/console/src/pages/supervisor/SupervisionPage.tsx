import { Button, Card, Segmented } from 'antd';
import { useState } from 'react';
import { must, rectification } from '../../api/client';
import { CaseTable } from '../../components/CaseTable';
import { usePolling } from '../../components/common';
import type { CaseView, Page } from '../../types';
import { ActionModal } from '../CasePage';

/** Cases that are overdue or urged across the units, with 督办. */
export function SupervisionPage() {
  const [paging, setPaging] = useState({ page: 1, pageSize: 20 });
  const [filter, setFilter] = useState<'overdue' | 'attention'>('overdue');
  const [urging, setUrging] = useState<CaseView | null>(null);
  const { data, loading, reload } = usePolling(
    async () =>
      (await must(
        rectification.GET('/api/v1/cases', {
          params: {
            query: { sort: 'attention', page: paging.page, pageSize: paging.pageSize, ...(filter === 'overdue' ? { overdue: true } : {}) },
          },
        }),
      )) as unknown as Page<CaseView>,
    [paging.page, paging.pageSize, filter],
  );
  return (
    <Card
      title="超期与督办"
      extra={
        <Segmented
          aria-label="范围"
          value={filter}
          onChange={(v) => setFilter(v as 'overdue' | 'attention')}
          options={[
            { label: '超期案件', value: 'overdue' },
            { label: '全部（待办在前）', value: 'attention' },
          ]}
        />
      }
    >
      <CaseTable
        page={data}
        loading={loading}
        showUnit
        onPage={(page, pageSize) => setPaging({ page, pageSize })}
        actions={(c) =>
          c.status === 'CLOSED' ? null : (
            <Button size="small" danger onClick={() => setUrging(c)}>
              督办
            </Button>
          )
        }
      />
      {urging && (
        <ActionModal
          action="urge"
          detail={urging}
          onClose={() => setUrging(null)}
          onDone={() => void reload().then(() => setUrging(null))}
        />
      )}
    </Card>
  );
}
