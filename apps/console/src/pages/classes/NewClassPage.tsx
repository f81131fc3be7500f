import { Alert, Button, Card, Form, Input, Select, Space } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { must, rectification } from '../../api/client';
import { useSubmit } from '../../components/common';
import { CasePicker, categoryOptions, type PickedCase } from './CasePicker';
import { useCategories } from './names';

interface Values {
  title: string;
  categoryCode: string;
  description: string;
}

/** 新建类问题 (supervisor): cases of any unit chosen from the list, grouped under a title, a 问题分类 and what they share. */
export function NewClassPage() {
  const navigate = useNavigate();
  const categories = useCategories();
  const [cases, setCases] = useState<PickedCase[]>([]);
  const [form] = Form.useForm<Values>();
  const { submit, busy, field } = useSubmit(async (values: Values) => {
    const created = await must(rectification.POST('/api/v1/problem-classes', { body: { ...values, caseIds: cases.map((c) => c.id) } }));
    void navigate(`/classes/${created.id}`, { replace: true });
  }, '类问题已建立');
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      <Card title="新建类问题" extra={<Button onClick={() => void navigate('/classes')}>返回类问题</Button>}>
        <Form<Values> form={form} layout="vertical" onFinish={(v) => void submit(v)} style={{ maxWidth: 720 }}>
          <Form.Item label="标题" name="title" rules={[{ required: true, whitespace: true, message: '请填写标题' }]} {...field('title')}>
            <Input maxLength={100} showCount placeholder="例如：多个窗口周一上午排队等候时间长" />
          </Form.Item>
          <Form.Item
            label="问题分类"
            name="categoryCode"
            rules={[{ required: true, message: '请选择问题分类' }]}
            {...field('categoryCode')}
          >
            <Select
              aria-label="问题分类"
              showSearch={{ optionFilterProp: 'label' }}
              placeholder="选择问题分类"
              options={categoryOptions(categories)}
            />
          </Form.Item>
          <Form.Item
            label="问题描述"
            name="description"
            rules={[{ required: true, whitespace: true, message: '请填写问题描述' }]}
            {...field('description')}
          >
            <Input.TextArea rows={3} maxLength={2000} showCount placeholder="这些案件反映的共同问题，供承办单位整改时参考" />
          </Form.Item>
          {cases.length === 0 && (
            <Alert type="info" showIcon title="请在下方案件列表中勾选要归入本类问题的案件" style={{ marginBottom: 16 }} />
          )}
          {cases.length > 0 && (
            <Alert
              type="success"
              showIcon
              style={{ marginBottom: 16 }}
              title={`已选 ${cases.length} 件案件，涉及 ${[...new Set(cases.map((c) => c.unitName))].join('、')}`}
            />
          )}
          <Button type="primary" htmlType="submit" loading={busy} disabled={cases.length === 0}>
            建立类问题
          </Button>
        </Form>
      </Card>
      <Card title="选择案件">
        <CasePicker categories={categories} selected={cases} onChange={setCases} />
      </Card>
    </Space>
  );
}
