import { Button, Card, Form, Input, Modal, Table } from 'antd';
import { useState } from 'react';
import { intake, must } from '../../api/client';
import { formatTime, usePolling, useSubmit } from '../../components/common';
import type { Unit } from '../../types';

export function UnitsPage() {
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ code: string; name: string }>();
  const { data, loading, reload } = usePolling(async () => (await must(intake.GET('/api/v1/units'))) as unknown as Unit[], [], 0);
  const { submit, busy, field } = useSubmit(async (v: { code: string; name: string }) => {
    await must(intake.POST('/api/v1/units', { body: v }));
    setOpen(false);
    form.resetFields();
    await reload();
  }, '单位已创建');
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
        scroll={{ x: 520 }}
        columns={[
          { title: '单位编码', dataIndex: 'code', width: 120 },
          { title: '单位名称', dataIndex: 'name' },
          { title: '创建时间', key: 'createdAt', width: 180, render: (_, u) => formatTime(u.createdAt) },
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
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
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
          <Form.Item
            label="单位名称"
            name="name"
            {...field('name')}
            rules={[
              { required: true, message: '请填写单位名称' },
              { max: 100, message: '不超过 100 个字' },
            ]}
          >
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
