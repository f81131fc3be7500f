import { csvField } from '#libs/common';
import { reportToCsv } from './csv.js';
import { sampleReport, sampleReportWithAnalysis } from './sample-report.fixture.js';

describe('reportToCsv', () => {
  const buffer = reportToCsv(sampleReport());
  const text = buffer.subarray(3).toString('utf8');
  const lines = text.split('\r\n');

  it('starts with the UTF-8 BOM and uses CRLF line ends', () => {
    expect([...buffer.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
  });

  it('writes the summary block with counts and two-decimal percentages', () => {
    expect(lines.slice(0, 6)).toEqual([
      '指标,数值',
      '统计期间,2024年10月1日至2024年12月31日（北京时间）',
      '评价总数,10010',
      '好评数,10006',
      '差评数,4',
      '好评率,99.96%',
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        '非常满意（5）,9999',
        '非常不满意（1）,1',
        '渠道：12345热线,2',
        '渠道：一网通办,0',
        '渠道：扫码评价,0',
        '渠道：短信邀评,0',
        '渠道：省级平台,0',
        '差评及时答复率,100%',
        '差评整改率,75%',
        '差评超期数,1',
        '申诉核实剔除差评数,1',
        '“办不成事”反映数,4',
        '上季度好评率,99.88%',
        '生成时间,2025-01-02T01:00:00.000Z',
      ]),
    );
  });

  it('writes the ranked unit table with Chinese headers, escaping and empty cells for null rates', () => {
    const header = lines.indexOf('排名,单位代码,单位名称,评价总数,好评数,差评数,好评率,差评及时答复率');
    expect(header).toBeGreaterThan(0);
    expect(lines[header - 1]).toBe('');
    expect(lines.slice(header + 1, header + 4)).toEqual([
      '1,CN-01,市场监管局,10000,9997,3,99.97%,100%',
      '2,CN-02,"人社局, ""窗口""<script>alert(1)</script>",10,9,1,90%,100%',
      `3,CN-03,"'=HYPERLINK(""x"")",0,0,0,,`,
    ]);
  });

  it('lists the top bad tags and service items', () => {
    expect(lines).toEqual(expect.arrayContaining(['差评标签,标签代码,差评数', '办事效率低,EFFICIENCY,3', '服务态度差,ATTITUDE,1']));
    expect(lines).toEqual(expect.arrayContaining(['差评事项编码,差评事项名称,差评数', '310105-XK-0001,食品经营许可,2']));
  });
});

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['+1', "'+1"],
    ['@x', "'@x"],
    [-3, '-3'],
    [null, ''],
  ])('%p → %p', (cell, field) => {
    expect(csvField(cell)).toBe(field);
  });
});

describe('reportToCsv: the analysis section', () => {
  it('adds the class counts to the summary and the category and hotspot tables at the end', () => {
    const lines = reportToCsv(sampleReportWithAnalysis()).subarray(3).toString('utf8').split('\r\n');
    expect(lines).toEqual(expect.arrayContaining(['新建类问题数,3', '破解类问题数,2', '破解类问题涉及诉求数,7', '热点问题数,1']));
    const at = lines.indexOf('问题分类,分类代码,本期差评数,上期差评数');
    expect(lines.slice(at, at + 7)).toEqual([
      '问题分类,分类代码,本期差评数,上期差评数',
      '办事效率与等候,EFFICIENCY,3,1',
      '服务态度,ATTITUDE,1,2',
      '',
      '热点类型,热点名称,近7日差评数,往常周均差评数',
      '办事事项,食品经营许可,5,0.3',
      '',
    ]);
  });
});
