import { DownloadOutlined, FileTextOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Popconfirm, Space, Typography } from 'antd';
import { useState } from 'react';
import { capabilities, download, send } from '../../api/client';
import { problemMessage } from '../../components/common';
import { previousQuarter, currentQuarter, QuarterPicker } from '../../components/QuarterPicker';

/** The quarterly 通报 and its exports (CSV, XLSX). */
export function ReportsPage() {
  const [q, setQ] = useState(() => previousQuarter(currentQuarter()));
  const { message } = AntApp.useApp();
  const query = `year=${q.year}&quarter=${q.quarter}`;
  const name = `${q.year}年第${'一二三四'[q.quarter - 1]}季度好差评`;
  const get = (path: string, filename?: string) => () =>
    void download('statistics', path, filename).catch((err: unknown) => void message.error(problemMessage(err)));
  // Publishing (frozen quarters) is offered once the statistics service has it.
  const canPublish = capabilities.has('statistics', '/api/v1/reports/quarterly/publish');
  const publish = async () => {
    try {
      await send('statistics', 'POST', `/api/v1/reports/quarterly/publish?${query}`);
      void message.success('已发布');
    } catch (err) {
      void message.error(problemMessage(err));
    }
  };
  return (
    <Card title="季度通报与导出" extra={<QuarterPicker value={q} onChange={setQ} />}>
      <Space orientation="vertical" size={16}>
        <Typography.Paragraph>选择季度后，可查看打印版通报（含图表），或下载 CSV / Excel 报表。</Typography.Paragraph>
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
        {canPublish && (
          <Popconfirm title="发布后该季度数据将冻结，不再变动。确认发布？" okText="发布" cancelText="取消" onConfirm={() => void publish()}>
            <Button danger>发布本季度通报</Button>
          </Popconfirm>
        )}
      </Space>
    </Card>
  );
}
