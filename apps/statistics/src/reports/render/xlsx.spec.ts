import ExcelJS from 'exceljs';
import { sampleReport } from './sample-report.fixture.js';
import { PERCENT_FORMAT, reportToXlsx, SUMMARY_SHEET, UNITS_SHEET } from './xlsx.js';

async function readBack(): Promise<ExcelJS.Workbook> {
  const buffer = await reportToXlsx(sampleReport());
  expect(buffer.subarray(0, 2).toString('latin1')).toBe('PK');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook;
}

function rowsOf(sheet: ExcelJS.Worksheet): Map<string, ExcelJS.Cell> {
  const byLabel = new Map<string, ExcelJS.Cell>();
  sheet.eachRow((row) => byLabel.set(row.getCell(1).text, row.getCell(2)));
  return byLabel;
}

describe('reportToXlsx', () => {
  let workbook: ExcelJS.Workbook;
  beforeAll(async () => {
    workbook = await readBack();
  });

  it('has the 汇总 and 单位排名 sheets, in that order', () => {
    expect(workbook.worksheets.map((s) => s.name)).toEqual([SUMMARY_SHEET, UNITS_SHEET]);
    expect([SUMMARY_SHEET, UNITS_SHEET]).toEqual(['汇总', '单位排名']);
  });

  it('writes summary counts as numbers and rates as numbers formatted 0.00%', () => {
    const summary = rowsOf(workbook.getWorksheet(SUMMARY_SHEET)!);
    expect(summary.get('评价总数')!.value).toBe(10010);
    expect(summary.get('差评数')!.value).toBe(4);
    expect(summary.get('好评率')!.value).toBe(10006 / 10010);
    expect(summary.get('好评率')!.numFmt).toBe(PERCENT_FORMAT);
    expect(summary.get('差评整改率')!.value).toBe(0.75);
    expect(summary.get('差评整改率')!.numFmt).toBe('0.00%');
    expect(summary.get('上季度好评率')!.value).toBe(0.99875);
    expect(summary.get('统计期间')!.value).toBe('2024年10月1日至2024年12月31日（北京时间）');
    expect(summary.get('办事效率低')!.value).toBe('EFFICIENCY');
  });

  it('writes one ranked row per unit, null rates as empty cells', () => {
    const sheet = workbook.getWorksheet(UNITS_SHEET)!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      '排名',
      '单位代码',
      '单位名称',
      '评价总数',
      '好评数',
      '差评数',
      '好评率',
      '差评及时答复率',
    ]);
    expect(sheet.getRow(2).values).toEqual([undefined, 1, 'CN-01', '市场监管局', 10000, 9997, 3, 0.9997, 1]);
    expect(sheet.getRow(2).getCell(7).numFmt).toBe('0.00%');
    expect(sheet.getRow(2).getCell(8).numFmt).toBe('0.00%');
    expect(sheet.getRow(3).getCell(3).value).toBe('人社局, "窗口"<script>alert(1)</script>');
    expect(sheet.getRow(4).getCell(3).value).toBe('=HYPERLINK("x")');
    expect(sheet.getRow(4).getCell(3).type).toBe(ExcelJS.ValueType.String);
    expect(sheet.getRow(4).getCell(7).value).toBeNull();
    expect(sheet.rowCount).toBe(4);
  });
});
