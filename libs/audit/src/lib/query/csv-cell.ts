/** Cells a spreadsheet would run as a formula (CSV injection): = + - @ and a leading TAB or CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 CSV cell: text a spreadsheet would evaluate gets a leading apostrophe, and a cell
 * with a comma, quote or line break is quoted with its quotes doubled.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  const inert = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}
