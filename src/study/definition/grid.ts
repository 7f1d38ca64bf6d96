// Grids of values for a swept parameter: an explicit list, or lin:a:b:n, log:a:b:n (10^linspace), exp:a:b:n
// (e^linspace, the article's exp:-3:4:400). linspace is computed as numpy does (a + i*step, last value = b
// exactly), so the article's grid is reproduced bit for bit.
import { SWEEPABLE, type ParamValue } from './params.js';
import { XorlabError } from '../../text/errors.js';
import { quote } from '../../text/quote.js';

/** The most values one grid, and the most points one study, may have. */
export const MAX_GRID_POINTS = 1_000_000;
export const GRID_HELP = 'a list like 0.5,1,2, or lin:a:b:n, log:a:b:n (10^linspace), exp:a:b:n (e^linspace)';

export class GridError extends XorlabError {}

export interface Grid {
  /** The canonical form stored in the definition: "exp:-3:4:400", or the explicit list of values. */
  spec: string | ParamValue[];
  values: ParamValue[];
}

/** numpy.linspace(a, b, n) with its endpoint. */
export function linspace(a: number, b: number, n: number): number[] {
  if (n === 1) return [a];
  const step = (b - a) / (n - 1);
  const out = Array.from({ length: n }, (_, i) => i * step + a);
  out[n - 1] = b;
  return out;
}

const GENERATORS = {
  lin: (x: number) => x,
  log: (x: number) => 10 ** x,
  exp: (x: number) => Math.exp(x),
} as const;

function finiteNumber(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** Parses the grid of `param` from a CLI string or a JSON value. Throws GridError naming what is wrong. */
export function parseGrid(param: string, raw: unknown): Grid {
  const spec = SWEEPABLE[param];
  if (!spec) throw new GridError(`cannot sweep ${quote(param)}`);
  const where = `grid of ${param}`;

  if (typeof raw === 'string' && /^\s*[a-z]+:/i.test(raw)) {
    const parts = raw.trim().split(':');
    const kind = parts[0].toLowerCase();
    if (!(kind in GENERATORS)) throw new GridError(`${where}: unknown grid ${quote(raw)}; use ${GRID_HELP}`);
    if (spec.kind !== 'numeric') throw new GridError(`${where}: ${param} takes a list of names, not ${quote(raw)}`);
    if (parts.length !== 4) throw new GridError(`${where}: ${quote(raw)} must be ${kind}:a:b:n (start, stop, count)`);
    const [a, b, n] = parts.slice(1).map(finiteNumber);
    if (a === null || b === null)
      throw new GridError(`${where}: ${quote(raw)} needs numbers for a and b in ${kind}:a:b:n`);
    if (n === null || !Number.isInteger(n) || n < 1 || n > MAX_GRID_POINTS) {
      throw new GridError(`${where}: the count n in ${quote(raw)} must be an integer from 1 to ${MAX_GRID_POINTS}`);
    }
    if (a === b && n > 1)
      throw new GridError(`${where}: ${quote(raw)} repeats one value ${n} times; use a < b or n = 1`);
    const f = GENERATORS[kind as keyof typeof GENERATORS];
    let values = linspace(a, b, n).map(f);
    if (values.some((v) => !Number.isFinite(v)))
      throw new GridError(`${where}: ${quote(raw)} gives values too large for a number`);
    if (spec.integer) values = values.map((v) => Math.round(v));
    checkDistinct(where, values, spec.integer ? ` (${param} takes integers: the rounded grid repeats values)` : '');
    return { spec: `${kind}:${a}:${b}:${n}`, values };
  }

  const items: unknown[] = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : [];
  if (typeof raw !== 'string' && !Array.isArray(raw)) {
    throw new GridError(`${where} must be ${GRID_HELP} (or a JSON array)`);
  }
  if (items.length === 0 || (items.length === 1 && String(items[0]).trim() === '')) {
    throw new GridError(`${where} is empty; use ${GRID_HELP}`);
  }
  if (items.length > MAX_GRID_POINTS) throw new GridError(`${where} has more than ${MAX_GRID_POINTS} values`);
  let values: ParamValue[];
  if (spec.kind === 'numeric') {
    values = items.map((item) => {
      const v =
        typeof item === 'number'
          ? Number.isFinite(item)
            ? item
            : null
          : typeof item === 'string'
            ? finiteNumber(item)
            : null;
      if (v === null) throw new GridError(`${where}: ${quote(String(item).trim())} is not a number; use ${GRID_HELP}`);
      if (spec.integer && !Number.isInteger(v)) throw new GridError(`${where}: ${param} takes integers, got ${v}`);
      return v;
    });
  } else {
    values = items.map((item) => {
      const v = typeof item === 'string' ? item.trim() : '';
      if (v === '') throw new GridError(`${where}: ${quote(item)} is not a name`);
      if (spec.choices && !spec.choices.includes(v))
        throw new GridError(`${where}: ${quote(v)} is not one of ${spec.choices.join(', ')}`);
      return v;
    });
  }
  checkDistinct(where, values, '');
  return { spec: values, values };
}

function checkDistinct(where: string, values: ParamValue[], hint: string): void {
  const seen = new Set<ParamValue>();
  for (const v of values) {
    if (seen.has(v)) throw new GridError(`${where}: the value ${v} appears twice${hint}`);
    seen.add(v);
  }
}
