import { periodOfQuarter, periodOfRange } from '../domain/report.js';
import { chineseDate, formatPercent, periodSpan, periodTitle } from './format.js';

describe('formatPercent', () => {
  it.each([
    [0.9997, '99.97%'],
    [2 / 3, '66.67%'],
    [0.001, '0.10%'],
    [0.99965, '99.97%'],
    [0.123449, '12.34%'],
    [1, '100%'],
    [0.5, '50%'],
    [0, '0%'],
    [null, '—'],
  ])('%p → %s', (rate, text) => {
    expect(formatPercent(rate)).toBe(text);
  });
});

describe('period labels', () => {
  it('names quarters and ranges in Chinese', () => {
    expect(periodTitle(periodOfQuarter(2024, 4))).toBe('2024年第四季度');
    expect(periodTitle(periodOfQuarter(2025, 1))).toBe('2025年第一季度');
    expect(periodTitle(periodOfRange('2024-01-01', '2024-11-30'))).toBe('2024年1月1日至2024年11月30日');
    expect(periodSpan(periodOfQuarter(2024, 4))).toBe('2024年10月1日至2024年12月31日（北京时间）');
    expect(chineseDate('2024-02-09')).toBe('2024年2月9日');
  });
});
