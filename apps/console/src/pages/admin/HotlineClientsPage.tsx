import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { intake, must, rectification } from '../../api/client';
import { formatTime, problemMessage, usePolling, useSubmit } from '../../components/common';
import type { HotlineClient, HotlineDeliveries } from '../../types';

const DELIVERY: Record<HotlineDeliveries['state'], { color: string; label: string }> = {
  FAILING: { color: 'red', label: '投递失败，重试中' },
  PENDING: { color: 'gold', label: '待投递' },
  DELIVERED: { color: 'green', label: '已全部送达' },
  NONE: { color: 'default', label: '暂无答复' },
};

/** How the replies to a client stand: the state, the counts, and why the latest failing one failed. */
function DeliveryCell({ d }: { d: HotlineDeliveries | undefined }) {
  if (!d) return <Typography.Text type="secondary">暂无答复</Typography.Text>;
  const { color, label } = DELIVERY[d.state];
  return (
    <Space orientation="vertical" size={0}>
      <Tag color={color}>{label}</Tag>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        已送达 {d.delivered} · 待投递 {d.pending} · 失败重试 {d.failing}
        {d.undeliverable ? ` · 无法投递 ${d.undeliverable}` : ''}
      </Typography.Text>
    </Space>
  );
}

/** 12345 hotline systems: register (secret shown once), callback URL and the delivery of replies to it, revoke. */
export function HotlineClientsPage() {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<{ clientId: string; secret: string } | null>(null);
  const [form] = Form.useForm<{ name: string; callbackUrl?: string }>();
  const { data, loading, reload } = usePolling(
    async () => (await must(intake.GET('/api/v1/hotline-clients'))) as unknown as HotlineClient[],
    [],
    0,
  );
  // Delivery is rectification's (it sends the replies); refreshed every 15 s.
  const deliveries = usePolling(
    async () => (await must(rectification.GET('/api/v1/hotline/deliveries'))) as unknown as { items: HotlineDeliveries[] },
    [],
    15_000,
  );
  const deliveryOf = new Map((deliveries.data?.items ?? []).map((d) => [d.clientId, d]));
  const register = useSubmit(async (v: { name: string; callbackUrl?: string }) => {
    setCreated(
      (await must(intake.POST('/api/v1/hotline-clients', { body: v.callbackUrl ? v : { name: v.name } }))) as unknown as {
        clientId: string;
        secret: string;
      },
    );
    setOpen(false);
    form.resetFields();
    await reload();
  });
  const revoke = useSubmit(async (clientId: string) => {
    await must(intake.POST('/api/v1/hotline-clients/{clientId}/revoke', { params: { path: { clientId } } }));
    await reload();
  }, '已吊销');
  return (
    <Card
      title="12345 热线接入"
      extra={
        <Button type="primary" onClick={() => setOpen(true)}>
          登记热线系统
        </Button>
      }
    >
      {deliveries.error !== null && (
        <Alert type="error" showIcon title={`无法读取答复投递情况：${problemMessage(deliveries.error)}`} style={{ marginBottom: 12 }} />
      )}
      <Table<HotlineClient>
        rowKey="clientId"
        size="small"
        loading={loading}
        dataSource={data ?? []}
        scroll={{ x: 1100 }}
        columns={[
          { title: '名称', dataIndex: 'name' },
          {
            title: '客户端号',
            key: 'id',
            // For the 12345 system's configuration: copied whole, not shown in part.
            render: (_, c) => (
              <Typography.Text copyable={{ text: c.clientId, tooltips: ['复制客户端号', '已复制客户端号'] }}>复制</Typography.Text>
            ),
          },
          {
            title: '回调地址',
            key: 'cb',
            render: (_, c) => c.callbackUrl ?? <Typography.Text type="secondary">未配置（答复不回传）</Typography.Text>,
          },
          { title: '答复投递', key: 'delivery', render: (_, c) => <DeliveryCell d={deliveryOf.get(c.clientId)} /> },
          {
            title: '最近投递',
            key: 'attempt',
            render: (_, c) => {
              const d = deliveryOf.get(c.clientId);
              if (!d?.lastAttemptAt) return '—';
              return (
                <Space orientation="vertical" size={0}>
                  <span>{formatTime(d.lastAttemptAt)}</span>
                  {d.nextAttemptAt && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      下次重试 {formatTime(d.nextAttemptAt)}
                    </Typography.Text>
                  )}
                </Space>
              );
            },
          },
          {
            title: '最近错误',
            key: 'error',
            render: (_, c) => {
              const d = deliveryOf.get(c.clientId);
              if (!d?.lastError) return '—';
              return (
                <Tooltip title={d.lastError}>
                  <Typography.Text type="danger" ellipsis style={{ maxWidth: 220 }}>
                    {d.lastError}
                  </Typography.Text>
                </Tooltip>
              );
            },
          },
          { title: '登记时间', key: 'at', render: (_, c) => formatTime(c.createdAt) },
          { title: '状态', key: 'state', render: (_, c) => (c.revoked ? <Tag color="red">已吊销</Tag> : <Tag color="green">启用</Tag>) },
          {
            title: '操作',
            key: 'op',
            fixed: 'right',
            render: (_, c) =>
              c.revoked ? null : (
                <Popconfirm title="确认吊销？" okText="吊销" cancelText="取消" onConfirm={() => void revoke.submit(c.clientId)}>
                  <Button size="small" danger>
                    吊销
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal
        title="登记热线系统"
        open={open}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText="登记"
        confirmLoading={register.busy}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => void register.submit(v)}>
          <Form.Item label="名称" name="name" {...register.field('name')} rules={[{ required: true, message: '请填写名称' }]}>
            <Input placeholder="例如 区12345热线" />
          </Form.Item>
          <Form.Item
            label="回调地址（可选）"
            name="callbackUrl"
            {...register.field('callbackUrl')}
            rules={[{ type: 'url', message: '请填写 http(s) 地址' }]}
          >
            <Input placeholder="https://…" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        title="热线系统已登记"
        open={created !== null}
        onOk={() => setCreated(null)}
        onCancel={() => setCreated(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okText="我已妥善保存"
      >
        <Alert type="warning" showIcon title="密钥只显示这一次。" style={{ marginBottom: 12 }} />
        <p>
          客户端号：
          <Typography.Text copyable code>
            {created?.clientId}
          </Typography.Text>
        </p>
        <p>
          密钥：
          <Typography.Text copyable code>
            {created?.secret}
          </Typography.Text>
        </p>
      </Modal>
    </Card>
  );
}
