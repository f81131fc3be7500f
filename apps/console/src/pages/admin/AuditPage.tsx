import { Card, Select, Table, Tabs, Tag } from 'antd';
import { useState } from 'react';
import { intake, must, rectification } from '../../api/client';
import { formatTime, usePolling } from '../../components/common';
import { AUDIT } from '../../labels';
import type { components } from '../../api/intake';
import type { Page } from '../../types';

type Entry = components['schemas']['AuditEntryDto'];

interface Reveal {
  id: string;
  caseId: string;
  unitCode: string;
  actor: string;
  actorRole: string;
  reason: string | null;
  fields: string[];
  at: string;
}

/** The audit log: logins and account changes (intake), reveals of reviewers' contacts (rectification). */
export function AuditPage() {
  return (
    <Card title="审计日志">
      <Tabs
        items={[
          { key: 'accounts', label: '登录与账号', children: <AccountAudit /> },
          { key: 'reveals', label: '查看评价人联系方式', children: <RevealAudit /> },
        ]}
      />
    </Card>
  );
}

function AccountAudit() {
  const [paging, setPaging] = useState({ page: 1, pageSize: 50 });
  const [action, setAction] = useState<Entry['action'] | undefined>();
  const { data, loading } = usePolling(
    // The JSON page (the same route answers CSV or XLSX with `format`).
    async () =>
      (await must(
        intake.GET('/api/v1/audit', { params: { query: { action, page: paging.page, pageSize: paging.pageSize } } }),
      )) as components['schemas']['AuditPageDto'],
    [paging.page, paging.pageSize, action],
    15_000,
  );
  return (
    <>
      <Select
        aria-label="操作类型"
        allowClear
        placeholder="全部操作"
        style={{ width: 200, marginBottom: 12 }}
        value={action}
        onChange={(v) => {
          setAction(v);
          setPaging((p) => ({ ...p, page: 1 }));
        }}
        options={Object.entries(AUDIT).map(([value, label]) => ({ value, label }))}
      />
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
            render: (_, e) =>
              e.actorDisplayName && e.actorUsername
                ? `${e.actorDisplayName}（${e.actorUsername}）`
                : (e.actorDisplayName ?? e.actorUsername ?? e.actorName ?? '—'),
          },
          { title: '来源地址', key: 'ip', width: 140, render: (_, e) => e.ip ?? '—' },
          { title: '内容', key: 'summary', render: (_, e) => e.summary },
        ]}
      />
    </>
  );
}

function RevealAudit() {
  const [paging, setPaging] = useState({ page: 1, pageSize: 50 });
  const { data, loading } = usePolling(
    async () =>
      (await must(
        rectification.GET('/api/v1/audit/contact-reveals', { params: { query: { page: paging.page, pageSize: paging.pageSize } } }),
      )) as unknown as Page<Reveal>,
    [paging.page, paging.pageSize],
    15_000,
  );
  return (
    <Table<Reveal>
      rowKey="id"
      size="small"
      loading={loading && !data}
      dataSource={data?.items ?? []}
      scroll={{ x: 800 }}
      pagination={{
        current: data?.page ?? 1,
        pageSize: data?.pageSize ?? 50,
        total: data?.total ?? 0,
        onChange: (page, pageSize) => setPaging({ page, pageSize }),
      }}
      columns={[
        { title: '时间', key: 'at', width: 160, render: (_, r) => formatTime(r.at) },
        { title: '单位', dataIndex: 'unitCode', width: 120 },
        { title: '案件', key: 'case', width: 110, render: (_, r) => r.caseId.slice(0, 8) },
        { title: '查看人', dataIndex: 'actor' },
        { title: '事由', key: 'reason', render: (_, r) => r.reason ?? <Tag>未填写</Tag> },
        {
          title: '字段',
          key: 'fields',
          width: 120,
          render: (_, r) => r.fields.map((f) => (f === 'phone' ? '电话' : f === 'name' ? '姓名' : f)).join('、'),
        },
      ]}
    />
  );
}
