import { Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { intake, must } from '../../api/client';
import { formatTime, usePolling, useSubmit } from '../../components/common';
import type { Unit } from '../../types';

const NAME_RULES = [
  { required: true, message: '请填写单位名称' },
  { whitespace: true, message: '单位名称不能为空' },
  { max: 100, message: '不超过 100 个字' },
];

export function UnitsPage() {
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState<Unit | null>(null);
  const [form] = Form.useForm<{ code: string; name: string }>();
  const [editForm] = Form.useForm<{ name: string }>();
  const { data, loading, reload } = usePolling(async () => (await must(intake.GET('/api/v1/units'))) as unknown as Unit[], [], 0);
  const { submit, busy, field } = useSubmit(async (v: { code: string; name: string }) => {
    await must(intake.POST('/api/v1/units', { body: v }));
    setOpen(false);
    form.resetFields();
    await reload();
  }, '单位已创建');
  const rename = useSubmit(async (v: { name: string }) => {
    await must(intake.PATCH('/api/v1/units/{code}', { params: { path: { code: editing!.code } }, body: { name: v.name } }));
    setEditing(null);
    await reload();
  }, '单位名称已修改');
  const toggle = useSubmit(async (u: Unit) => {
    await must(intake.PATCH('/api/v1/units/{code}', { params: { path: { code: u.code } }, body: { disabled: !u.disabled } }));
    await reload();
  });
  return (
    <Card
      title="单位"
      extra={
        <Button type="primary" onClick={() => setOpen(true)}>
          新建单位
        </Button>
      }
    >
      <Table<Unit>
        rowKey="code"
        size="small"
        loading={loading}
        dataSource={data ?? []}
        pagination={{ pageSize: 50 }}
        scroll={{ x: 760 }}
        columns={[
          { title: '单位编码', dataIndex: 'code', width: 120 },
          { title: '单位名称', dataIndex: 'name' },
          {
            title: '状态',
            key: 'status',
            width: 120,
            render: (_, u) =>
              u.disabled ? (
                <Tag color="red" title={u.disabledAt ? `停用于 ${formatTime(u.disabledAt)}` : undefined}>
                  已停用
                </Tag>
              ) : (
                <Tag color="green">正常</Tag>
              ),
          },
          { title: '创建时间', key: 'createdAt', width: 170, render: (_, u) => formatTime(u.createdAt) },
          {
            title: '操作',
            key: 'op',
            width: 150,
            render: (_, u) => (
              <Space size={4}>
                <Button
                  size="small"
                  aria-label={`编辑 ${u.name}`}
                  onClick={() => {
                    setEditing(u);
                    editForm.setFieldsValue({ name: u.name });
                  }}
                >
                  编辑
                </Button>
                <Popconfirm
                  title={
                    u.disabled
                      ? `启用「${u.name}」？启用后可再接收评价、报告和新设备。`
                      : `停用「${u.name}」？停用后不再接收该单位的评价、报告和新设备，已有记录和统计保留。`
                  }
                  okText={u.disabled ? '启用' : '停用'}
                  okButtonProps={u.disabled ? {} : { danger: true }}
                  cancelText="取消"
                  onConfirm={() => toggle.submit(u)}
                >
                  <Button size="small" danger={!u.disabled} loading={toggle.busy} aria-label={`${u.disabled ? '启用' : '停用'} ${u.name}`}>
                    {u.disabled ? '启用' : '停用'}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        title="新建单位"
        open={open}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText="创建"
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form form={form} name="newUnit" layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item
            label="单位编码"
            name="code"
            {...field('code')}
            rules={[
              { required: true, message: '请填写单位编码' },
              { pattern: /^[A-Za-z0-9._-]{1,32}$/, message: '1–32 位字母、数字、点、横线或下划线' },
            ]}
          >
            <Input placeholder="例如 CN-01" />
          </Form.Item>
          <Form.Item label="单位名称" name="name" {...field('name')} rules={NAME_RULES}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        title={editing ? `编辑单位「${editing.name}」` : '编辑单位'}
        open={editing !== null}
        onCancel={() => setEditing(null)}
        onOk={() => editForm.submit()}
        okText="保存"
        cancelText="取消"
        confirmLoading={rename.busy}
        forceRender
      >
        <p>单位编码不变。统计报表显示新名称，此后新立的案件使用新名称，已有案件保留原名称。</p>
        <Form form={editForm} name="editUnit" layout="vertical" onFinish={(v) => void rename.submit(v)}>
          <Form.Item label="单位名称" name="name" {...rename.field('name')} rules={NAME_RULES}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
