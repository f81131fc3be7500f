/** `?format=csv`: RFC 4180 CSV, UTF-8 with a BOM so that Excel opens the Chinese text. */
import type { QuarterlyReport } from '../domain/report.js';
import { formatPercent, summaryRows, UNIT_HEADERS, type SummaryValue } from './format.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

type Cell = string | number | null;

/** Text a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is neutralised with a leading quote. */
function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvField(cell: Cell): string {
  if (cell === null) return '';
  const text = typeof cell === 'number' ? String(cell) : neutralise(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(cells: Cell[]): string {
  return cells.map(csvField).join(',');
}

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

  return Buffer.concat([BOM, Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}
