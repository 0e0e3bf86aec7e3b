/** Plain-text tables and number formatting for the bench report. */

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        // Text columns (the first, and free text) align left, numbers right.
        return i === 0 || !/^[-+\d.,x/ %]+[a-z]*$/i.test(cell) ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

export function rate(perSec: number): string {
  if (!Number.isFinite(perSec)) return '-';
  return Math.round(perSec).toLocaleString('en-US');
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= 1000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function mb(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '-';
}

export function ratio(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) && value > 0 ? `${value.toFixed(2)}x` : '-';
}
