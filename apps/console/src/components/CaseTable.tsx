import { Badge, Button, Space, Table, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { HOTLINE_CATEGORY, SOURCE, TAG } from '../labels';
import type { CaseView, Page } from '../types';
import { Countdown, formatTime, StatusTag } from './common';

const OPEN_FOR_RESPONSE = new Set(['PENDING', 'ACCEPTED']);

/** The matter in a few words: the bad rating's tags and comment, the hotline's content, the 办不成事 matter. */
export function matterSummary(c: CaseView): string {
  const m = c.matter as { tags?: string[]; comment?: string | null; content?: string; matter?: string; category?: string | null };
  if (c.source === 'UNRESOLVED') return m.matter ?? '';
  if (c.source === 'HOTLINE') {
    const category = m.category ? HOTLINE_CATEGORY[m.category] : undefined;
    return [category, m.comment ?? m.content].filter(Boolean).join('：');
  }
  const tags = (m.tags ?? []).map((t) => TAG[t] ?? t).join('、');
  return [tags, m.comment].filter(Boolean).join('：');
}

/** A server-paged list of cases with the countdown to each case's next deadline. */
export function CaseTable({
  page,
  loading,
  onPage,
  showUnit,
  actions,
}: {
  page: Page<CaseView> | null;
  loading: boolean;
  onPage: (page: number, pageSize: number) => void;
  showUnit?: boolean;
  actions?: (c: CaseView) => ReactNode;
}) {
  return (
    <Table<CaseView>
      rowKey="id"
      size="middle"
      loading={loading && !page}
      dataSource={page?.items ?? []}
      scroll={{ x: 900 }}
      pagination={{
        current: page?.page ?? 1,
        pageSize: page?.pageSize ?? 20,
        total: page?.total ?? 0,
        showSizeChanger: true,
        pageSizeOptions: [20, 50, 100, 200],
        showTotal: (total) => `共 ${total} 件`,
        onChange: onPage,
      }}
      rowClassName={(c) => (c.overdue ? 'row-overdue' : '')}
      columns={[
        {
          title: '案件',
          key: 'id',
          width: 150,
          render: (_, c) => (
            <Space orientation="vertical" size={0}>
              <Link to={`/cases/${c.id}`} aria-label={`打开案件 ${c.caseNumber} ${matterSummary(c)}`}>
                {c.caseNumber}
              </Link>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {SOURCE[c.source] ?? '其他'}
              </Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                立案 {formatTime(c.openedAt)}
              </Typography.Text>
              {/* The actions sit under the number: on screen whatever the table's sideways scroll, at every width. */}
              {actions && <div style={{ marginTop: 4 }}>{actions(c)}</div>}
            </Space>
          ),
        },
        ...(showUnit ? [{ title: '单位', key: 'unit', width: 160, render: (_: unknown, c: CaseView) => c.unitName || c.unitCode }] : []),
        { title: '事项', key: 'matter', ellipsis: true, render: (_, c) => matterSummary(c) },
        {
          title: '状态',
          key: 'status',
          width: 150,
          render: (_, c) => (
            <Space size={4} wrap>
              <StatusTag status={c.status} />
              {c.overdue && <Tag color="red">超期</Tag>}
              {c.urgeCount > 0 && <Badge count={`督办${c.urgeCount}`} style={{ background: '#a8071a' }} />}
              {c.extension?.status === 'PENDING' && <Tag color="geekblue">延期待批</Tag>}
              {c.deadlineProvisional && (
                <Tag color="orange" title="期限所在年份的工作日历尚未确认，确认后可能调整">
                  期限暂定
                </Tag>
              )}
            </Space>
          ),
        },
        {
          title: '答复期限（1个工作日）',
          key: 'response',
          width: 170,
          render: (_, c) => <Countdown deadline={c.responseDueAt} done={!OPEN_FOR_RESPONSE.has(c.status) || c.status === 'CLOSED'} />,
        },
        {
          title: '整改期限（5个工作日）',
          key: 'rectify',
          width: 170,
          render: (_, c) => <Countdown deadline={c.rectifyDueAt} done={c.status === 'CLOSED' || c.status === 'RECTIFIED'} />,
        },
      ]}
    />
  );
}

/** 办理: one control (a button that opens the case), not a button inside a link. */
export function OpenButton({ id, caseNumber }: { id: string; caseNumber: string }) {
  const navigate = useNavigate();
  return (
    <Button size="small" aria-label={`办理案件 ${caseNumber}`} onClick={() => void navigate(`/cases/${id}`)}>
      办理
    </Button>
  );
}
