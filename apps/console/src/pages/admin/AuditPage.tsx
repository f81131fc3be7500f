import { DownloadOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, DatePicker, Select, Space, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { download, intake, must } from '../../api/client';
import { formatTime, problemMessage, usePolling } from '../../components/common';
import { AUDIT, ROLE } from '../../labels';
import type { components, operations } from '../../api/intake';

type Entry = components['schemas']['AuditEntryDto'];
type Filter = NonNullable<operations['AuditController_list']['parameters']['query']>;

/**
 * Who acted, as a person reads it: a console account by its name and username; the system's own sweeps as 系统; a
 * token of another issuer (single sign-on), which has no account here, by its role.
 */
function actorOf(e: Entry): string {
  // Every console account has a display name: without one, the actor is no account of this console.
  if (e.actorDisplayName) return e.actorUsername ? `${e.actorDisplayName}（${e.actorUsername}）` : e.actorDisplayName;
  const name = e.actorName ?? e.actorUsername;
  if (name === 'system') return '系统';
  if (!name) return '—';
  // A failed sign-in names what was typed, an account or not: that is what the log is for.
  if (e.action === 'LOGIN_FAILED' || e.action === 'ACCOUNT_LOCKED') return `${name}（登录名）`;
  return e.actorRole ? `统一身份认证用户（${ROLE[e.actorRole] ?? '其他角色'}）` : '统一身份认证用户';
}

/** An Asia/Shanghai calendar day as the API takes it (the picker works in the console's own zone, which is Beijing's). */
const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

/**
 * The audit log of every admin action of the three services (logins, accounts, units, devices, clients, calendar,
 * imports, publishing, contact reveals with their reason): filtered by action and by Beijing days, and exported
 * with the same filter as CSV or Excel.
 */
export function AuditPage() {
  const { message } = AntApp.useApp();
  const [paging, setPaging] = useState({ page: 1, pageSize: 50 });
  const [action, setAction] = useState<Entry['action'] | undefined>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const filter: Filter = { action, from: day(range?.[0]), to: day(range?.[1]) };
  const { data, loading } = usePolling(
    async () =>
      (await must(
        intake.GET('/api/v1/audit', { params: { query: { ...filter, page: paging.page, pageSize: paging.pageSize } } }),
      )) as components['schemas']['AuditPageDto'],
    [paging.page, paging.pageSize, filter.action, filter.from, filter.to],
    15_000,
  );
  const exportAs = (format: 'csv' | 'xlsx') => () => {
    const query = new URLSearchParams({ format });
    for (const [key, value] of Object.entries(filter)) if (value) query.set(key, String(value));
    const span = filter.from || filter.to ? `（${filter.from ?? '最早'}至${filter.to ?? '今日'}）` : '';
    void download('intake', `/api/v1/audit?${query.toString()}`, `审计日志${span}.${format}`).catch(
      (err: unknown) => void message.error(problemMessage(err)),
    );
  };
  const firstPage = () => setPaging((p) => ({ ...p, page: 1 }));
  return (
    <Card title="审计日志">
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          aria-label="操作类型"
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder="全部操作"
          style={{ width: 200 }}
          value={action}
          onChange={(v) => {
            setAction(v);
            firstPage();
          }}
          options={Object.entries(AUDIT).map(([value, label]) => ({ value, label }))}
        />
        <DatePicker.RangePicker
          aria-label="日期范围"
          placeholder={['开始日期', '结束日期']}
          allowEmpty={[true, true]}
          value={range}
          onChange={(value) => {
            setRange(value);
            firstPage();
          }}
        />
        <Button icon={<DownloadOutlined />} onClick={exportAs('csv')}>
          导出 CSV
        </Button>
        <Button icon={<DownloadOutlined />} onClick={exportAs('xlsx')}>
          导出 Excel
        </Button>
      </Space>
      <Table<Entry>
        rowKey="id"
        size="small"
        loading={loading && !data}
        dataSource={data?.items ?? []}
        scroll={{ x: 900 }}
        pagination={{
          current: data?.page ?? 1,
          pageSize: data?.pageSize ?? 50,
          total: data?.total ?? 0,
          showTotal: (total) => `共 ${total} 条`,
          onChange: (page, pageSize) => setPaging({ page, pageSize }),
        }}
        columns={[
          { title: '时间', key: 'at', width: 160, render: (_, e) => formatTime(e.at) },
          {
            title: '操作',
            key: 'action',
            width: 150,
            render: (_, e) => (
              <Tag color={e.action.includes('FAIL') || e.action.includes('LOCK') ? 'red' : 'blue'}>{AUDIT[e.action] ?? e.action}</Tag>
            ),
          },
          {
            title: '操作人',
            key: 'actor',
            render: (_, e) => actorOf(e),
          },
          { title: '来源地址', key: 'ip', width: 140, render: (_, e) => e.ip ?? '—' },
          { title: '内容', key: 'summary', render: (_, e) => e.summary },
        ]}
      />
    </Card>
  );
}
