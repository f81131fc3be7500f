import { Alert, Button, Card, Empty, Form, Input, Modal, Segmented, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { must, rectification } from '../../api/client';
import { problemMessage, usePolling, useSubmit } from '../../components/common';
import { ActionCard } from './ActionCard';
import { ACTION_STATUS, type ImprovementAction, useNarrow } from './names';

type Filter = 'todo' | 'REPORTED' | 'ACCEPTED' | 'all';

/** 整改措施 (unit operator): the improvement actions assigned to my unit, the nearest due first; each reported done with evidence. */
export function ActionsPage() {
  const [filter, setFilter] = useState<Filter>('todo');
  const [reporting, setReporting] = useState<ImprovementAction | null>(null);
  const narrow = useNarrow();
  const { data, error, reload } = usePolling(
    async () => (await must(rectification.GET('/api/v1/improvement-actions', { params: { query: { pageSize: 200 } } }))).items,
    [],
    30_000,
  );
  const shown = (data ?? []).filter((a) =>
    filter === 'all' ? true : filter === 'todo' ? a.status === 'ASSIGNED' || a.status === 'RETURNED' : a.status === filter,
  );
  const count = (f: Filter) =>
    (data ?? []).filter((a) => (f === 'todo' ? a.status === 'ASSIGNED' || a.status === 'RETURNED' : f === 'all' || a.status === f)).length;
  return (
    <Card title="本单位整改措施">
      <Segmented<Filter>
        vertical={narrow}
        block={narrow}
        style={{ marginBottom: 16 }}
        aria-label="按状态筛选"
        value={filter}
        onChange={setFilter}
        options={[
          { label: `待报送（${count('todo')}）`, value: 'todo' },
          { label: `${ACTION_STATUS.REPORTED}（${count('REPORTED')}）`, value: 'REPORTED' },
          { label: `${ACTION_STATUS.ACCEPTED}（${count('ACCEPTED')}）`, value: 'ACCEPTED' },
          { label: '全部', value: 'all' },
        ]}
      />
      {error ? (
        <Alert type="error" showIcon title={problemMessage(error)} />
      ) : !data ? (
        <Spin />
      ) : shown.length === 0 ? (
        <Empty description={filter === 'todo' ? '没有待报送的整改措施' : '没有整改措施'} />
      ) : (
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 440px), 1fr))', gap: 12 }}>
          {shown.map((a) => (
            <ActionCard
              key={a.id}
              action={a}
              title={
                <Link to={`/classes/${a.classId}`} style={{ whiteSpace: 'normal' }}>
                  {a.classTitle}
                </Link>
              }
            >
              <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 8 }}>
                问题分类：{a.categoryName}。{a.classDescription}
              </Typography.Paragraph>
              {a.steps.includes('report') && (
                <Button type="primary" onClick={() => setReporting(a)} aria-label={`报送完成：${a.classTitle}`}>
                  {a.status === 'RETURNED' ? '重新报送' : '报送完成'}
                </Button>
              )}
            </ActionCard>
          ))}
        </div>
      )}
      {reporting && <ReportDialog action={reporting} onClose={() => setReporting(null)} onDone={() => void reload()} />}
    </Card>
  );
}

interface Values {
  report: string;
  evidence: string;
}

function ReportDialog({ action, onClose, onDone }: { action: ImprovementAction; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<Values>();
  const { submit, busy, field } = useSubmit(async (values: Values) => {
    const evidence = values.evidence
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    await must(
      rectification.POST('/api/v1/problem-classes/{id}/actions/{actionId}/report', {
        params: { path: { id: action.classId, actionId: action.id } },
        body: { report: values.report, evidence },
      }),
    );
    onDone();
    onClose();
  }, '已报送，等待验收');
  return (
    <Modal
      open
      title="报送整改完成情况"
      okText="报送"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph style={{ marginBottom: 0 }}>
          <Typography.Text strong>整改措施：</Typography.Text>
          {action.action}
        </Typography.Paragraph>
        {action.status === 'RETURNED' && action.returnNote && <Alert type="warning" showIcon title={`退回原因：${action.returnNote}`} />}
        <Form<Values>
          form={form}
          layout="vertical"
          onFinish={(v) => void submit(v)}
          initialValues={{ report: action.report ?? '', evidence: action.evidence.join('\n') }}
        >
          <Form.Item
            label="完成情况"
            name="report"
            rules={[{ required: true, whitespace: true, message: '请填写完成情况' }]}
            {...field('report')}
          >
            <Input.TextArea rows={4} maxLength={2000} showCount placeholder="做了什么、何时起实行、效果如何" />
          </Form.Item>
          <Form.Item
            label="佐证材料"
            name="evidence"
            rules={[
              { required: true, whitespace: true, message: '请至少填写一项佐证材料' },
              {
                validator: async (_, value: string) => {
                  const lines = (value ?? '').split('\n').filter((l) => l.trim());
                  if (lines.length > 20) throw new Error('佐证材料最多 20 项');
                  if (lines.some((l) => l.trim().length > 500)) throw new Error('每项佐证材料不超过 500 字');
                },
              },
            ]}
            extra="每行一项：文件名称、照片说明或链接"
            {...field('evidence')}
          >
            <Input.TextArea rows={4} placeholder={'例如：\n窗口排班表（2026年12月）\nhttps://example.gov.cn/notice/123'} />
          </Form.Item>
        </Form>
      </Space>
    </Modal>
  );
}
