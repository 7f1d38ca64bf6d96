// Training sets: truth tables with inputs in rows and targets in [0, 1].
// Parsing of user files takes the file's text, so the core never touches the file system.
import { describePrototypeKey, describeUnknownKeys, findPrototypeKey, unknownKeys } from './json.js';
import { XorlabError } from '../text/errors.js';
import { printable, quote } from '../text/quote.js';

/** A training set: a truth table of numeric inputs and targets in [0, 1], one row per sample. */
export interface Dataset {
  readonly name: string;
  readonly inputCount: number;
  readonly outputCount: number;
  readonly size: number;
  /** size x inputCount, row-major */
  readonly inputs: Float64Array;
  /** size x outputCount, row-major */
  readonly targets: Float64Array;
}

export const GATE_NAMES = ['xor', 'and', 'or', 'nand', 'nor', 'xnor'] as const;
type GateName = (typeof GATE_NAMES)[number];
const GATES: Record<GateName, (a: number, b: number) => number> = {
  xor: (a, b) => a ^ b,
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  nand: (a, b) => 1 - (a & b),
  nor: (a, b) => 1 - (a | b),
  xnor: (a, b) => 1 - (a ^ b),
};

export const MIN_PARITY_BITS = 2;
export const MAX_PARITY_BITS = 8;
export const BUILTIN_DATASETS_HELP = `${GATE_NAMES.join(', ')}, parity2 ... parity${MAX_PARITY_BITS}`;

/** A dataset that cannot be used: an unknown name, a file that cannot be read, a malformed truth table. */
export class DatasetError extends XorlabError {}

/** A dataset from rows of inputs and rows of targets (numbers in [0, 1]); DatasetError for ragged or bad rows. */
export function makeDataset(name: string, rows: number[][], targets: number[][]): Dataset {
  if (rows.length === 0) throw new DatasetError(`dataset ${printable(name)} has no rows`);
  const inputCount = rows[0].length;
  const outputCount = targets[0]?.length ?? 0;
  if (inputCount < 1) throw new DatasetError(`dataset ${printable(name)} needs at least one input column`);
  if (outputCount < 1) throw new DatasetError(`dataset ${printable(name)} needs at least one target column`);
  const inputs = new Float64Array(rows.length * inputCount);
  const out = new Float64Array(rows.length * outputCount);
  rows.forEach((row, r) => {
    if (row.length !== inputCount)
      throw new DatasetError(
        `dataset ${printable(name)}: row ${r + 1} has ${row.length} inputs, expected ${inputCount}`,
      );
    if (targets[r].length !== outputCount)
      throw new DatasetError(
        `dataset ${printable(name)}: row ${r + 1} has ${targets[r].length} targets, expected ${outputCount}`,
      );
    row.forEach((v, c) => {
      if (!Number.isFinite(v))
        throw new DatasetError(`dataset ${printable(name)}: row ${r + 1} has a non-numeric input`);
      inputs[r * inputCount + c] = v;
    });
    targets[r].forEach((v, c) => {
      if (!Number.isFinite(v) || v < 0 || v > 1)
        throw new DatasetError(
          `dataset ${printable(name)}: row ${r + 1} has target ${v}; targets must be numbers in [0, 1]`,
        );
      out[r * outputCount + c] = v;
    });
  });
  return { name, inputCount, outputCount, size: rows.length, inputs, targets: out };
}

function allBitPatterns(bits: number): number[][] {
  const rows: number[][] = [];
  for (let k = 0; k < 1 << bits; k++) {
    const row: number[] = [];
    for (let b = bits - 1; b >= 0; b--) row.push((k >> b) & 1);
    rows.push(row);
  }
  return rows;
}

/** Whether a name is a built-in dataset (a gate or parityN). */
export function isBuiltinDataset(name: string): boolean {
  return (GATE_NAMES as readonly string[]).includes(name) || parityBits(name) !== null;
}

function parityBits(name: string): number | null {
  const match = /^parity(\d+)$/.exec(name);
  if (!match) return null;
  const bits = Number(match[1]);
  return bits >= MIN_PARITY_BITS && bits <= MAX_PARITY_BITS ? bits : null;
}

