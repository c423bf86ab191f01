import type { LoadResult } from './protocol.js';

/** Busy processes show 90–99% here, not 100%: below this share something other than their own work held them back. */
export const SATURATED_CORES = 0.85;

/** A plain-text table: the first `leftAlignedColumns` columns are text, the others numbers. */
export function renderColumns(header: readonly string[], rows: readonly (readonly string[])[], leftAlignedColumns: number): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < leftAlignedColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Responses that make the numbers meaningless, since a server answering errors fast is not fast; undefined when there were none. */
export function describeLoadErrors(label: string, load: LoadResult): string | undefined {
  if (load.errors === 0 && load.non2xx === 0) return undefined;
  const statuses = Object.entries(load.statusCounts)
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, count]) => `${count} × ${status}`);
  return `${label} ${load.errors} connection errors/timeouts, ${load.non2xx} non-2xx responses${statuses.length ? ` (${statuses.join(', ')})` : ''}`;
}

export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatRatio(value: number): string {
  return `${value.toFixed(2)}×`;
}

export function formatPercent(value: number): string {
  return `${Math.round(value * 100)}%`;
}
