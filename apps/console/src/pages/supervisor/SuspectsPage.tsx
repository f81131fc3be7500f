import { Button, Card, Popconfirm, Table, Tag } from 'antd';
import { useState } from 'react';
import { intake, must } from '../../api/client';
import { formatTime, usePolling, useSubmit } from '../../components/common';
import { LEVEL } from '../../labels';
import type { Page, Rating } from '../../types';

/** Ratings flagged as 刷评 (too fast for a person): left out of every rate until a supervisor clears them. */
export function SuspectsPage() {
  const [paging, setPaging] = useState({ page: 1, pageSize: 50 });
  const { data, loading, reload } = usePolling(
    async () =>
      (await must(
        intake.GET('/api/v1/ratings', { params: { query: { suspect: 'true', page: paging.page, pageSize: paging.pageSize } } }),
      )) as unknown as Page<Rating>,
    [paging.page, paging.pageSize],
    30_000,
  );
  const { submit } = useSubmit(async (id: string) => {
    await must(intake.POST('/api/v1/ratings/{id}/clear-suspect', { params: { path: { id } } }));
    await reload();
  }, '已解除疑似标记，该评价重新计入统计');
  return (
    <Card title="刷评疑似评价">
      <Table<Rating>
        rowKey="id"
        size="small"
        loading={loading && !data}
        dataSource={data?.items ?? []}
        scroll={{ x: 800 }}
        pagination={{
          current: data?.page ?? 1,
          pageSize: data?.pageSize ?? 50,
          total: data?.total ?? 0,
          onChange: (page, pageSize) => setPaging({ page, pageSize }),
        }}
        columns={[
          { title: '评价时间', key: 'at', render: (_, r) => formatTime(r.ratedAt) },
          { title: '单位', dataIndex: 'unitCode' },
          { title: '评价器', key: 'device', render: (_, r) => r.deviceId?.slice(0, 8) ?? '—' },
          { title: '评价', key: 'level', render: (_, r) => `${r.level} 星 · ${LEVEL[r.level] ?? ''}` },
          { title: '原因', key: 'reason', render: (_, r) => <Tag color="orange">{r.suspectReason ?? '疑似刷评'}</Tag> },
          {
            title: '操作',
            key: 'op',
            render: (_, r) => (
              <Popconfirm title="确认这是真实评价并计入统计？" okText="解除" cancelText="取消" onConfirm={() => void submit(r.id)}>
                <Button size="small">解除疑似</Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}