/** A built-in truth table: xor, and, or, nand, nor, xnor (2 inputs) or parity2 ... parity8; DatasetError for another name. */
export function builtinDataset(name: string): Dataset {
  if ((GATE_NAMES as readonly string[]).includes(name)) {
    const gate = GATES[name as GateName];
    const rows = allBitPatterns(2);
    return makeDataset(
      name,
      rows,
      rows.map(([a, b]) => [gate(a, b)]),
    );
  }
  const bits = parityBits(name);
  if (bits !== null) {
    const rows = allBitPatterns(bits);
    return makeDataset(
      name,
      rows,
      rows.map((r) => [r.reduce((x, y) => x ^ y, 0)]),
    );
  }
  throw new DatasetError(`unknown dataset ${quote(name)}; allowed: ${BUILTIN_DATASETS_HELP}, or a .csv or .json file`);
}

/** A number as a CSV cell writes it: 1, -0.5, .5, 1e-3 (not "0x10", "Infinity" or an empty cell). */
const NUMBER_CELL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A truth table in CSV: one row per sample, the input columns first and the target in the last column
 * (`outputCount` targets: the last k columns). The first row is a header when one of its cells is not written as
 * a number (a row of numbers is always data, even one too large to represent). Every cell of the data must be a
 * finite number, and a target one in [0, 1]: the first that is not is reported with its line and column.
 */
export function parseCsvDataset(name: string, text: string, outputCount = 1): Dataset {
  const lines = text
    .split(/\r?\n/)
    .map((line, i) => ({ line: i + 1, text: line.trim() }))
    .filter((l) => l.text.length > 0 && !l.text.startsWith('#'));
  const cells = lines.map((l) => l.text.split(/[,;\t]/).map((c) => c.trim()));
  let first = 0;
  if (cells.length > 0 && cells[0].some((c) => !NUMBER_CELL.test(c))) first = 1;
  const rows: number[][] = [];
  const targets: number[][] = [];
  for (let r = first; r < cells.length; r++) {
    const row = cells[r];
    const where = (c: number): string => `dataset ${printable(name)}: line ${lines[r].line}, column ${c + 1}`;
    const values = row.map((cell, c) => {
      if (!NUMBER_CELL.test(cell))
        throw new DatasetError(`${where(c)}: ${cell === '' ? 'the cell is empty' : `${quote(cell)} is not a number`}`);
      const value = Number(cell);
      if (!Number.isFinite(value))
        throw new DatasetError(`${where(c)}: ${cell} is out of range (numbers lie within ±1.8e308)`);
      return value;
    });
    if (values.length <= outputCount)
      throw new DatasetError(
        `dataset ${printable(name)}: line ${lines[r].line} needs input columns and ${outputCount} target column(s)`,
      );
    values.slice(values.length - outputCount).forEach((v, k) => {
      if (v < 0 || v > 1)
        throw new DatasetError(
          `${where(values.length - outputCount + k)}: the target ${row[values.length - outputCount + k]} is outside [0, 1]`,
        );
    });
    rows.push(values.slice(0, values.length - outputCount));
    targets.push(values.slice(values.length - outputCount));
  }
  return makeDataset(name, rows, targets);
}

const JSON_DATASET_KEYS = ['inputs', 'targets'];

/** A truth table in JSON: {"inputs": [[0,0], ...], "targets": [0, ...] or [[0], ...]}. */
export function parseJsonDataset(name: string, text: string): Dataset {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DatasetError(`dataset ${printable(name)} is not valid JSON`);
  }
  const shape = 'expected {"inputs": [[x1, x2, ...], ...], "targets": [y, ...]}';
  const table = doc as { inputs?: unknown; targets?: unknown } | null;
  if (typeof table !== 'object' || table === null || Array.isArray(table))
    throw new DatasetError(`dataset ${printable(name)}: ${shape}`);
  const prototypeKey = findPrototypeKey(table);
  if (prototypeKey) throw new DatasetError(`dataset ${printable(name)}: ${describePrototypeKey(prototypeKey)}`);
  const unknown = unknownKeys(table, JSON_DATASET_KEYS);
  if (unknown.length)
    throw new DatasetError(`dataset ${printable(name)}: ${describeUnknownKeys(unknown, JSON_DATASET_KEYS)}`);
  if (!Array.isArray(table.inputs) || !Array.isArray(table.targets))
    throw new DatasetError(`dataset ${printable(name)}: ${shape}`);
  const inputs = table.inputs as unknown[];
  const targets = table.targets as unknown[];
  if (inputs.length !== targets.length)
    throw new DatasetError(`dataset ${printable(name)}: ${inputs.length} input rows but ${targets.length} targets`);
  const asRow = (v: unknown): number[] => {
    const row = Array.isArray(v) ? v : [v];
    if (!row.every((x) => typeof x === 'number')) throw new DatasetError(`dataset ${printable(name)}: ${shape}`);
    return row;
  };
  return makeDataset(name, inputs.map(asRow), targets.map(asRow));
}
