/**
 * Charts for the bulletin, rendered server-side to SVG strings with ECharts' SSR mode
 * (no DOM, no canvas). Text in the SVG is escaped by zrender.
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { formatPercent } from './format.js';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, SVGRenderer]);

export const CHART_WIDTH = 680;
const FONT_FAMILY = 'Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, SimSun, sans-serif';
const PERCENT_AXIS = { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } } as const;

/** Renders one option to an SVG string and frees the instance. */
export function renderSvg(option: echarts.EChartsCoreOption, height: number, width = CHART_WIDTH): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT_FAMILY }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const asPercent = (rate: number | null): number | null => (rate === null ? null : rate * 100);
const percentLabel = (p: { value: unknown }): string => (typeof p.value === 'number' ? formatPercent(p.value / 100) : '');

export interface MonthlyPoint {
  /** `YYYY-MM` (Shanghai). */
  month: string;
  total: number;
  goodRate: number | null;
}

/** Good rates sit near 100%: start the rate axis a little below the lowest month (whole percent, ≥ 0) so changes show. */
function trendFloor(monthly: readonly MonthlyPoint[]): number {
  const rates = monthly.flatMap((m) => (m.goodRate === null ? [] : [m.goodRate * 100]));
  return rates.length === 0 ? 0 : Math.max(0, Math.floor(Math.min(...rates)) - 1);
}

/** 47,170 → 50,000: an axis top a reader takes in at a glance. */
function roundUpNicely(value: number): number {
  if (value <= 10) return 10;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

/** Reviews per month (bars, left axis) and the good rate (line, right axis). */
export function monthlyTrendChart(monthly: readonly MonthlyPoint[]): string {
  return renderSvg(
    {
      legend: { top: 0, data: ['评价数', '好评率'] },
      grid: { left: 56, right: 64, top: 40, bottom: 36 },
      xAxis: { type: 'category', data: monthly.map((m) => m.month) },
      yAxis: [
        // Headroom above the bars so the rate line and its labels run clear of them.
        { type: 'value', name: '件', minInterval: 1, max: (extent: { max: number }) => roundUpNicely(extent.max * 1.6) },
        { ...PERCENT_AXIS, name: '好评率', min: trendFloor(monthly) },
      ],
      series: [
        { name: '评价数', type: 'bar', barMaxWidth: 40, data: monthly.map((m) => m.total), label: { show: true, position: 'insideTop' } },
        {
          name: '好评率',
          type: 'line',
          yAxisIndex: 1,
          connectNulls: false,
          data: monthly.map((m) => asPercent(m.goodRate)),
          label: { show: true, position: 'top', formatter: percentLabel },
        },
      ],
    },
    300,
  );
}

/** Share of each rating level (and of level-less hotline complaints). */
export function levelDistributionChart(slices: ReadonlyArray<{ name: string; value: number }>): string {
  return renderSvg(
    {
      legend: { orient: 'vertical', left: 0, top: 'middle' },
      series: [
        {
          type: 'pie',
          radius: ['35%', '65%'],
          center: ['60%', '50%'],
          data: slices.filter((s) => s.value > 0),
          minShowLabelAngle: 4,
          label: { formatter: '{b}\n{c}件（{d}%）', minMargin: 6 },
          labelLayout: { hideOverlap: true },
        },
      ],
    },
    300,
  );
}

/** Each unit's good rate as a horizontal bar, in ranking order (first on top). */
export function unitGoodRateChart(units: ReadonlyArray<{ unitName: string; goodRate: number | null }>): string {
  const height = Math.max(200, 60 + 26 * units.length);
  return renderSvg(
    {
      grid: { left: 8, right: 72, top: 16, bottom: 28, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      xAxis: PERCENT_AXIS,
      yAxis: { type: 'category', inverse: true, data: units.map((u) => u.unitName), axisLabel: { width: 200, overflow: 'truncate' } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 18,
          data: units.map((u) => asPercent(u.goodRate)),
          label: { show: true, position: 'right', formatter: percentLabel },
        },
      ],
    },
    height,
  );
}

/** Bad reviews by 问题分类: this period and the one before, side by side, the largest on top. */
export function categoryChart(
  categories: ReadonlyArray<{ name: string; count: number; previous: number }>,
  labels: { current: string; previous: string },
): string {
  const height = Math.max(200, 80 + 40 * categories.length);
  return renderSvg(
    {
      legend: { top: 0, data: [labels.current, labels.previous] },
      grid: { left: 8, right: 48, top: 36, bottom: 28, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      xAxis: { type: 'value', name: '件', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: categories.map((c) => c.name), axisLabel: { width: 200, overflow: 'truncate' } },
      series: [
        {
          name: labels.current,
          type: 'bar',
          barMaxWidth: 14,
          data: categories.map((c) => c.count),
          label: { show: true, position: 'right' },
        },
        {
          name: labels.previous,
          type: 'bar',
          barMaxWidth: 14,
          data: categories.map((c) => c.previous),
          label: { show: true, position: 'right' },
        },
      ],
    },
    height,
  );
}
