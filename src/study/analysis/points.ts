// Picking a point of a study from what the user typed, for `summary --compare A B`, the dashboard's compare and
// summarizeStudy's compare:
//   point=12                     the point with index 12
//   0.7071                       the grid value nearest 0.7071 of the study's only swept parameter
//   hiddenStd=1,outputStd=0.8165 the nearest grid point in every named parameter (all swept ones must be named)
// "Nearest" for positive numbers is the smallest |ln(value / grid value)| (grids like exp:-3:4:400 are geometric),
// otherwise the smallest |value - grid value|; categorical values (activation=tanh) must match exactly.
import { parameterNamed, suggestParameter } from '../../config/index.js';
import { shortNumber } from '../../text/format.js';
import type { ParamValue, PointSummary } from '../../store/types.js';
import { StudyError } from '../definition/types.js';
import { QUOTE_MAX, printable, quote } from '../../text/quote.js';

/** The parameter names that occur in the points' params, in first-seen order. */
export function paramNamesOfPoints(points: readonly { params: Record<string, ParamValue> }[]): string[] {
  const names = new Set<string>();
  for (const p of points) for (const name of Object.keys(p.params)) names.add(name);
  return [...names];
}

export function describeParams(params: Record<string, ParamValue>): string {
  // Integers exactly (epochs=1234567), other numbers as in the tables.
  // Names and values may come from a database: shown printable, a long one cut.
  const parts = Object.entries(params).map(
    ([k, v]) =>
      `${printable(k, QUOTE_MAX)}=${typeof v === 'number' && !Number.isInteger(v) ? shortNumber(v) : printable(String(v), QUOTE_MAX)}`,
  );
  return parts.length ? parts.join(', ') : 'no swept parameters';
}

function distance(wanted: number, grid: number): number {
  return wanted > 0 && grid > 0 ? Math.abs(Math.log(wanted / grid)) : Math.abs(wanted - grid);
}

/** The point chosen, and a warning when a value was outside the grid or far from the point's. */
interface Selection<P> {
  point: P;
  warning: string | null;
}

export function selectPoint<P extends PointSummary>(option: string, raw: string, points: readonly P[]): Selection<P> {
  const text = raw.trim();
  if (points.length === 0) throw new StudyError(`${option}: the study has no stored trials yet`);
  const byIndex = /^point=(\d+)$/i.exec(text);
  if (byIndex) {
    const index = Number(byIndex[1]);
    const found = points.find((p) => p.point === index);
    if (!found)
      throw new StudyError(
        `${option}: no point ${index} in this study (points ${points[0].point}..${points[points.length - 1].point})`,
      );
    return { point: found, warning: null };
  }
  const swept = paramNamesOfPoints(points);
  const wanted = new Map<string, string>();
  for (const part of text.split(',').map((s) => s.trim())) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (text.includes(',') || swept.length !== 1) {
        const example = swept.length ? swept.map((n) => `${n}=<value>`).join(',') : 'point=<index>';
        throw new StudyError(
          `${option}: ${quote(raw)} is ambiguous: this study sweeps ${swept.length ? swept.join(' and ') : 'no parameters'}; write ${example} or point=<index>`,
        );
      }
      wanted.set(swept[0], part);
    } else {
      // A parameter is named as its key (hiddenStd) or its flag (hidden-std).
      const typed = part.slice(0, eq).trim();
      const name = parameterNamed(typed, swept);
      if (name === null) {
        throw new StudyError(
          `${option}: ${quote(typed)} is not swept in this study${suggestParameter(typed, swept)} (swept: ${swept.join(', ') || 'none'}; or use point=<index>)`,
        );
      }
      wanted.set(name, part.slice(eq + 1).trim());
    }
  }
  const missing = swept.filter((n) => !wanted.has(n));
  if (missing.length)
    throw new StudyError(
      `${option}: name every swept parameter (missing ${missing.join(', ')}), e.g. ${swept.map((n) => `${n}=<value>`).join(',')}`,
    );

  let best: P | null = null;
  let bestScore = Infinity;
  for (const p of points) {
    let score = 0;
    for (const [name, value] of wanted) {
      const grid = p.params[name];
      if (typeof grid === 'number') {
        const x = value === '' ? NaN : Number(value);
        if (!Number.isFinite(x))
          throw new StudyError(`${option}: ${name} takes numbers in this study, got ${quote(value)}`);
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
    const examples = swept
      .map((n) => `${n}: ${[...new Set(points.map((p) => String(p.params[n])))].slice(0, 8).join(', ')}`)
      .join('; ');
    throw new StudyError(`${option}: no point matches ${quote(raw)} (values here: ${examples})`);
  }
  const chosen = best;
  const warnings = [...wanted].flatMap(([name, value]) => {
    const grid = chosen.params[name];
    return typeof grid === 'number' ? farFromGrid(option, name, Number(value), grid, points) : [];
  });
  return { point: chosen, warning: warnings.length ? warnings.join('; ') : null };
}

/** Farther than this from the nearest grid value (a factor on a log scale, else a share of the grid's range) is
 * worth a warning: the nearest point may not be what was meant. Grids of 40 or more points per factor e^7 (the
 * article's 400) never warn for a value inside them. */
const FAR_FACTOR = 1.1;
const FAR_SHARE = 0.05;

/** A warning when `wanted` lies outside the grid of `name` or far from the grid value that was chosen. */
export function farFromGrid(
  option: string,
  name: string,
  wanted: number,
  chosen: number,
  points: readonly PointSummary[],
): string[] {
  const values = points.map((p) => p.params[name]).filter((v): v is number => typeof v === 'number');
  const min = Math.min(...values);
  const max = Math.max(...values);
  const far =
    wanted > 0 && chosen > 0
      ? Math.abs(Math.log(wanted / chosen)) > Math.log(FAR_FACTOR)
      : Math.abs(wanted - chosen) > FAR_SHARE * (max - min);
  if (!far) return [];
  const where =
    wanted < min || wanted > max
      ? `lies outside the grid of ${name} (${shortNumber(min)} to ${shortNumber(max)})`
      : `is far from every grid value of ${name}`;
  return [
    `${option}: ${name}=${shortNumber(wanted)} ${where}; using the nearest point, ${name}=${shortNumber(chosen)}`,
  ];
}
