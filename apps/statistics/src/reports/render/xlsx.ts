/** `?format=xlsx`: a 汇总 sheet and a 单位排名 sheet; rates are numbers formatted `0.00%`. */
import type ExcelJS from 'exceljs';
import type { QuarterlyReport } from '../domain/report.js';
import { analysisRows, CATEGORY_HEADERS, HOTSPOT_HEADERS, periodTitle, summaryRows, UNIT_HEADERS } from './format.js';

export const PERCENT_FORMAT = '0.00%';
export const SUMMARY_SHEET = '汇总';
export const UNITS_SHEET = '单位排名';

function boldRow(row: ExcelJS.Row): void {
  row.font = { bold: true };
}

function addSummarySheet(workbook: ExcelJS.Workbook, report: QuarterlyReport): void {
  const sheet = workbook.addWorksheet(SUMMARY_SHEET);
  sheet.columns = [{ width: 28 }, { width: 40 }, { width: 12 }];
  const title = sheet.addRow([`${periodTitle(report.period)}政务服务“好差评”情况`]);
  title.font = { bold: true, size: 14 };
  boldRow(sheet.addRow(['指标', '数值']));
  for (const [label, value] of summaryRows(report)) {
    const row = sheet.addRow([label, typeof value === 'object' ? value.rate : value]);
    if (typeof value === 'object') row.getCell(2).numFmt = PERCENT_FORMAT;
    row.getCell(2).alignment = { horizontal: 'right' };
  }

  sheet.addRow([]);
  boldRow(sheet.addRow(['差评标签', '标签代码', '差评数']));
  for (const t of report.topBadTags) sheet.addRow([t.label, t.tag, t.count]);

  sheet.addRow([]);
  boldRow(sheet.addRow(['差评事项编码', '差评事项名称', '差评数']));
  for (const i of report.topBadServiceItems) sheet.addRow([i.serviceItemCode, i.serviceItemName, i.count]);

  if (report.analysis) {
    const analysis = analysisRows(report);
    sheet.addRow([]);
    boldRow(sheet.addRow([...CATEGORY_HEADERS]));
    for (const row of analysis.categories) sheet.addRow(row);
    sheet.addRow([]);
    boldRow(sheet.addRow([...HOTSPOT_HEADERS]));
    for (const row of analysis.hotspots) sheet.addRow(row);
  }
}

function addUnitsSheet(workbook: ExcelJS.Workbook, report: QuarterlyReport): void {
  const sheet = workbook.addWorksheet(UNITS_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = UNIT_HEADERS.map((header, i) => ({ header, width: i === 2 ? 32 : 14 }));
  boldRow(sheet.getRow(1));
  for (const u of report.units) {
    const row = sheet.addRow([u.rank, u.unitCode, u.unitName, u.total, u.good, u.bad, u.goodRate, u.timelyResponseRate]);
    row.getCell(7).numFmt = PERCENT_FORMAT;
    row.getCell(8).numFmt = PERCENT_FORMAT;
  }
}

export async function reportToXlsx(report: QuarterlyReport): Promise<Buffer> {
  // Loaded on the first export, not at start-up: exceljs is the largest module statistics loads (0.4 s of CPU).
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  workbook.creator = 'gov-review statistics';
  workbook.created = new Date(report.generatedAt);
  addSummarySheet(workbook, report);
  addUnitsSheet(workbook, report);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
