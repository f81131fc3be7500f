/** `?format=csv`: RFC 4180 CSV, UTF-8 with a BOM so that Excel opens the Chinese text. */
import { CSV_BOM, type CsvCell as Cell, csvLine } from '#libs/common';
import type { QuarterlyReport } from '../domain/report.js';
import { analysisRows, CATEGORY_HEADERS, formatPercent, HOTSPOT_HEADERS, summaryRows, UNIT_HEADERS, type SummaryValue } from './format.js';

/** A rate cell: `99.97%`, or empty when the rate is null. */
function percentCell(rate: number | null): Cell {
  return rate === null ? null : formatPercent(rate);
}

function summaryCell(value: SummaryValue): Cell {
  return typeof value === 'object' ? percentCell(value.rate) : value;
}

export function reportToCsv(report: QuarterlyReport): Buffer {
  const lines: string[] = [csvLine(['指标', '数值']), ...summaryRows(report).map(([label, value]) => csvLine([label, summaryCell(value)]))];

  lines.push('', csvLine([...UNIT_HEADERS]));
  for (const u of report.units) {
    lines.push(
      csvLine([u.rank, u.unitCode, u.unitName, u.total, u.good, u.bad, percentCell(u.goodRate), percentCell(u.timelyResponseRate)]),
    );
  }

  lines.push('', csvLine(['差评标签', '标签代码', '差评数']));
  for (const t of report.topBadTags) lines.push(csvLine([t.label, t.tag, t.count]));

  lines.push('', csvLine(['差评事项编码', '差评事项名称', '差评数']));
  for (const i of report.topBadServiceItems) lines.push(csvLine([i.serviceItemCode, i.serviceItemName, i.count]));

  if (report.analysis) {
    const analysis = analysisRows(report);
    lines.push('', csvLine([...CATEGORY_HEADERS]));
    for (const row of analysis.categories) lines.push(csvLine(row));
    lines.push('', csvLine([...HOTSPOT_HEADERS]));
    for (const row of analysis.hotspots) lines.push(csvLine(row));
  }

  return Buffer.concat([CSV_BOM, Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}
