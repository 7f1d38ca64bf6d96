// Text for people and for files, shared by the charts, the report (study) and the CLI: numbers, aligned tables,
// CSV fields, and why a file operation failed. It lives in text, the leaf every layer may import.
import { printable } from './quote.js';

/** A number at full precision for machine-readable output (shortest round-trip form). */
export function numberText(x: number): string {
  return Number.isFinite(x) ? String(x) : x > 0 ? 'Infinity' : x < 0 ? '-Infinity' : 'NaN';
}

/** `digits` significant digits, trailing zeros dropped; exponent form when |x| is below `plain[0]` or at least
 * `plain[1]`. */
function significant(x: number, digits: number, plain: readonly [number, number]): string {
  if (!Number.isFinite(x)) return numberText(x);
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  if (magnitude < plain[0] || magnitude >= plain[1]) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(digits)));
}

// Two roundings on purpose, both through significant(): tables print 6 digits and keep plain notation over a
// wide range (columns of totals in the thousands), chart labels print 3 digits and switch to exponents sooner
// (they must stay short on a picture).

/** A number in a table for people: 6 significant digits (or `digits`), plain from 1e-4 to 1e9; null is '-'. */
export function shortNumber(x: number | null, digits = 6): string {
  return x === null ? '-' : significant(x, digits, [1e-4, 1e9]);
}

/** A number in a chart title or label: 3 significant digits (or `digits`), plain from 1e-3 to 1e5. */
export function short(x: number, digits = 3): string {
  return significant(x, digits, [1e-3, 1e5]);
}

/** A count with its noun, singular for one: `1 thread`, `12,000 trials` (never "1 threads"). */
export function counted(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : pluralNoun}`;
}

/** A p-value after its name: `= 0.0312`, `= 2.1e-45`, or `< 1e-300` where it is below what a double resolves (never "= 0"). */
export function pValueText(p: number): string {
  return p < 1e-300 ? '< 1e-300' : `= ${shortNumber(p, 3)}`;
}

export function percent(x: number, decimals = 1): string {
  return `${(100 * x).toFixed(decimals)}%`;
}

/** Right-aligned columns separated by two spaces (the first column left-aligned when `leftFirst`). A cell may hold
 * text from a database (a study or parameter name): its control characters are shown escaped (printable). */
export function alignedTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { leftFirst?: boolean } = {},
): string {
  const head = header.map((h) => printable(h));
  const body = rows.map((r) => r.map((c) => printable(c)));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 && options.leftFirst ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

/** One CSV field (RFC 4180 quoting). null and undefined are empty; numbers at full precision. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'number' ? numberText(value) : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}

/** Why a file could not be read or written, in a few words (`missing`: what ENOENT means for this operation). */
export function fileErrorReason(error: unknown, missing = 'no such file'): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOENT') return missing;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (error as Error | null)?.message ?? String(error);
}
