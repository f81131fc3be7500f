import { Card, Col, Row, Statistic } from 'antd';
import { CHANNEL, percent } from '../labels';
import type { QuarterlyReport } from '../types';

/** The quarter's headline figures (API.md formulas, computed by statistics), and its reviews by channel. */
export function Figures({ report }: { report: QuarterlyReport }) {
  const prev = report.previousQuarter;
  const items = [
    { title: '评价总数', value: String(report.reviews.total), hint: `上季度 ${prev.total}` },
    { title: '好评率', value: percent(report.reviews.goodRate), hint: `上季度 ${percent(prev.goodRate)}` },
    {
      title: '差评及时答复率',
      value: percent(report.badReviews.timelyResponseRate),
      hint: `应答复 ${report.badReviews.due} 件，按时 ${report.badReviews.respondedOnTime} 件`,
    },
    {
      title: '差评整改率',
      value: percent(report.badReviews.rectificationRate),
      hint: `差评 ${report.badReviews.total} 件，已整改 ${report.badReviews.rectified} 件`,
    },
    {
      title: '未办结 / 超期',
      value: `${report.badReviews.open} / ${report.badReviews.overdue}`,
      hint: `申诉成立 ${report.badReviews.appealsUpheld} 件`,
    },
    { title: '办不成事', value: `${report.unresolvedReports.total}`, hint: `已办结 ${report.unresolvedReports.closed} 件` },
  ];
  // Every channel, in the order of its labels, 0 when none (a snapshot published before a channel existed lacks it).
  const channels = Object.entries(CHANNEL).map(([code, name]) => ({ code, name, count: report.reviews.byChannel[code] ?? 0 }));
  return (
    <>
      <Row gutter={[16, 16]}>
        {items.map((i) => (
          <Col key={i.title} xs={12} md={8} xl={4}>
            <Card size="small">
              <Statistic title={i.title} value={i.value} />
              <div style={{ color: '#666', fontSize: 12 }}>{i.hint}</div>
            </Card>
          </Col>
        ))}
      </Row>
      <Card size="small" title="评价渠道" style={{ marginTop: 16 }} aria-label="按渠道的评价数">
        <Row gutter={[16, 8]}>
          {channels.map((c) => (
            <Col key={c.code} xs={12} md={8} xl={4}>
              <Statistic title={c.name} value={c.count} suffix="件" />
            </Col>
          ))}
        </Row>
      </Card>
    </>
  );
}
