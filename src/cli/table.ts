// Plain-text and CSV rendering of result tables, shared by summary, studies and export.

/** Right-aligned columns separated by two spaces (the first column left-aligned when `leftFirst`). */
export function alignedTable(header: readonly string[], rows: readonly (readonly string[])[], options: { leftFirst?: boolean } = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 && options.leftFirst ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One CSV field (RFC 4180 quoting). null and undefined are empty. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? numberText(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}

/** A number at full precision for machine-readable output (shortest round-trip form). */
export function numberText(x: number): string {
  return Number.isFinite(x) ? String(x) : x > 0 ? 'Infinity' : x < 0 ? '-Infinity' : 'NaN';
}

/** A number for people: `digits` significant digits, no exponent between 1e-4 and 1e9, trailing zeros dropped. */
export function shortNumber(x: number | null, digits = 6): string {
  if (x === null) return '-';
  if (!Number.isFinite(x)) return numberText(x);
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e9 || magnitude < 1e-4) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  const text = x.toPrecision(digits);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Fixed decimals for a column of like values (totals, stds). */
export function fixed(x: number | null, decimals: number): string {
  return x === null ? '-' : Number.isFinite(x) ? x.toFixed(decimals) : numberText(x);
}

export function percent(x: number, decimals = 1): string {
  return `${(100 * x).toFixed(decimals)}%`;
}
