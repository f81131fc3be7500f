import { CopyOutlined, DownloadOutlined, FileTextOutlined, LockOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Popconfirm, Space, Typography } from 'antd';
import { useState } from 'react';
import { capabilities, download, must, send, SERVICE_BASE, statistics } from '../../api/client';
import { formatTime, problemMessage, usePolling } from '../../components/common';
import { previousQuarter, currentQuarter, QuarterPicker } from '../../components/QuarterPicker';

interface Published {
  year: number;
  quarter: number;
  publishedAt: string;
  publishedBy: string;
  /** Absent from services that do not keep the publisher's name yet; null for quarters published before they did. */
  publishedByName?: string | null;
}

/** A shareable address of one quarter's bulletin: opens without signing in until `expiresAt`. */
interface BulletinLink {
  /** The query it was made for (year and quarter). */
  query: string;
  /** Absolute, on the console's origin (through its proxy to statistics). */
  url: string;
  expiresAt: string;
}

/** A link is used again while it has more than an hour to run. */
const REUSE_MARGIN_MS = 3_600_000;

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
  // The bulletin opens at a real address (reloadable, printable, shareable) once the statistics service makes links.
  const canLink = capabilities.has('statistics', '/api/v1/reports/quarterly/bulletin-links');
  const [link, setLink] = useState<BulletinLink | null>(null);
  const shareable = link && link.query === query && Date.parse(link.expiresAt) - Date.now() > REUSE_MARGIN_MS ? link : null;
  const ensureLink = async (): Promise<BulletinLink> => {
    if (shareable) return shareable;
    const made = (await send('statistics', 'POST', `/api/v1/reports/quarterly/bulletin-links?${query}`)) as {
      url: string;
      expiresAt: string;
    };
    const fresh = { query, url: `${location.origin}${SERVICE_BASE.statistics}${made.url}`, expiresAt: made.expiresAt };
    setLink(fresh);
    return fresh;
  };
  const openBulletin = () => {
    // Opened at once, while the click still counts as the person's (no popup blocker), then pointed at the link.
    const tab = window.open('', '_blank');
    ensureLink().then(
      (l) => {
        if (!tab) return void window.open(l.url, '_blank', 'noopener');
        tab.opener = null;
        tab.location.href = l.url;
      },
      (err: unknown) => {
        tab?.close();
        void message.error(problemMessage(err));
      },
    );
  };
  const copyLink = async () => {
    try {
      const l = await ensureLink();
      await navigator.clipboard.writeText(l.url);
      void message.success(`链接已复制，有效至 ${formatTime(l.expiresAt)}（北京时间）`);
    } catch (err) {
      void message.error(
        err instanceof Error && err.name === 'NotAllowedError' ? '浏览器不允许复制，请点“查看通报”后从地址栏复制链接' : problemMessage(err),
      );
    }
  };
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
              description={`发布于 ${formatTime(frozen.publishedAt)}，发布人 ${frozen.publishedByName ?? '—'}。通报与导出均为发布时的数据；之后的迟到评价或裁定不再改变这些数字，只在报表中注明变化。`}
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
          <Button
            type="primary"
            icon={<FileTextOutlined />}
            onClick={canLink ? openBulletin : get(`/api/v1/reports/quarterly/bulletin?${query}`)}
          >
            查看通报
          </Button>
          {canLink && (
            <Button icon={<CopyOutlined />} onClick={() => void copyLink()}>
              复制链接
            </Button>
          )}
          <Button icon={<DownloadOutlined />} onClick={get(`/api/v1/reports/quarterly?${query}&format=csv`, `${name}.csv`)}>
            下载 CSV
          </Button>
          <Button icon={<DownloadOutlined />} onClick={get(`/api/v1/reports/quarterly?${query}&format=xlsx`, `${name}.xlsx`)}>
            下载 Excel
          </Button>
        </Space>
        {canLink &&
          (shareable ? (
            <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
              通报链接有效至 {formatTime(shareable.expiresAt)}（北京时间）。收到链接的人不用登录即可查看和打印，请只发给需要的人。
            </Typography.Paragraph>
          ) : (
            <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
              通报链接自生成起 7 天内有效，收到链接的人不用登录即可查看和打印。
            </Typography.Paragraph>
          ))}
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
