// The public 公开 pages as server-rendered HTML: one page per published quarter and an index. Pure
// functions of the public data (the same that the JSON twin answers), with everything inline: no
// scripts, no fonts or images from elsewhere; the chart is inline SVG with a text alternative and
// the same figures in a table.
import { PUBLIC_CASE_OUTCOME_LABELS, PUBLIC_CASE_SOURCE_LABELS } from '#libs/contracts';
import { unitGoodRateChart } from '../reports/render/charts.js';
import { escapeHtml } from '../reports/render/bulletin.js';
import { chineseDate, formatPercent } from '../reports/render/format.js';
import type { PublicQuarterDto, PublicQuarterListDto } from './dto/public.dto.js';

const QUARTER_NAMES = ['一', '二', '三', '四'] as const;
const SOURCE_LABELS: Record<string, string> = PUBLIC_CASE_SOURCE_LABELS;
const OUTCOME_LABELS: Record<string, string> = PUBLIC_CASE_OUTCOME_LABELS;

export function quarterTitle(year: number, quarter: number): string {
  return `${year}年第${QUARTER_NAMES[quarter - 1]}季度`;
}

/** `2026-09-30T07:12:00Z` → `2026年9月30日` (Asia/Shanghai). */
function shanghaiDate(instant: string): string {
  return chineseDate(new Date(instant).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }));
}

const STYLE = `
:root { color-scheme: light; --ink: #1a1f29; --muted: #4a5260; --line: #cfd6e0; --brand: #0b4f9c; --bg: #f6f8fb; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--ink); background: var(--bg); line-height: 1.6; font-size: 16px; }
a { color: var(--brand); }
a:focus-visible, .table-wrap:focus-visible { outline: 3px solid #e8a100; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
header.site { background: var(--brand); color: #fff; padding: 1rem 1.25rem; }
header.site p { margin: 0; font-size: .95rem; opacity: .95; }
header.site a { color: #fff; }
main { max-width: 1040px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; margin: 0; padding: 0; }
.cards div { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
.cards dt { color: var(--muted); font-size: .9rem; }
.cards dd { margin: 0; font-size: 1.6rem; font-weight: 700; }
figure { margin: 1rem 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .5rem; overflow-x: auto; }
figure svg { width: 100%; max-width: 900px; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .9rem; padding: .25rem .5rem; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; min-width: 560px; }
caption { text-align: left; padding: .5rem .75rem; color: var(--muted); }
th, td { padding: .45rem .75rem; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:nth-child(2), td:nth-child(2) { text-align: left; white-space: normal; }
thead th { background: #eef2f7; }
.examples { list-style: none; padding: 0; margin: 0; display: grid; gap: .75rem; }
.examples li { background: #fff; border: 1px solid var(--line); border-left: 5px solid #12805c; border-radius: 8px; padding: .75rem 1rem; }
.examples dl { margin: 0; display: grid; grid-template-columns: 6em 1fr; gap: .25rem .75rem; }
.examples dt { color: var(--muted); }
.examples dd { margin: 0; }
.none { color: var(--muted); }
ul.quarters { padding-left: 1.2rem; }
footer { max-width: 1040px; margin: 0 auto; padding: 0 1.25rem 2rem; color: var(--muted); font-size: .9rem; }
@media (max-width: 600px) { body { font-size: 15px; } h1 { font-size: 1.3rem; } .examples dl { grid-template-columns: 1fr; } .cards dd { font-size: 1.3rem; } }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">跳到正文</a>
<header class="site"><p><a href="/public">政务服务“好差评”结果公开</a></p></header>
<main id="main">
${body}
</main>
<footer><p>数据来源：政务服务“好差评”系统，按季度通报后公开，公开后数据不再变动。好评率＝好评数÷评价总数；差评及时答复率＝1个工作日内回访的差评数÷应答复差评数。评价人信息依法保密，不予公开。</p></footer>
</body>
</html>`;
}

