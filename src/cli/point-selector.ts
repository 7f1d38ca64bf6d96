// Picking a point of a study from what the user typed, for `summary --compare A B`:
//   point=12                     the point with index 12
//   0.7071                       the grid value nearest 0.7071 of the study's only swept parameter
//   hiddenStd=1,outputStd=0.8165 the nearest grid point in every named parameter (all swept ones must be named)
// "Nearest" for positive numbers is the smallest |ln(value / grid value)| (grids like exp:-3:4:400 are geometric),
// otherwise the smallest |value - grid value|; categorical values (activation=tanh) must match exactly.
import { parameterNamed, suggestParameter } from '../config/index.js';
import { shortNumber } from '../text/format.js';
import type { ParamValue, PointSummary } from '../store/types.js';
import { UsageError } from './errors.js';

/** The parameter names that occur in the points' params, in first-seen order. */
export function paramNamesOfPoints(points: readonly { params: Record<string, ParamValue> }[]): string[] {
  const names = new Set<string>();
  for (const p of points) for (const name of Object.keys(p.params)) names.add(name);
  return [...names];
}

export function describeParams(params: Record<string, ParamValue>): string {
  // Integers exactly (epochs=1234567), other numbers as in the tables.
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? shortNumber(v) : v}`);
  return parts.length ? parts.join(', ') : 'no swept parameters';
}

function distance(wanted: number, grid: number): number {
  return wanted > 0 && grid > 0 ? Math.abs(Math.log(wanted / grid)) : Math.abs(wanted - grid);
}

export function selectPoint<P extends PointSummary>(option: string, raw: string, points: readonly P[]): P {
  const text = raw.trim();
  if (points.length === 0) throw new UsageError(`${option}: the study has no stored trials yet`);
  const byIndex = /^point=(\d+)$/i.exec(text);
  if (byIndex) {
    const index = Number(byIndex[1]);
    const found = points.find((p) => p.point === index);
    if (!found) throw new UsageError(`${option}: no point ${index} in this study (points ${points[0].point}..${points[points.length - 1].point})`);
    return found;
  }
  const swept = paramNamesOfPoints(points);
  const wanted = new Map<string, string>();
  for (const part of text.split(',').map((s) => s.trim())) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (text.includes(',') || swept.length !== 1) {
        const example = swept.length ? swept.map((n) => `${n}=<value>`).join(',') : 'point=<index>';
        throw new UsageError(`${option}: "${raw}" is ambiguous: this study sweeps ${swept.length ? swept.join(' and ') : 'no parameters'}; write ${example} or point=<index>`);
      }
      wanted.set(swept[0], part);
    } else {
      // A parameter is named as its key (hiddenStd) or its flag (hidden-std).
      const typed = part.slice(0, eq).trim();
      const name = parameterNamed(typed, swept);
      if (name === null) {
        throw new UsageError(`${option}: "${typed}" is not swept in this study${suggestParameter(typed, swept)} (swept: ${swept.join(', ') || 'none'}; or use point=<index>)`);
      }
      wanted.set(name, part.slice(eq + 1).trim());
    }
  }
  const missing = swept.filter((n) => !wanted.has(n));
  if (missing.length) throw new UsageError(`${option}: name every swept parameter (missing ${missing.join(', ')}), e.g. ${swept.map((n) => `${n}=<value>`).join(',')}`);

  let best: P | null = null;
  let bestScore = Infinity;
  for (const p of points) {
    let score = 0;
    for (const [name, value] of wanted) {
      const grid = p.params[name];
      if (typeof grid === 'number') {
        const x = value === '' ? NaN : Number(value);
        if (!Number.isFinite(x)) throw new UsageError(`${option}: ${name} takes numbers in this study, got "${value}"`);
        score += distance(x, grid);
      } else if (grid !== value) {
        score = Infinity;
        break;
      }
    }
    if (score < bestScore) {
      best = p;
      bestScore = score;
    }
  }
  if (!best) {
    const examples = swept.map((n) => `${n}: ${[...new Set(points.map((p) => String(p.params[n])))].slice(0, 8).join(', ')}`).join('; ');
    throw new UsageError(`${option}: no point matches "${raw}" (values here: ${examples})`);
  }
  return best;
}
