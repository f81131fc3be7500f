/** Formatting shared by the CSV, XLSX and bulletin renderers. */
import { CHANNEL_LABELS as CHANNEL_NAMES, CHANNELS, type Channel, HOTLINE_CATEGORY_LABELS, RATING_LEVELS } from '#libs/contracts';
import {
  isQuarterPeriod,
  LEVEL_KEYS,
  type LevelKey,
  publisherName,
  type QuarterlyReport,
  type Rate,
  type ReportPeriod,
} from '../domain/report.js';

/**
 * A rate as a percentage with two decimals, `99.97%`; whole percentages drop the decimals
 * (`100%`, `0%`), as 通报 write them. `—` for a null rate (no denominator).
 * Rounds half up on the decimal value (toPrecision first, so 0.99965 gives 99.97%, not 99.96%).
 */
export function formatPercent(rate: Rate): string {
  if (rate === null) return '—';
  const hundredths = Math.round(Number((rate * 10_000).toPrecision(12)));
  const whole = hundredths % 100 === 0;
  return `${whole ? hundredths / 100 : (hundredths / 100).toFixed(2)}%`;
}

/** The names of the channels a report counts, from the one home of labels (libs/contracts/src/labels.ts). */
export const CHANNEL_LABELS = Object.fromEntries(CHANNELS.map((c) => [c, CHANNEL_NAMES[c]])) as Record<Channel, string>;

export const LEVEL_LABELS = Object.fromEntries(RATING_LEVELS.map((l) => [`${l.level}`, l.name])) as Record<LevelKey, string>;

const QUARTER_NAMES = ['一', '二', '三', '四'] as const;

/** `2024-10-01` → `2024年10月1日`. */
export function chineseDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return `${y}年${m}月${d}日`;
}

/** `2024年第四季度`, or `2024年1月1日至2024年11月30日` for a summary range. */
export function periodTitle(period: ReportPeriod): string {
  return isQuarterPeriod(period)
    ? `${period.year}年第${QUARTER_NAMES[period.quarter - 1]}季度`
    : `${chineseDate(period.from)}至${chineseDate(period.to)}`;
}

/** `2024年10月1日至2024年12月31日（北京时间）`. */
export function periodSpan(period: ReportPeriod): string {
  return `${chineseDate(period.from)}至${chineseDate(period.to)}（北京时间）`;
}

export const UNIT_HEADERS = ['排名', '单位代码', '单位名称', '评价总数', '好评数', '差评数', '好评率', '差评及时答复率'] as const;

/** One line of the summary block: a label and a text, a count, or a rate. */
export type SummaryValue = string | number | { rate: Rate };

export function summaryRows(report: QuarterlyReport): Array<[string, SummaryValue]> {
  const { reviews, badReviews: bad } = report;
  const rows: Array<[string, SummaryValue]> = [
    ['统计期间', periodSpan(report.period)],
    ['评价总数', reviews.total],
    ['好评数', reviews.good],
    ['差评数', reviews.bad],
    ['好评率', { rate: reviews.goodRate }],
    ...LEVEL_KEYS.toReversed().map((level): [string, SummaryValue] => [`${LEVEL_LABELS[level]}（${level}）`, reviews.byLevel[level]]),
    ...CHANNELS.map((channel): [string, SummaryValue] => [`渠道：${CHANNEL_LABELS[channel]}`, reviews.byChannel[channel] ?? 0]),
    ['差评应答复数', bad.due],
    ['差评按时答复数', bad.respondedOnTime],
    ['差评及时答复率', { rate: bad.timelyResponseRate }],
    ['差评已整改数', bad.rectified],
    ['差评整改率', { rate: bad.rectificationRate }],
    ['差评未办结数', bad.open],
    ['差评超期数', bad.overdue],
    ['申诉核实剔除差评数', bad.appealsUpheld],
    ['“办不成事”反映数', report.unresolvedReports.total],
    ['“办不成事”已办结数', report.unresolvedReports.closed],
  ];
  if (report.hotline) {
    const h = report.hotline;
    rows.push(
      ['12345转办总数', h.total],
      [`12345${HOTLINE_CATEGORY_LABELS.COMPLAINT}`, h.byCategory.COMPLAINT],
      [`12345${HOTLINE_CATEGORY_LABELS.REQUEST}`, h.byCategory.REQUEST],
      [`12345${HOTLINE_CATEGORY_LABELS.SUGGESTION}`, h.byCategory.SUGGESTION],
      [`12345${HOTLINE_CATEGORY_LABELS.CONSULTATION}`, h.byCategory.CONSULTATION],
      ['12345已办结数', h.closed],
      ['12345超期数', h.overdue],
    );
  }
  if (report.analysis) {
    const c = report.analysis.classes;
    rows.push(
      ['新建类问题数', c.opened],
      ['破解类问题数', c.solved],
      ['破解类问题涉及诉求数', c.casesCovered],
      ['热点问题数', report.analysis.hotspots.length],
    );
  }
  if (report.previousQuarter) {
    rows.push(['上季度评价总数', report.previousQuarter.total], ['上季度好评率', { rate: report.previousQuarter.goodRate }]);
  }
  rows.push(['生成时间', report.generatedAt]);
  if (report.published) rows.push(['发布状态', '已发布'], ['发布时间', report.published.at], ['发布人', publisherName(report.published)]);
  return rows;
}

export const CATEGORY_HEADERS = ['问题分类', '分类代码', '本期差评数', '上期差评数'] as const;
export const HOTSPOT_HEADERS = ['热点类型', '热点名称', '近7日差评数', '往常周均差评数'] as const;

/** The analysis section's tables as rows: bad reviews by category, and the hotspots. */
export function analysisRows(report: QuarterlyReport): {
  categories: Array<[string, string, number, number]>;
  hotspots: Array<[string, string, number, number]>;
} {
  const a = report.analysis;
  if (!a) return { categories: [], hotspots: [] };
  return {
    categories: a.byCategory.map((c) => [c.name, c.code, c.count, c.previous]),
    hotspots: a.hotspots.map((h) => [
      h.kind === 'SERVICE_ITEM' ? '办事事项' : '问题分类',
      h.name ?? h.code,
      h.windowCount,
      Math.round(h.baselineWeeklyMean * 10) / 10,
    ]),
  };
}
