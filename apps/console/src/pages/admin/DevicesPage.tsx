import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { intake, must } from '../../api/client';
import { formatTime, usePolling, useSubmit } from '../../components/common';
import type { Device, PairingCode, RejectedUpload, Unit } from '../../types';

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
  const [rejectedOf, setRejectedOf] = useState<Device | null>(null);
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
      title="窗口评价器"
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
          // The device id is for machines (the pairing code configures a PAD): copied, not shown.
          {
            title: '单位',
            key: 'unit',
            render: (_, d) => (
              <Typography.Text copyable={{ text: d.deviceId, tooltips: ['复制设备号', '已复制设备号'] }}>
                {(units.data ?? []).find((u) => u.code === d.unitCode)?.name ?? d.unitCode}
              </Typography.Text>
            ),
          },
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
          {
            title: '待上传 / 未通过',
            key: 'queue',
            render: (_, d) =>
              d.lastSeenAt === null ? (
                '—'
              ) : (
                <Space size={4} wrap>
                  <span>待上传 {d.queueLength ?? 0}</span>
                  {(d.rejectedCount ?? 0) > 0 ? (
                    <Button size="small" danger onClick={() => setRejectedOf(d)} aria-label={`查看 ${d.windowNo} 窗口未通过的评价`}>
                      未通过 {d.rejectedCount}，查看原因
                    </Button>
                  ) : (
                    <span>未通过 0</span>
                  )}
                </Space>
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
      <RejectedUploadsDialog device={rejectedOf} onClose={() => setRejectedOf(null)} />
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

/** Why a PAD counts 未通过: the items its uploads had refused, newest first, with the reasons in Chinese. */
function RejectedUploadsDialog({ device, onClose }: { device: Device | null; onClose: () => void }) {
  const deviceId = device?.deviceId;
  const { data, loading } = usePolling(
    async () =>
      deviceId
        ? ((await must(intake.GET('/api/v1/devices/{deviceId}/rejected-uploads', { params: { path: { deviceId } } })))
            .items as unknown as RejectedUpload[])
        : [],
    [deviceId],
    0,
  );
  return (
    <Modal
      title="未通过的评价"
      open={device !== null}
      onOk={onClose}
      onCancel={onClose}
      cancelButtonProps={{ style: { display: 'none' } }}
      okText="关闭"
      width={860}
    >
      <p>
        评价器：{device?.unitCode} · {device?.windowNo}
        {device?.label ? ` · ${device.label}` : ''}
      </p>
      <Alert
        type="info"
        showIcon
        title="这些评价在评价器离线后上传时未通过服务器校验，没有计入统计；评价器把它们另存，不会再次上传。"
        description="请按下列原因检查评价器：时间相关的原因多为评价器时钟有误或离线过久，“已有评价”为同一办件重复评价且内容不同。每台评价器保留最近 200 条。"
        style={{ marginBottom: 12 }}
      />
      <Table<RejectedUpload>
        rowKey={(r) => `${r.receivedAt}-${r.index}`}
        size="small"
        loading={loading}
        dataSource={data ?? []}
        pagination={{ pageSize: 10 }}
        locale={{ emptyText: '服务器没有该评价器未通过的记录' }}
        columns={[
          { title: '上传时间', key: 'at', width: 150, render: (_, r) => formatTime(r.receivedAt) },
          { title: '批内序号', key: 'index', width: 90, render: (_, r) => `第 ${r.index + 1} 条` },
          { title: '办件编号', key: 'record', render: (_, r) => r.serviceRecordId ?? '（未提供）' },
          {
            title: '原因',
            key: 'reasons',
            render: (_, r) => (
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {r.reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            ),
          },
        ]}
      />
    </Modal>
  );
}
