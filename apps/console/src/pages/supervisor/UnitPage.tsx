import { Button, Card, Space } from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { must, rectification } from '../../api/client';
import { CaseTable, OpenButton } from '../../components/CaseTable';
import { usePolling } from '../../components/common';
import type { CaseView, Page } from '../../types';
import { UnitFigures } from '../operator/FiguresPage';

/** A unit seen from the ranking: its quarter's figures and its cases, open ones first. */
export function UnitPage() {
  const { code } = useParams<{ code: string }>();
  const navigate = useNavigate();
  const [paging, setPaging] = useState({ page: 1, pageSize: 20 });
  const { data, loading } = usePolling(
    async () =>
      (await must(
        rectification.GET('/api/v1/cases', {
          params: { query: { unitCode: code, sort: 'attention', page: paging.page, pageSize: paging.pageSize } },
        }),
      )) as unknown as Page<CaseView>,
    [code, paging.page, paging.pageSize],
    30_000,
  );
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      <Button onClick={() => void navigate('/desk')}>返回季度概览</Button>
      <UnitFigures unitCode={code} title={(name) => `${name ?? '单位'}：季度数据`} />
      <Card title="该单位的案件">
        <CaseTable
          page={data}
          loading={loading}
          onPage={(page, pageSize) => setPaging({ page, pageSize })}
          actions={(c) => <OpenButton id={c.id} caseNumber={c.caseNumber} />}
        />
      </Card>
    </Space>
  );
}
