import { buildReport, periodOfRange } from '../domain/report.js';
import { bulletinTitle, escapeHtml, footnotes, headline, publicationStatus, renderBulletin, type BulletinExtras } from './bulletin.js';
import { sampleReport, sampleReportWithAnalysis } from './sample-report.fixture.js';

const extras: BulletinExtras = {
  monthly: [
    { month: '2024-10', total: 3000, goodRate: 0.9995 },
    { month: '2024-11', total: 4000, goodRate: 0.9997 },
    { month: '2024-12', total: 3010, goodRate: null },
  ],
  openProblems: [
    { unitName: '人社局<b>', open: 1, overdue: 0 },
    { unitName: '市场监管局', open: 1, overdue: 1 },
  ],
  notes: ['请相关单位于1月10日前整改到位 & 报送情况。'],
  issuer: '某区政务服务管理办公室',
};

describe('renderBulletin', () => {
  const report = sampleReport();
  const html = renderBulletin(report, extras);

  it('titles the quarter in Chinese and states the period', () => {
    expect(bulletinTitle(report)).toBe('2024年第四季度政务服务“好差评”情况通报');
    expect(html).toContain('<title>2024年第四季度政务服务“好差评”情况通报</title>');
    expect(html).toContain('<h1>2024年第四季度政务服务“好差评”情况通报</h1>');
    expect(html).toContain('统计时段：2024年10月1日至2024年12月31日（北京时间）');
    expect(html).toContain('<p class="issuer">某区政务服务管理办公室</p>');
  });

  it('opens with the headline numbers', () => {
    expect(headline(report)).toBe(
      '本季度共收到评价 10010 件，好评率 99.96%，差评及时答复率 100%，差评整改率 75%。' +
        '其中好评 10006 件、差评 4 件；窗口评价器 10008 件、12345热线 2 件、一网通办 0 件、扫码评价 0 件、短信邀评 0 件、省级平台 0 件。' +
        '经申诉核实剔除差评 1 件，不计入统计。' +
        '上季度共收到评价 8000 件，好评率 99.88%，本季度好评率较上季度上升 0.09 个百分点。' +
        '“办不成事”反映窗口共受理 4 件，已办结 3 件。',
    );
    expect(html).toContain(`<p class="headline">${headline(report)}</p>`);
  });

  it('has the ranking table with percentages and — for a unit without reviews', () => {
    expect(html).toContain('<tr><td>1</td><td>市场监管局</td><td>10000</td><td>9997</td><td>3</td><td>99.97%</td><td>100%</td></tr>');
    expect(html).toContain('<tr><td>3</td><td>=HYPERLINK(&quot;x&quot;)</td><td>0</td><td>0</td><td>0</td><td>—</td><td>—</td></tr>');
    expect(html).toContain('<td>办事效率低</td><td>3</td>');
    expect(html).toContain('<td>食品经营许可</td><td>310105-XK-0001</td><td>2</td>');
  });

  it('escapes every user-provided string, in the HTML and inside the charts', () => {
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('人社局<b>');
    expect(html).toContain('人社局, &quot;窗口&quot;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<td>人社局&lt;b&gt;</td><td>1</td><td>0</td>');
    expect(html).toContain('请相关单位于1月10日前整改到位 &amp; 报送情况。');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('lists open problems, most overdue first', () => {
    expect(html).toContain('差评中尚未办结 1 件，其中超期 1 件');
    expect(html.indexOf('<td>市场监管局</td><td>1</td><td>1</td>')).toBeLessThan(html.indexOf('<td>人社局&lt;b&gt;</td>'));
  });

  it('inlines three server-rendered SVG charts: monthly trend, level distribution, unit good rates', () => {
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(3);
    const [trend, levels, units] = svgs as [string, string, string];
    expect(trend).toContain('2024-11');
    expect(trend).toContain('99.97%');
    expect(trend).toContain('评价数');
    expect(levels).toContain('非常满意');
    expect(levels).toContain('12345热线转办');
    expect(units).toContain('市场监管局');
    expect(units).toContain('90%');
    expect(['图1 月度评价量及好评率', '图2 评价等级分布', '图3 各单位好评率'].every((c) => html.includes(c))).toBe(true);
    // each chart has its own zrender id, so their CSS classes do not collide on one page
    const ids = svgs.map((s) => /class="(zr\d+)-cls/.exec(s)?.[1]);
    expect(new Set(ids).size).toBe(3);
  });

  it('is printable on A4 with page-break rules', () => {
    expect(html).toMatch(/@page \{ size: A4;/);
    expect(html).toContain('page-break-inside: avoid');
    expect(html).toContain('display: table-header-group');
  });

  it('renders an empty summary range without failing', () => {
    const empty = buildReport(
      { units: [], badTags: [], badServiceItems: [], unresolvedReports: { total: 0, closed: 0 } },
      periodOfRange('2024-01-01', '2024-11-30'),
      null,
      '2024-12-01T00:00:00Z',
    );
    const out = renderBulletin(empty, { monthly: [] });
    expect(out).toContain('<h1>2024年1月1日至2024年11月30日政务服务“好差评”情况通报</h1>');
    expect(out).toContain('本期共收到评价 0 件，好评率 —，差评及时答复率 —，差评整改率 —。');
    expect(out.match(/<svg/g)).toHaveLength(3);
    expect(out).toContain('<td colspan="7" class="empty">无</td>');
    expect(out).toContain('生成时间：2024年12月1日 08:00');
  });

  it('footnotes the bad reviews whose deadline rests on a provisional calendar day, and only when there are any', () => {
    expect(footnotes(report)).toEqual([]);
    expect(html).not.toContain('class="footnotes"');
    const provisional = { ...report, badReviews: { ...report.badReviews, provisionalDeadlines: 3 } };
    expect(footnotes(provisional)).toEqual([expect.stringContaining('本期有 3 件差评的答复、整改期限涉及尚未发布或确认的年度节假日安排')]);
    const out = renderBulletin(provisional, extras);
    expect(out).toContain('<section class="footnotes">\n<p>注：本期有 3 件差评');
    expect(out.indexOf('class="footnotes"')).toBeLessThan(out.indexOf('<footer>'));
  });
});

describe('renderBulletin: 问题分析', () => {
  it('says how many 诉求 solved how many 类问题, compares the categories with the quarter before in a table and a chart, and lists the hotspots', () => {
    const html = renderBulletin(sampleReportWithAnalysis(), extras);
    expect(html).toContain('<h2>四、问题分析</h2>');
    expect(html).toContain('<h2>五、未办结问题</h2>');
    expect(html).toContain('本季度通过解决 7 个诉求带动破解 2 类问题。本季度新立类问题 3 个');
    expect(html).toContain('<tr><td>1</td><td>办事效率与等候</td><td>3</td><td>1</td><td>增加 2 件</td></tr>');
    expect(html).toContain('<tr><td>2</td><td>服务态度</td><td>1</td><td>2</td><td>减少 1 件</td></tr>');
    expect(html).toContain('图4 差评问题分类对比');
    const analysis = html.slice(html.indexOf('四、问题分析'), html.indexOf('五、未办结问题'));
    expect(analysis).toContain('<svg');
    expect(analysis).toContain('热点问题（2024年12月25日至2024年12月31日）');
    expect(analysis).toContain('<td>办事事项</td><td>食品经营许可</td><td>5</td><td>0.3</td>');
    // No codes in what a reader sees.
    expect(analysis.replace(/<[^>]*>/g, '')).not.toMatch(/EFFICIENCY|ATTITUDE|SERVICE_ITEM|310105/);
  });

  it('keeps the old numbering for a snapshot published before the analysis existed', () => {
    const html = renderBulletin(sampleReport(), extras);
    expect(html).not.toContain('问题分析');
    expect(html).toContain('<h2>四、未办结问题</h2>');
  });

  it('names the publisher by the name kept at publication, and says — for a snapshot without one (never the id)', () => {
    const by = '7d3f5b1e-8a4c-4f0e-9b2d-1c6e8f0a2b3c';
    const at = '2025-01-03T02:30:00.000Z';
    expect(publicationStatus({ ...sampleReport(), published: { at, by, byName: '王督查' } })).toBe(
      '已发布：2025年1月3日 10:30，发布人 王督查。本通报数据为发布时的固定数据。',
    );
    for (const published of [
      { at, by },
      { at, by, byName: null },
    ]) {
      const html = renderBulletin({ ...sampleReport(), published }, extras);
      expect(html).toContain('发布人 —。');
      expect(html).not.toContain(by);
    }
  });
});
