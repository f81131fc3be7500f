/** `GET /reports/quarterly/bulletin`: a printable Chinese HTML 通报 with server-rendered SVG charts. */
import { CHINA_ZONE } from '#libs/common';
import { DateTime } from 'luxon';
import { isQuarterPeriod, LEVEL_KEYS, publisherName, type QuarterlyReport, type UnitCounts } from '../domain/report.js';
import { categoryChart, levelDistributionChart, monthlyTrendChart, unitGoodRateChart, type MonthlyPoint } from './charts.js';
import { CHANNEL_LABELS, chineseDate, formatPercent, LEVEL_LABELS, periodSpan, periodTitle } from './format.js';

export type { MonthlyPoint } from './charts.js';

/** A unit with bad-review cases still open at report time. */
export interface OpenProblem {
  unitName: string;
  open: number;
  overdue: number;
}

export interface BulletinExtras {
  /** One point per month of the period, in order. */
  monthly: MonthlyPoint[];
  /** Units with open cases; when absent, only the report's totals are stated. */
  openProblems?: OpenProblem[];
  /** Free-text paragraphs for the open-problems section (e.g. 督办 notes). */
  notes?: string[];
  /** 发文单位, shown above the title. */
  issuer?: string;
}

/** The units with open cases, most open first (then most overdue). */
export function openProblems(units: ReadonlyArray<Pick<UnitCounts, 'unitName' | 'open' | 'overdue'>>): OpenProblem[] {
  return units
    .filter((u) => u.open > 0)
    .map((u) => ({ unitName: u.unitName, open: u.open, overdue: u.overdue }))
    .sort((a, b) => b.open - a.open || b.overdue - a.overdue);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

export function bulletinTitle(report: QuarterlyReport): string {
  return `${periodTitle(report.period)}政务服务“好差评”情况通报`;
}

/** `+0.05 个百分点` style difference between two rates, or null when either is missing. */
function pointsChange(current: number | null, previous: number | null): string | null {
  if (current === null || previous === null) return null;
  const points = Math.round(Number(((current - previous) * 10_000).toPrecision(12))) / 100;
  if (points === 0) return '与上季度持平';
  return `较上季度${points > 0 ? '上升' : '下降'} ${Math.abs(points).toFixed(2)} 个百分点`;
}

/** The opening paragraph: totals and the three headline rates. */
export function headline(report: QuarterlyReport): string {
  const { reviews, badReviews: bad } = report;
  const scope = isQuarterPeriod(report.period) ? '本季度' : '本期';
  const channels = (Object.keys(CHANNEL_LABELS) as Array<keyof typeof CHANNEL_LABELS>)
    .map((c) => `${CHANNEL_LABELS[c]} ${reviews.byChannel[c] ?? 0} 件`)
    .join('、');
  const parts = [
    `${scope}共收到评价 ${reviews.total} 件，好评率 ${formatPercent(reviews.goodRate)}，差评及时答复率 ${formatPercent(bad.timelyResponseRate)}，差评整改率 ${formatPercent(bad.rectificationRate)}。`,
    `其中好评 ${reviews.good} 件、差评 ${reviews.bad} 件；${channels}。`,
  ];
  if (bad.appealsUpheld > 0) parts.push(`经申诉核实剔除差评 ${bad.appealsUpheld} 件，不计入统计。`);
  const previous = report.previousQuarter;
  if (previous && isQuarterPeriod(report.period)) {
    const change = pointsChange(reviews.goodRate, previous.goodRate);
    parts.push(
      `上季度共收到评价 ${previous.total} 件，好评率 ${formatPercent(previous.goodRate)}${change ? `，本季度好评率${change}` : ''}。`,
    );
  }
  parts.push(`“办不成事”反映窗口共受理 ${report.unresolvedReports.total} 件，已办结 ${report.unresolvedReports.closed} 件。`);
  return parts.join('');
}

function table(headers: string[], rows: string[][], className = ''): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.length
    ? rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')
    : `<tr><td colspan="${headers.length}" class="empty">无</td></tr>`;
  return `<table class="${className}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function figure(caption: string, svg: string): string {
  return `<figure class="chart">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function levelSlices(report: QuarterlyReport): Array<{ name: string; value: number }> {
  const leveled = LEVEL_KEYS.toReversed().map((level) => ({ name: LEVEL_LABELS[level], value: report.reviews.byLevel[level] }));
  const unleveled = report.reviews.total - leveled.reduce((sum, s) => sum + s.value, 0);
  return unleveled > 0 ? [...leveled, { name: '12345热线转办', value: unleveled }] : leveled;
}

/** 注: what the reader must know to read the figures right (e.g. deadlines on a provisional calendar). */
export function footnotes(report: QuarterlyReport): string[] {
  const notes: string[] = [];
  const provisional = report.badReviews.provisionalDeadlines ?? 0;
  if (provisional > 0) {
    notes.push(
      `本期有 ${provisional} 件差评的答复、整改期限涉及尚未发布或确认的年度节假日安排，暂按法定节假日（不含调休）计算；安排确认后期限将重新核定，差评及时答复率等数据随之更新。`,
    );
  }
  return notes;
}

function openProblemsSection(report: QuarterlyReport, extras: BulletinExtras): string {
  const { open, overdue } = report.badReviews;
  const parts = [`<p>截至通报生成时，${escapeHtml(periodTitle(report.period))}差评中尚未办结 ${open} 件，其中超期 ${overdue} 件。</p>`];
  if (extras.openProblems) {
    const rows = [...extras.openProblems]
      .sort((a, b) => b.overdue - a.overdue || b.open - a.open)
      .map((p) => [escapeHtml(p.unitName), String(p.open), String(p.overdue)]);
    parts.push(table(['单位名称', '未办结（件）', '其中超期（件）'], rows, 'narrow'));
  }
  for (const note of extras.notes ?? []) parts.push(`<p>${escapeHtml(note)}</p>`);
  return parts.join('\n');
}

/**
 * 问题分析: the sentence 本季度通过解决 N 个诉求带动破解 M 类问题 (N = cases covered by the classes solved in the period,
 * M = those classes), the classes opened, bad reviews by 问题分类 against the period before (table and chart), and the
 * hotspots. Null for a snapshot published before the analysis existed.
 */
export function analysisSection(report: QuarterlyReport): string | null {
  const a = report.analysis;
  if (!a) return null;
  const quarter = isQuarterPeriod(report.period);
  const scope = quarter ? '本季度' : '本期';
  const before = quarter ? '上季度' : '上期';
  const { opened, solved, casesCovered } = a.classes;
  const parts = [
    `<p class="analysis-headline">${escapeHtml(
      `${scope}通过解决 ${casesCovered} 个诉求带动破解 ${solved} 类问题。${scope}新立类问题 ${opened} 个，` +
        `对同类诉求归集分析、交办整改措施，各项措施经验收后视为破解。`,
    )}</p>`,
  ];
  const rows = a.byCategory.map((c, i) => [
    String(i + 1),
    escapeHtml(c.name),
    String(c.count),
    String(c.previous),
    c.count === c.previous ? '持平' : c.count > c.previous ? `增加 ${c.count - c.previous} 件` : `减少 ${c.previous - c.count} 件`,
  ]);
  parts.push(table(['序号', '问题分类', `${scope}差评（件）`, `${before}差评（件）`, '变化'], rows));
  if (a.byCategory.length > 0) {
    parts.push(figure('图4 差评问题分类对比', categoryChart(a.byCategory, { current: scope, previous: before })));
  }
  const hotspotRows = a.hotspots.map((h, i) => [
    String(i + 1),
    h.kind === 'SERVICE_ITEM' ? '办事事项' : '问题分类',
    escapeHtml(h.name ?? h.code),
    String(h.windowCount),
    h.baselineWeeklyMean.toFixed(1),
  ]);
  const window = a.hotspots[0] ? `（${chineseDate(a.hotspots[0].cases.from)}至${chineseDate(a.hotspots[0].cases.to)}）` : '';
  parts.push(`<p>${escapeHtml(`热点问题${window}：近7日差评数显著高于自身前8周水平的办事事项和问题分类。`)}</p>`);
  parts.push(table(['序号', '类型', '名称', '近7日差评（件）', '往常周均（件）'], hotspotRows));
  return parts.join('\n');
}

function notesSection(notes: string[]): string {
  if (!notes.length) return '';
  return `<section class="footnotes">\n${notes.map((n, i) => `<p>注${notes.length > 1 ? i + 1 : ''}：${escapeHtml(n)}</p>`).join('\n')}\n</section>`;
}

const PRINT_CSS = `
@page { size: A4; margin: 20mm 18mm 22mm; }
* { box-sizing: border-box; }
body { font-family: "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", serif; font-size: 15px; line-height: 1.75; color: #111; margin: 0; }
.bulletin { max-width: 174mm; margin: 0 auto; padding: 8mm 0; }
.issuer { text-align: center; color: #c00; font-size: 22px; font-weight: bold; letter-spacing: 2px; margin: 0; border-bottom: 2px solid #c00; padding-bottom: 6px; }
h1 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 22px; text-align: center; margin: 18px 0 4px; }
.period { text-align: center; margin: 0 0 16px; }
.published { text-align: center; margin: -8px 0 16px; font-size: 10.5pt; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 17px; margin: 18px 0 6px; break-after: avoid; page-break-after: avoid; }
p { text-indent: 2em; margin: 6px 0; }
table { width: 100%; border-collapse: collapse; margin: 8px 0; font-size: 13px; page-break-inside: auto; }
table.narrow { width: auto; min-width: 60%; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #444; padding: 3px 6px; text-align: center; }
td.empty { color: #666; }
figure.chart { margin: 10px 0; text-align: center; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: #333; }
footer { margin-top: 24px; text-align: right; font-size: 13px; color: #444; }
section.page-break { break-before: page; page-break-before: always; }
@media print { .bulletin { padding: 0; max-width: none; } }
`;

/** 已发布 with time and publisher for a published quarter's snapshot, and what has moved since; null for live figures. */
export function publicationStatus(report: QuarterlyReport): string | null {
  if (!report.published) return null;
  const at = DateTime.fromISO(report.published.at, { setZone: true }).setZone(CHINA_ZONE).toFormat('yyyy年M月d日 HH:mm');
  const parts = [`已发布：${at}，发布人 ${publisherName(report.published)}。本通报数据为发布时的固定数据。`];
  const change = report.changedSincePublished;
  if (change) parts.push(`发布后新增或变动的数据（评价 ${signed(change.reviews)} 件、差评 ${signed(change.bad)} 件）不改变本通报。`);
  return parts.join('');
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

export function renderBulletin(report: QuarterlyReport, extras: BulletinExtras): string {
  const title = bulletinTitle(report);
  const unitRows = report.units.map((u) => [
    String(u.rank),
    escapeHtml(u.unitName),
    String(u.total),
    String(u.good),
    String(u.bad),
    formatPercent(u.goodRate),
    formatPercent(u.timelyResponseRate),
  ]);
  const tagRows = report.topBadTags.map((t, i) => [String(i + 1), escapeHtml(t.label), String(t.count)]);
  const itemRows = report.topBadServiceItems.map((s, i) => [
    String(i + 1),
    escapeHtml(s.serviceItemName ?? s.serviceItemCode),
    escapeHtml(s.serviceItemCode),
    String(s.count),
  ]);
  const generated = DateTime.fromISO(report.generatedAt, { setZone: true }).setZone(CHINA_ZONE).toFormat('yyyy年M月d日 HH:mm');
  const status = publicationStatus(report);
  const analysis = analysisSection(report);
  const numbers = ['四', '五'];
  const next = () => numbers.shift()!;

  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${PRINT_CSS}</style>
</head>
<body>
<article class="bulletin">
<header>
${extras.issuer ? `<p class="issuer">${escapeHtml(extras.issuer)}</p>` : ''}
<h1>${escapeHtml(title)}</h1>
<p class="period">统计时段：${escapeHtml(periodSpan(report.period))}</p>
${status ? `<p class="published">${escapeHtml(status)}</p>` : ''}
</header>

<section>
<h2>一、总体情况</h2>
<p class="headline">${escapeHtml(headline(report))}</p>
${figure('图1 月度评价量及好评率', monthlyTrendChart(extras.monthly))}
${figure('图2 评价等级分布', levelDistributionChart(levelSlices(report)))}
</section>

<section>
<h2>二、各单位评价情况排名</h2>
<p>各单位按好评率由高到低排名，好评率相同的按评价量由多到少排名；本期无评价的单位列于最后。</p>
${table(['排名', '单位名称', '评价总数', '好评数', '差评数', '好评率', '差评及时答复率'], unitRows)}
${figure('图3 各单位好评率', unitGoodRateChart(report.units))}
</section>

<section>
<h2>三、差评反映的主要问题</h2>
${table(['序号', '差评标签', '差评数（件）'], tagRows, 'narrow')}
${table(['序号', '服务事项', '事项编码', '差评数（件）'], itemRows)}
</section>

${
  analysis
    ? `<section class="analysis">
<h2>${next()}、问题分析</h2>
${analysis}
</section>`
    : ''
}

<section>
<h2>${next()}、未办结问题</h2>
${openProblemsSection(report, extras)}
</section>

${notesSection(footnotes(report))}
<footer>生成时间：${escapeHtml(generated)}</footer>
</article>
</body>
</html>
`;
}
