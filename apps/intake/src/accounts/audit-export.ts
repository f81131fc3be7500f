import ExcelJS from 'exceljs';
import { CSV_BOM, csvLine, neutraliseFormula } from '#libs/common';
import { AUDIT_ACTION_LABELS, ROLE_LABELS } from '#libs/contracts';
import { shanghaiTime } from './audit-summary.js';
import type { AuditEntryDto } from './dto/accounts.dto.js';

export const AUDIT_EXPORT_HEADERS = ['时间', '操作', '操作人', '用户名', '角色', '内容', '记录服务', '来源地址'] as const;
export const AUDIT_SHEET = '审计日志';

const SERVICE_LABELS: Record<string, string> = { intake: '受理', rectification: '整改', statistics: '统计' };

/** One entry as the export's cells: times in Asia/Shanghai, codes in Chinese. */
export function auditExportRow(e: AuditEntryDto): string[] {
  return [
    shanghaiTime(e.at),
    AUDIT_ACTION_LABELS[e.action] ?? e.action,
    e.actorDisplayName ?? e.actorName ?? e.actorSub ?? '',
    e.actorUsername ?? '',
    e.actorRole ? (ROLE_LABELS[e.actorRole as keyof typeof ROLE_LABELS] ?? e.actorRole) : '',
    e.summary,
    SERVICE_LABELS[e.service] ?? e.service,
    e.ip ?? '',
  ];
}

/** `?format=csv`: RFC 4180, UTF-8 with a BOM; text a spreadsheet would run as a formula is neutralised. */
export function auditToCsv(entries: AuditEntryDto[]): Buffer {
  const lines = [csvLine([...AUDIT_EXPORT_HEADERS]), ...entries.map((e) => csvLine(auditExportRow(e)))];
  return Buffer.concat([CSV_BOM, Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}

/** `?format=xlsx`: one sheet, every cell a string (formula-like text neutralised as in the CSV). */
export async function auditToXlsx(entries: AuditEntryDto[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(AUDIT_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = AUDIT_EXPORT_HEADERS.map((header, i) => ({ header, width: i === 5 ? 60 : 16 }));
  sheet.getRow(1).font = { bold: true };
  for (const e of entries) sheet.addRow(auditExportRow(e).map(neutraliseFormula));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
