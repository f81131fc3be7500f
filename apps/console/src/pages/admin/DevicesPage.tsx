import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { intake, must } from '../../api/client';
import { formatTime, usePolling, useSubmit } from '../../components/common';
import type { Device, PairingCode, Unit } from '../../types';

interface DeviceValues {
  unitCode: string;
  windowNo: string;
  label?: string;
}

/** 7KQ4M9TX → 7KQ4-M9TX, as the PAD page's field groups it. */
function grouped(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Window PADs: register (the secret is shown once), issue a pairing code for the PAD page (shown once), see when each was last heard from, revoke. */
export function DevicesPage() {
  const [unitCode, setUnitCode] = useState<string | undefined>();
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<{ deviceId: string; secret: string } | null>(null);
  const [pairing, setPairing] = useState<(PairingCode & { device: Device }) | null>(null);
  const [form] = Form.useForm<DeviceValues>();
  const units = usePolling(async () => (await must(intake.GET('/api/v1/units'))) as unknown as Unit[], [], 0);
  const { data, loading, reload } = usePolling(
    async () => (await must(intake.GET('/api/v1/devices', { params: { query: { unitCode } } }))) as unknown as Device[],
    [unitCode],
    30_000,
  );
  const register = useSubmit(async (v: DeviceValues) => {
    setCreated((await must(intake.POST('/api/v1/devices', { body: v }))) as unknown as { deviceId: string; secret: string });
    setOpen(false);
    form.resetFields();
    await reload();
  });
  const revoke = useSubmit(async (deviceId: string) => {
    await must(intake.POST('/api/v1/devices/{deviceId}/revoke', { params: { path: { deviceId } } }));
    await reload();
  }, '评价器已吊销');
  const issue = useSubmit(async (device: Device) => {
    const code = (await must(
      intake.POST('/api/v1/devices/{deviceId}/pairing-codes', { params: { path: { deviceId: device.deviceId } } }),
    )) as unknown as PairingCode;
    setPairing({ ...code, device });
  });
  const unitOptions = (units.data ?? []).map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` }));
  return (
    <Card
      title="评价器（PAD）"
      extra={
        <Space wrap>
          <Select
            aria-label="按单位筛选"
            allowClear
            placeholder="全部单位"
            style={{ width: 220 }}
            value={unitCode}
            onChange={setUnitCode}
            options={unitOptions}
          />
          <Button type="primary" onClick={() => setOpen(true)}>
            登记评价器
          </Button>
        </Space>
      }
    >
      <Table<Device>
        rowKey="deviceId"
        size="small"
        loading={loading && !data}
        dataSource={data ?? []}
        scroll={{ x: 1000 }}
        pagination={{ pageSize: 50 }}
        columns={[
          {
            title: '设备号',
            key: 'id',
            render: (_, d) => <Typography.Text copyable={{ text: d.deviceId }}>{d.deviceId.slice(0, 8)}</Typography.Text>,
          },
          { title: '单位', dataIndex: 'unitCode' },
          { title: '窗口', dataIndex: 'windowNo' },
          { title: '名称', key: 'label', render: (_, d) => d.label ?? '—' },
          {
            title: '最近在线',
            key: 'seen',
            render: (_, d) =>
              d.lastSeenAt ? (
                <Space size={4}>
                  {d.online ? <Tag color="green">在线</Tag> : <Tag>离线</Tag>}
                  {formatTime(d.lastSeenAt)}
                </Space>
              ) : (
                <Typography.Text type="secondary">从未连接</Typography.Text>
              ),
          },
          { title: '配对时间', key: 'paired', render: (_, d) => (d.pairedAt ? formatTime(d.pairedAt) : <Tag>未配对</Tag>) },
          {
            title: '状态',
            key: 'state',
            render: (_, d) => (d.revoked ? <Tag color="red">已吊销 {formatTime(d.revokedAt)}</Tag> : <Tag color="green">启用</Tag>),
          },
          {
            title: '操作',
            key: 'op',
            render: (_, d) =>
              d.revoked ? null : (
                <Space size={4}>
                  <Tooltip title="评价器页面输入配对码即可完成配置；新配对码生成后，旧配对码失效">
                    <Button size="small" onClick={() => void issue.submit(d)}>
                      生成配对码
                    </Button>
                  </Tooltip>
                  <Popconfirm
                    title="吊销后该评价器的请求将被拒绝，确认？"
                    okText="吊销"
                    cancelText="取消"
                    onConfirm={() => void revoke.submit(d.deviceId)}
                  >
                    <Button size="small" danger>
                      吊销
                    </Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      <Modal
        title="登记评价器"
        open={open}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText="登记"
        confirmLoading={register.busy}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => void register.submit(v)}>
          <Form.Item label="单位" name="unitCode" {...register.field('unitCode')} rules={[{ required: true, message: '请选择单位' }]}>
            <Select options={unitOptions} showSearch={{ optionFilterProp: 'label' }} />
          </Form.Item>
          <Form.Item
            label="窗口号"
            name="windowNo"
            {...register.field('windowNo')}
            rules={[
              { required: true, message: '请填写窗口号' },
              { max: 32, message: '不超过 32 个字符' },
            ]}
          >
            <Input placeholder="例如 A03" />
          </Form.Item>
          <Form.Item label="名称（可选）" name="label" {...register.field('label')} rules={[{ max: 100, message: '不超过 100 个字' }]}>
            <Input placeholder="例如 3号窗口评价器" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        title="评价器已登记"
        open={created !== null}
        onOk={() => setCreated(null)}
        onCancel={() => setCreated(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okText="我已妥善保存"
      >
        <Alert type="warning" showIcon title="密钥只显示这一次，请立即配置到评价器中。" style={{ marginBottom: 12 }} />
        <p>
          设备号：
          <Typography.Text copyable code>
            {created?.deviceId}
          </Typography.Text>
        </p>
        <p>
          密钥：
          <Typography.Text copyable code aria-label="设备密钥">
            {created?.secret}
          </Typography.Text>
        </p>
      </Modal>
      <Modal
        title="评价器配对码"
        open={pairing !== null}
        onOk={() => setPairing(null)}
        onCancel={() => setPairing(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okText="我已记下"
      >
        <Alert
          type="info"
          showIcon
          title="配对码只显示这一次，仅可使用一次。"
          description="在该窗口的评价器上打开评价页面（/pad/），输入此配对码即可完成配置；配对后评价器获得新的密钥，登记时的密钥失效。"
          style={{ marginBottom: 12 }}
        />
        <p>
          评价器：{pairing?.device.unitCode} · {pairing?.device.windowNo}
          {pairing?.device.label ? ` · ${pairing.device.label}` : ''}
        </p>
        <Typography.Title level={2} copyable={{ text: pairing?.code }} aria-label="配对码" style={{ letterSpacing: 4, margin: '8px 0' }}>
          {pairing ? grouped(pairing.code) : ''}
        </Typography.Title>
        <p aria-label="配对码有效期">有效期至 {pairing ? dayjs(pairing.expiresAt).format('YYYY-MM-DD HH:mm:ss') : ''}（15 分钟）</p>
      </Modal>
    </Card>
  );
}