export function renderPublicIndex(list: PublicQuarterListDto): string {
  const items = list.items.length
    ? `<ul class="quarters">${list.items
        .map(
          (q) =>
            `<li><a href="${escapeHtml(q.page)}">${quarterTitle(q.year, q.quarter)}政务服务“好差评”情况</a>（${shanghaiDate(q.publishedAt)}公开）</li>`,
        )
        .join('')}</ul>`
    : '<p class="none">暂无已公开的季度。</p>';
  return page(
    '政务服务“好差评”结果公开',
    `<h1>政务服务“好差评”结果公开</h1><p class="meta">各季度通报发布后，在此公开各单位评价结果和以评促改典型案例。</p><h2>已公开的季度</h2>${items}`,
  );
}

export function renderPublicQuarter(data: PublicQuarterDto): string {
  const { period, district } = data;
  const title = `${quarterTitle(period.year, period.quarter)}政务服务“好差评”情况公开`;
  const ranked = data.units;
  const best = ranked.find((u) => u.goodRate !== null);
  const chartAlt = `各单位好评率条形图，按排名从高到低排列，共 ${ranked.length} 个单位${best ? `，第一名${best.unitName}好评率 ${formatPercent(best.goodRate)}` : ''}。具体数值见下表。`;
  const rows = ranked
    .map(
      (u) =>
        `<tr><td>${u.rank}</td><td>${escapeHtml(u.unitName)}</td><td>${u.total}</td><td>${formatPercent(u.goodRate)}</td><td>${u.bad}</td><td>${formatPercent(u.timelyResponseRate)}</td></tr>`,
    )
    .join('');
  const examples = data.examples.length
    ? `<ul class="examples">${data.examples
        .map(
          (e) => `<li><h3>${escapeHtml(e.unitName)}</h3><dl>
<dt>反映事项</dt><dd>${escapeHtml(e.matter)}</dd>
<dt>整改措施</dt><dd>${escapeHtml(e.measures)}</dd>
<dt>来源</dt><dd>${SOURCE_LABELS[e.source] ?? '—'}</dd>
<dt>办理结果</dt><dd>${e.outcome ? (OUTCOME_LABELS[e.outcome] ?? '—') : '—'}</dd>
<dt>受理时间</dt><dd>${shanghaiDate(e.openedAt)}</dd>
<dt>办结时间</dt><dd>${shanghaiDate(e.closedAt)}</dd>
</dl></li>`,
        )
        .join('')}</ul>`
    : '<p class="none">本季度暂无公开的典型案例。</p>';
  const body = `<h1>${title}</h1>
<p class="meta">统计期间：${chineseDate(period.from)}至${chineseDate(period.to)}（北京时间）；${shanghaiDate(data.publishedAt)}公开</p>
<h2>全区总体情况</h2>
<dl class="cards">
<div><dt>评价总数</dt><dd>${district.total}</dd></div>
<div><dt>好评率</dt><dd>${formatPercent(district.goodRate)}</dd></div>
<div><dt>差评数</dt><dd>${district.bad}</dd></div>
<div><dt>差评及时答复率</dt><dd>${formatPercent(district.timelyResponseRate)}</dd></div>
<div><dt>差评整改率</dt><dd>${formatPercent(district.rectificationRate)}</dd></div>
</dl>
<h2>各单位评价结果</h2>
<figure><div role="img" aria-label="${escapeHtml(chartAlt)}">${unitGoodRateChart(ranked)}</div><figcaption>图：各单位好评率（按排名）</figcaption></figure>
<div class="table-wrap" tabindex="0" role="region" aria-label="各单位评价结果表（可左右滚动）"><table>
<caption>各单位好评率、差评数、差评及时答复率及排名</caption>
<thead><tr><th scope="col">排名</th><th scope="col">单位</th><th scope="col">评价数</th><th scope="col">好评率</th><th scope="col">差评数</th><th scope="col">差评及时答复率</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
<h2>以评促改典型案例</h2>
${examples}`;
  return page(title, body);
}

export function renderPublicNotFound(): string {
  return page(
    '未找到已公开的季度',
    '<h1>未找到已公开的季度</h1><p>该季度尚未公开，或地址有误。</p><p><a href="/public">查看已公开的季度</a></p>',
  );
}
