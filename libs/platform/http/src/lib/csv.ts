/** Cells a spreadsheet would run as a formula (CSV injection): prefixed with ' so they stay text. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV line (RFC 4180, CRLF) of cells that are safe to open in a spreadsheet. */
export function csvLine(cells: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
