// Numbers and times for the pages (the CLI's src/text/format.ts rules: 6 significant digits in tables).

export function num(x: number | null | undefined, digits = 6): string {
  if (x === null || x === undefined) return '–';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const m = Math.abs(x);
  if (m < 1e-4 || m >= 1e9) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(digits)));
}

export function int(x: number): string {
  return x.toLocaleString('en-US');
}

export function pct(x: number | null | undefined, decimals = 1): string {
  return x === null || x === undefined ? '–' : `${(100 * x).toFixed(decimals)}%`;
}

export function signedPct(x: number): string {
  return `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(2)}%`;
}

/** "12 s ago", "3 min ago", "2 h ago", else the date. */
export function ago(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return when(iso);
}

/** "2026-12-01 02:38" in the reader's time zone. */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

interface Swept {
  name: string;
  values: number | null;
  min?: number | string;
  max?: number | string;
}

export function describeSwept(swept: readonly Swept[]): string {
  if (swept.length === 0) return 'nothing swept';
  return swept
    .map((s) =>
      typeof s.min === 'number' && typeof s.max === 'number'
        ? `${s.name} ${num(s.min, 4)} … ${num(s.max, 4)} (${s.values})`
        : `${s.name} (${s.values ?? '?'} values)`,
    )
    .join(' × ');
}

export function describeParams(params: Record<string, number | string>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'number' ? num(v) : v}`);
  return parts.length ? parts.join(', ') : 'no swept parameters';
}
