import { Button, Card, Popconfirm, Segmented, Space, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { intake, must } from '../../api/client';
import { formatTime, usePolling, useSubmit } from '../../components/common';
import { useUnitNames } from '../../components/people';
import { LEVEL, suspectReasonLabel } from '../../labels';
import type { Page, Rating } from '../../types';

type SuspectStatus = NonNullable<Rating['suspectStatus']>;

const VIEWS: Array<{ value: SuspectStatus; label: string }> = [
  { value: 'OPEN', label: '待处理' },
  { value: 'CONFIRMED', label: '已确认刷评' },
  { value: 'CLEARED', label: '已解除' },
];

/**
 * Ratings flagged as 刷评 (too fast for a person): left out of every rate until a supervisor decides. Clearing puts
 * the rating back into the figures; confirming keeps it out for good and records it as confirmed 刷评.
 */
export function SuspectsPage() {
  const [status, setStatus] = useState<SuspectStatus>('OPEN');
  const [paging, setPaging] = useState({ page: 1, pageSize: 50 });
  const units = useUnitNames();
  const { data, loading, reload } = usePolling(
    async () =>
      (await must(
        intake.GET('/api/v1/ratings', {
          params: { query: { suspectStatus: status, page: paging.page, pageSize: paging.pageSize } },
        }),
      )) as unknown as Page<Rating>,
    [status, paging.page, paging.pageSize],
    30_000,
  );
  const clear = useSubmit(async (id: string) => {
    await must(intake.POST('/api/v1/ratings/{id}/clear-suspect', { params: { path: { id } } }));
    await reload();
  }, '已解除疑似标记，该评价重新计入统计');
  const confirm = useSubmit(async (id: string) => {
    await must(intake.POST('/api/v1/ratings/{id}/confirm-suspect', { params: { path: { id } } }));
    await reload();
  }, '已确认为刷评，该评价不计入统计');
  return (
    <Card title="刷评疑似评价">
      <Segmented<SuspectStatus>
        style={{ marginBottom: 12 }}
        aria-label="处理状态"
        value={status}
        onChange={(v) => {
          setStatus(v);
          setPaging((p) => ({ ...p, page: 1 }));
        }}
        options={VIEWS}
      />
      <Table<Rating>
        rowKey="id"
        size="small"
        loading={loading && !data}
        dataSource={data?.items ?? []}
        scroll={{ x: 900 }}
        locale={{ emptyText: status === 'OPEN' ? '没有待处理的疑似评价' : '暂无记录' }}
        pagination={{
          current: data?.page ?? 1,
          pageSize: data?.pageSize ?? 50,
          total: data?.total ?? 0,
          onChange: (page, pageSize) => setPaging({ page, pageSize }),
        }}
        columns={[
          { title: '评价时间', key: 'at', render: (_, r) => formatTime(r.ratedAt) },
          { title: '单位', key: 'unit', render: (_, r) => units.get(r.unitCode) ?? '—' },
          { title: '评价器', key: 'device', render: (_, r) => (r.windowNo ? `${r.windowNo} 号窗口` : '—') },
          { title: '评价', key: 'level', render: (_, r) => `${r.level} 星 · ${LEVEL[r.level] ?? ''}` },
          { title: '原因', key: 'reason', render: (_, r) => <Tag color="orange">{suspectReasonLabel(r.suspectReason)}</Tag> },
          status === 'OPEN'
            ? {
                title: '操作',
                key: 'op',
                render: (_, r) => (
                  <Space size={4}>
                    <Popconfirm
                      title="确认这是真实评价并计入统计？"
                      okText="解除"
                      cancelText="取消"
                      onConfirm={() => void clear.submit(r.id)}
                    >
                      <Button size="small">解除疑似</Button>
                    </Popconfirm>
                    <Popconfirm
                      title="确认为刷评？该评价将不计入任何统计，且不能再解除。"
                      okText="确认刷评"
                      okButtonProps={{ danger: true }}
                      cancelText="取消"
                      onConfirm={() => void confirm.submit(r.id)}
                    >
                      <Button size="small" danger>
                        确认刷评
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
              }
            : {
                title: '处理时间',
                key: 'decision',
                render: (_, r) =>
                  r.suspectStatus === 'CONFIRMED' ? (
                    <Space size={4}>
                      <Tag color="red">已确认刷评</Tag>
                      <Tooltip title={`处理人：${r.suspectConfirmedBy ?? '—'}（详见审计日志）`}>{formatTime(r.suspectConfirmedAt)}</Tooltip>
                    </Space>
                  ) : (
                    <Space size={4}>
                      <Tag color="green">已解除</Tag>
                      <Tooltip title={`处理人：${r.suspectClearedBy ?? '—'}（详见审计日志）`}>{formatTime(r.suspectClearedAt)}</Tooltip>
                    </Space>
                  ),
              },
        ]}
      />
    </Card>
  );
}
