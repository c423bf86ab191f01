import { describe, expect, it } from 'vitest';
import { csvLine } from './csv.js';

/** One cell as csvLine writes it, without the line end. */
const csvCell = (value: string | number | undefined) => csvLine([value]).slice(0, -2);

describe('csvLine', () => {
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ])('[SE-3.2] makes %j inert for spreadsheets', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('[SE-3.2] quotes commas, quotes and line breaks and leaves plain text and empty values as they are', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
    // A number is data, never a formula: -5 stays -5.
    expect(csvCell(-5)).toBe('-5');
    expect(csvLine(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
  });
});
