import { Button, Card, Space, Typography } from 'antd';
import { useState } from 'react';
import { must, rectification } from '../../api/client';
import { CaseTable } from '../../components/CaseTable';
import { formatTime, usePolling } from '../../components/common';
import type { CaseView, Page } from '../../types';
import { ActionModal } from '../CasePage';

/** Appeals and extension requests waiting for a supervisor's decision. */
export function DecisionsPage() {
  const [appealsPage, setAppealsPage] = useState({ page: 1, pageSize: 20 });
  const [extPage, setExtPage] = useState({ page: 1, pageSize: 20 });
  const [deciding, setDeciding] = useState<{ action: 'decide-appeal' | 'decide-extension'; c: CaseView } | null>(null);
  const appeals = usePolling(
    async () =>
      (await must(
        rectification.GET('/api/v1/cases', {
          params: { query: { status: 'APPEALING', sort: 'attention', page: appealsPage.page, pageSize: appealsPage.pageSize } },
        }),
      )) as unknown as Page<CaseView>,
    [appealsPage.page, appealsPage.pageSize],
  );
  const extensions = usePolling(
    async () =>
      (await must(
        rectification.GET('/api/v1/cases', {
          params: { query: { extension: 'PENDING', sort: 'attention', page: extPage.page, pageSize: extPage.pageSize } },
        }),
      )) as unknown as Page<CaseView>,
    [extPage.page, extPage.pageSize],
  );
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      <Card title={`待裁定的申诉（${appeals.data?.total ?? 0}）`}>
        <CaseTable
          page={appeals.data}
          loading={appeals.loading}
          showUnit
          onPage={(page, pageSize) => setAppealsPage({ page, pageSize })}
          actions={(c) => (
            <Button size="small" type="primary" onClick={() => setDeciding({ action: 'decide-appeal', c })}>
              裁定
            </Button>
          )}
        />
      </Card>
      <Card title={`待审批的延期申请（${extensions.data?.total ?? 0}）`}>
        <CaseTable
          page={extensions.data}
          loading={extensions.loading}
          showUnit
          onPage={(page, pageSize) => setExtPage({ page, pageSize })}
          actions={(c) => (
            <Space orientation="vertical" size={2}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                延至 {formatTime(c.extension?.until)}
              </Typography.Text>
              <Button size="small" type="primary" onClick={() => setDeciding({ action: 'decide-extension', c })}>
                审批
              </Button>
            </Space>
          )}
        />
      </Card>
      {deciding && (
        <ActionModal
          action={deciding.action}
          detail={deciding.c}
          onClose={() => setDeciding(null)}
          onDone={() => void Promise.all([appeals.reload(), extensions.reload()]).then(() => setDeciding(null))}
        />
      )}
    </Space>
  );
}
