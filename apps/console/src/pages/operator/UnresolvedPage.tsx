import { Button, Card, DatePicker, Form, Input, Modal, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { intake, must, rectification } from '../../api/client';
import { CaseTable, OpenButton } from '../../components/CaseTable';
import { usePolling, useSubmit } from '../../components/common';
import { session } from '../../session';
import type { CaseView, Page } from '../../types';

interface ReportValues {
  matter: string;
  description: string;
  serviceItemCode?: string;
  name?: string;
  phone?: string;
  reportedAt: Dayjs;
}

/** My unit's 办不成事 reports (each opens a case), and the window's form to file one. */
export function UnresolvedPage() {
  const [paging, setPaging] = useState({ page: 1, pageSize: 20 });
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<ReportValues>();
  const unitCode = session.user?.unitCode ?? undefined;
  const { data, loading, reload } = usePolling(
    async () =>
      (await must(
        rectification.GET('/api/v1/cases', {
          params: { query: { unitCode, source: 'UNRESOLVED', page: paging.page, pageSize: paging.pageSize } },
        }),
      )) as unknown as Page<CaseView>,
    [paging.page, paging.pageSize],
  );
  const { submit, busy, field } = useSubmit(async (v: ReportValues) => {
    const citizen = v.name || v.phone ? { ...(v.name ? { name: v.name } : {}), ...(v.phone ? { phone: v.phone } : {}) } : undefined;
    await must(
      intake.POST('/api/v1/unresolved-reports', {
        body: {
          matter: v.matter,
          description: v.description,
          ...(v.serviceItemCode ? { serviceItemCode: v.serviceItemCode } : {}),
          ...(citizen ? { citizen } : {}),
          reportedAt: v.reportedAt.format(),
        } as never,
      }),
    );
    setOpen(false);
    form.resetFields();
    await reload();
  }, '已登记，案件将在数秒内生成');
  return (
    <Card
      title="办不成事"
      extra={
        <Button type="primary" onClick={() => setOpen(true)}>
          登记办不成事
        </Button>
      }
    >
      <CaseTable
        page={data}
        loading={loading}
        onPage={(page, pageSize) => setPaging({ page, pageSize })}
        actions={(c) => <OpenButton id={c.id} caseNumber={c.caseNumber} />}
      />
      <Modal
        title="登记办不成事"
        open={open}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText="提交"
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} initialValues={{ reportedAt: dayjs() }}>
          <Form.Item label="事项" name="matter" {...field('matter')} rules={[{ required: true, message: '请填写事项' }]}>
            <Input />
          </Form.Item>
          <Form.Item label="情况描述" name="description" {...field('description')} rules={[{ required: true, message: '请填写情况描述' }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item label="事项编码（可选）" name="serviceItemCode" {...field('serviceItemCode')}>
            <Input />
          </Form.Item>
          <Space.Compact block>
            <Form.Item label="群众姓名（可选）" name="name" {...field('name', 'citizen.name')} style={{ width: '50%' }}>
              <Input />
            </Form.Item>
            <Form.Item label="手机号（可选）" name="phone" {...field('phone', 'citizen.phone')} style={{ width: '50%' }}>
              <Input />
            </Form.Item>
          </Space.Compact>
          <Form.Item label="登记时间" name="reportedAt" {...field('reportedAt')} rules={[{ required: true, message: '请选择时间' }]}>
            <DatePicker showTime style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
