// A stored study as one line of a listing (`xorlab studies`, the dashboard): its counts, its swept parameters with
// their ranges, and the trials its definition plans. Read from the stored definition only: O(1) per study.
import type { ParamValue, StudyRecord } from '../../store/types.js';
import { GridError, parseGrid } from '../definition/grid.js';

/** A stored definition's sweep: parameter -> grid spec, in axis order; null when the definition has none. */
export function storedSweep(definition: unknown): Record<string, unknown> | null {
  const sweep = (definition as { sweep?: unknown } | null)?.sweep;
  return sweep && typeof sweep === 'object' && !Array.isArray(sweep) ? (sweep as Record<string, unknown>) : null;
}

interface SweptParameter {
  name: string;
  /** Distinct grid values; null: a grid this version cannot read. */
  values: number | null;
  min?: ParamValue;
  max?: ParamValue;
}

export interface StudyLine {
  name: string;
  points: number;
  trials: number;
  swept: SweptParameter[];
  createdAt: string;
  /** Why the study cannot be read (its stored definition is damaged); absent when it can. */
  error?: string;
}

/** Swept parameters with their number of distinct grid values and range, from the stored definition's grids. */
function sweptOf(definition: unknown): SweptParameter[] {
  return Object.entries(storedSweep(definition) ?? {}).map(([name, spec]) => {
    let values: ParamValue[];
    try {
      values = [...new Set(parseGrid(name, spec).values)];
    } catch (error) {
      if (error instanceof GridError) return { name, values: null };
      throw error;
    }
    const numbers = values.filter((v): v is number => typeof v === 'number');
    if (numbers.length === values.length && numbers.length > 0) {
      return { name, values: values.length, min: Math.min(...numbers), max: Math.max(...numbers) };
    }
    return { name, values: values.length };
  });
}

export function studyLine(record: StudyRecord): StudyLine {
  const line: StudyLine = {
    name: record.name,
    points: record.pointCount,
    trials: record.trialCount,
    swept: sweptOf(record.definition),
    createdAt: record.createdAt,
  };
  if (record.damaged !== undefined) line.error = record.damaged;
  return line;
}

/** Trials the definition's sweep plans (grid points x repeats); null when the definition does not say. `refine`
 * adds trials beyond this number. */
export function plannedTrials(
  definition: unknown,
  swept: readonly SweptParameter[] = sweptOf(definition),
): { points: number; trials: number } | null {
  const repeats = (definition as { repeats?: unknown } | null)?.repeats;
  if (typeof repeats !== 'number' || !Number.isInteger(repeats) || repeats < 1) return null;
  let points = 1;
  for (const s of swept) {
    if (s.values === null) return null;
    points *= s.values;
  }
  return { points, trials: points * repeats };
}
