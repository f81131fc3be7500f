import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { must, rectification } from '../../api/client';
import { formatTime, problemMessage, usePolling } from '../../components/common';
import { CLASS_STATUS, ClassStatusTag, type ProblemClassSummary, useCategories, useNarrow, useUnitNames } from './names';

type Filter = 'OPEN' | 'SOLVED' | 'all';

/** 类问题 board (supervisor): the classes by status with their counts, each opening its page; a new one from cases. */
export function ClassesPage() {
  const navigate = useNavigate();
  const [filter, setFilter] = useState<Filter>('OPEN');
  const [categoryCode, setCategoryCode] = useState<string | undefined>();
  const [paging, setPaging] = useState({ page: 1, pageSize: 20 });
  const unitName = useUnitNames();
  const narrow = useNarrow();
  const categories = useCategories();
  const { data, error, loading } = usePolling(
    async () => {
      const count = async (status: 'OPEN' | 'SOLVED') =>
        (await must(rectification.GET('/api/v1/problem-classes', { params: { query: { status, categoryCode, pageSize: 1 } } }))).total;
      const [page, open, solved] = await Promise.all([
        must(
          rectification.GET('/api/v1/problem-classes', {
            params: {
              query: { ...(filter === 'all' ? {} : { status: filter }), categoryCode, page: paging.page, pageSize: paging.pageSize },
            },
          }),
        ),
        count('OPEN'),
        count('SOLVED'),
      ]);
      return { page, open, solved };
    },
    [filter, categoryCode, paging.page, paging.pageSize],
    30_000,
  );
  return (
    <Card
      title="类问题"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/classes/new')}>
          新建类问题
        </Button>
      }
    >
      <Space wrap style={{ marginBottom: 16, width: narrow ? '100%' : undefined }} orientation={narrow ? 'vertical' : 'horizontal'}>
        <Segmented<Filter>
          vertical={narrow}
          block={narrow}
          aria-label="按状态筛选"
          value={filter}
          onChange={(v) => {
            setFilter(v);
            setPaging((p) => ({ ...p, page: 1 }));
          }}
          options={[
            { label: `${CLASS_STATUS.OPEN}（${data?.open ?? '…'}）`, value: 'OPEN' },
            { label: `${CLASS_STATUS.SOLVED}（${data?.solved ?? '…'}）`, value: 'SOLVED' },
            { label: `全部（${data ? data.open + data.solved : '…'}）`, value: 'all' },
          ]}
        />
        <Select
          aria-label="问题分类"
          placeholder="全部问题分类"
          allowClear
          style={{ width: narrow ? '100%' : 220 }}
          value={categoryCode}
          onChange={(v?: string) => {
            setCategoryCode(v);
            setPaging((p) => ({ ...p, page: 1 }));
          }}
          options={categories.filter((c) => !c.parentCode).map((c) => ({ value: c.code, label: c.name }))}
        />
      </Space>
      {error ? <Alert type="error" showIcon title={problemMessage(error)} style={{ marginBottom: 16 }} /> : null}
      <Table<ProblemClassSummary>
        rowKey="id"
        size="middle"
        loading={loading && !data}
        dataSource={data?.page.items ?? []}
        locale={{ emptyText: '暂无类问题' }}
        pagination={{
          current: paging.page,
          pageSize: paging.pageSize,
          total: data?.page.total ?? 0,
          showTotal: (total) => `共 ${total} 个`,
          onChange: (page, pageSize) => setPaging({ page, pageSize }),
        }}
        columns={[
          {
            title: '类问题',
            key: 'title',
            render: (_, c) => (
              <Space orientation="vertical" size={0}>
                <Link to={`/classes/${c.id}`}>{c.title}</Link>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {c.categoryName}
                </Typography.Text>
                {narrow && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {c.unitCodes.map(unitName).join('、')}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          { title: '涉及单位', key: 'units', width: 220, responsive: ['sm'], render: (_, c) => c.unitCodes.map(unitName).join('、') },
          { title: '案件', dataIndex: 'caseCount', width: 70, responsive: ['md'] },
          {
            title: '整改措施',
            key: 'actions',
            width: 150,
            responsive: ['sm'],
            render: (_, c) => (
              <Space size={4} wrap>
                <span>{c.actionCount === 0 ? '未交办' : `已验收 ${c.actionsAccepted}/${c.actionCount}`}</span>
                {c.actionsOverdue > 0 && <Tag color="red">超期 {c.actionsOverdue}</Tag>}
              </Space>
            ),
          },
          { title: '状态', key: 'status', width: 90, render: (_, c) => <ClassStatusTag status={c.status} /> },
          {
            title: '建立 / 解决时间',
            key: 'time',
            width: 160,
            responsive: ['md'],
            render: (_, c) => (
              <Space orientation="vertical" size={0}>
                <span>{formatTime(c.openedAt)}</span>
                {c.solvedAt && <Typography.Text type="secondary">{formatTime(c.solvedAt)} 解决</Typography.Text>}
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
