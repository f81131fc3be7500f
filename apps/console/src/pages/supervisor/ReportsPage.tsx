import { DownloadOutlined, FileTextOutlined, LockOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Popconfirm, Space, Typography } from 'antd';
import { useState } from 'react';
import { capabilities, download, must, send, statistics } from '../../api/client';
import { formatTime, problemMessage, usePolling } from '../../components/common';
import { previousQuarter, currentQuarter, QuarterPicker } from '../../components/QuarterPicker';

interface Published {
  year: number;
  quarter: number;
  publishedAt: string;
  publishedBy: string;
}

/** The quarterly 通报 and its exports (CSV, XLSX); publishing a quarter freezes its figures. */
export function ReportsPage() {
  const [q, setQ] = useState(() => previousQuarter(currentQuarter()));
  const [publishing, setPublishing] = useState(false);
  const { message } = AntApp.useApp();
  const query = `year=${q.year}&quarter=${q.quarter}`;
  const label = `${q.year}年第${'一二三四'[q.quarter - 1]}季度`;
  const name = `${label}好差评`;
  const get = (path: string, filename?: string) => () =>
    void download('statistics', path, filename).catch((err: unknown) => void message.error(problemMessage(err)));
  // Publishing (frozen quarters) is offered once the statistics service has it.
  const canPublish = capabilities.has('statistics', '/api/v1/reports/quarterly/publish');
  const published = usePolling(
    async () =>
      canPublish ? ((await must(statistics.GET('/api/v1/reports/quarterly/published'))) as unknown as { items: Published[] }).items : [],
    [],
    0,
  );
  const frozen = (published.data ?? []).find((p) => p.year === q.year && p.quarter === q.quarter);
  const current = currentQuarter();
  const ended = q.year < current.year || (q.year === current.year && q.quarter < current.quarter);
  const publish = async () => {
    setPublishing(true);
    try {
      await send('statistics', 'POST', `/api/v1/reports/quarterly/publish?${query}`);
      void message.success(`${label}通报已发布，数据已冻结`);
      await published.reload();
    } catch (err) {
      void message.error(problemMessage(err));
    } finally {
      setPublishing(false);
    }
  };
  return (
    <Card title="季度通报与导出" extra={<QuarterPicker value={q} onChange={setQ} />}>
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        <Typography.Paragraph>选择季度后，可查看打印版通报（含图表），或下载 CSV / Excel 报表。</Typography.Paragraph>
        {canPublish &&
          (frozen ? (
            <Alert
              type="success"
              showIcon
              icon={<LockOutlined />}
              title={`${label}已发布（数据已冻结）`}
              description={`发布于 ${formatTime(frozen.publishedAt)}。通报与导出均为发布时的数据；之后的迟到评价或裁定不再改变这些数字，只在报表中注明变化。`}
            />
          ) : (
            <Alert
              type={ended ? 'warning' : 'info'}
              showIcon
              title={ended ? `${label}尚未发布` : `${label}尚未结束，结束后方可发布`}
              description={ended ? '发布后该季度的数据冻结，作为正式通报口径。' : undefined}
            />
          ))}
        <Space wrap>
          <Button type="primary" icon={<FileTextOutlined />} onClick={get(`/api/v1/reports/quarterly/bulletin?${query}`)}>
            查看通报
          </Button>
          <Button icon={<DownloadOutlined />} onClick={get(`/api/v1/reports/quarterly?${query}&format=csv`, `${name}.csv`)}>
            下载 CSV
          </Button>
          <Button icon={<DownloadOutlined />} onClick={get(`/api/v1/reports/quarterly?${query}&format=xlsx`, `${name}.xlsx`)}>
            下载 Excel
          </Button>
        </Space>
        {canPublish && !frozen && ended && (
          <Popconfirm
            title={`发布后${label}的数据将冻结，不再变动。确认发布？`}
            okText="发布"
            cancelText="取消"
            onConfirm={() => void publish()}
          >
            <Button danger loading={publishing}>
              发布该季度通报
            </Button>
          </Popconfirm>
        )}
      </Space>
    </Card>
  );
}
