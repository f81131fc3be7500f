import { Alert, App as AntApp, Button, Card, DatePicker, Form, Input, Popconfirm, Select, Space, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { must, rectification } from '../../api/client';
import { problemMessage, usePolling, useSubmit } from '../../components/common';

interface Day {
  date: string;
  kind: 'HOLIDAY' | 'WORKDAY';
  name?: string | null;
  origin?: string;
}

const YEAR_STATUS: Record<string, { text: string; color: string }> = {
  CONFIRMED: { text: '已确认', color: 'green' },
  PUBLISHED: { text: '已公布（节假日数据包）', color: 'blue' },
  PROVISIONAL: { text: '暂定：按法定规则推算，未含调休', color: 'orange' },
  MISSING: { text: '缺失', color: 'red' },
};

interface CalendarYear {
  year: number;
  days: Day[];
  [key: string]: unknown;
}

/** The working-day calendar of a year: statutory holidays and 调休 make-up days; next year is added here once published. */
/** Where a day of the calendar came from, as an admin reads it. */
const ORIGIN: Record<string, string> = { admin: '管理员确认', seed: '国家公布', provisional: '按法定规则推算' };

export function CalendarPage() {
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const [draft, setDraft] = useState<Day[] | null>(null);
  const [form] = Form.useForm<{ date: Dayjs; kind: Day['kind']; name?: string }>();
  const { message } = AntApp.useApp();
  const { data, error, reload } = usePolling(
    async () => (await must(rectification.GET('/api/v1/calendar/{year}', { params: { path: { year } } }))) as unknown as CalendarYear,
    [year],
    0,
  );
  useEffect(() => setDraft(null), [year]);
  const days = draft ?? data?.days ?? [];
  const save = useSubmit(async () => {
    const result = (await must(
      rectification.PUT('/api/v1/calendar/{year}', {
        params: { path: { year } },
        body: { days: days.map((d) => ({ date: d.date, kind: d.kind, ...(d.name ? { name: d.name } : {}) })) },
      }),
    )) as unknown as { deadlinesChanged?: number };
    if (typeof result.deadlinesChanged === 'number') void message.info(`已重新计算 ${result.deadlinesChanged} 件未办结案件的期限`);
    setDraft(null);
    await reload();
  }, '工作日历已确认');
  const add = (v: { date: Dayjs; kind: Day['kind']; name?: string }) => {
    const date = v.date.format('YYYY-MM-DD');
    setDraft(
      [...days.filter((d) => d.date !== date), { date, kind: v.kind, name: v.name ?? null }].sort((a, b) => a.date.localeCompare(b.date)),
    );
    form.resetFields(['date', 'name']);
  };
  const status = typeof data?.status === 'string' ? data.status : null;
  const confirmed = status === null || status === 'CONFIRMED';
  return (
    <Card
      title="工作日历"
      extra={
        <Select
          aria-label="年份"
          value={year}
          onChange={setYear}
          style={{ width: 120 }}
          options={[thisYear - 1, thisYear, thisYear + 1, thisYear + 2].map((y) => ({ value: y, label: `${y}年` }))}
        />
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert
          type="info"
          showIcon
          title="周一至周五为工作日、周六周日休息，下表列出的日期除外（法定节假日、调休上班日）。国务院公布次年安排后，选择次年录入并保存。"
        />
        {error ? <Alert type="error" showIcon title={problemMessage(error)} /> : null}
        {status && (
          <Space wrap>
            <span>状态：</span>
            <Tag color={YEAR_STATUS[status]?.color ?? 'default'}>{YEAR_STATUS[status]?.text ?? status}</Tag>
            {!confirmed && <span>请核对后确认（确认后将重新计算相关未办结案件的期限）</span>}
          </Space>
        )}
        <Form form={form} layout="inline" onFinish={add} initialValues={{ kind: 'HOLIDAY' }}>
          <Form.Item name="date" rules={[{ required: true, message: '请选择日期' }]}>
            <DatePicker aria-label="日期" disabledDate={(d) => d.year() !== year} />
          </Form.Item>
          <Form.Item name="kind">
            <Select
              aria-label="类型"
              style={{ width: 140 }}
              options={[
                { value: 'HOLIDAY', label: '法定节假日' },
                { value: 'WORKDAY', label: '调休上班' },
              ]}
            />
          </Form.Item>
          <Form.Item name="name" rules={[{ max: 64, message: '不超过 64 个字' }]}>
            <Input placeholder="名称，如 国庆节" />
          </Form.Item>
          <Button htmlType="submit">添加</Button>
        </Form>
        <Table<Day>
          rowKey="date"
          size="small"
          dataSource={days}
          pagination={{ pageSize: 40 }}
          columns={[
            { title: '日期', dataIndex: 'date', width: 140 },
            {
              title: '类型',
              key: 'kind',
              width: 120,
              render: (_, d) => (d.kind === 'HOLIDAY' ? <Tag color="red">休</Tag> : <Tag color="blue">班</Tag>),
            },
            { title: '名称', key: 'name', render: (_, d) => d.name ?? '' },
            {
              title: '来源',
              key: 'origin',
              width: 120,
              render: (_, d) => (d.origin ? (ORIGIN[d.origin] ?? '其他') : draft ? '待保存' : ''),
            },
            {
              title: '',
              key: 'op',
              width: 80,
              render: (_, d) => (
                <Button size="small" type="link" onClick={() => setDraft(days.filter((x) => x.date !== d.date))}>
                  删除
                </Button>
              ),
            },
          ]}
        />
        <Space>
          <Popconfirm
            title={`用上表替换 ${year} 年的日历？`}
            okText="保存"
            cancelText="取消"
            onConfirm={() => void save.submit(undefined)}
            disabled={!draft}
          >
            <Button type="primary" disabled={!draft} loading={save.busy}>
              保存 {year} 年日历
            </Button>
          </Popconfirm>
          {draft && <Button onClick={() => setDraft(null)}>放弃修改</Button>}
        </Space>
      </Space>
    </Card>
  );
}
