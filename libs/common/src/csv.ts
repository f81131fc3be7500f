/** CSV for downloads (the reports, the audit log): RFC 4180, safe to open in a spreadsheet. */

/** UTF-8 byte order mark, so that Excel opens the Chinese text of a CSV. */
export const CSV_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export type CsvCell = string | number | null;

/** Text a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is neutralised with a leading quote. */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvField(cell: CsvCell): string {
  if (cell === null) return '';
  const text = typeof cell === 'number' ? String(cell) : neutraliseFormula(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: CsvCell[]): string {
  return cells.map(csvField).join(',');
}
