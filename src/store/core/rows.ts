// The parts of storing and reading trials that are the same in every database: checking rows, grouping a batch by
// block, the repeat order a block is folded in, runs of repeats, the next free repeat, a metric's value as a number.
import { blockOf } from '../moments.js';
import { StoreError, type PointValues, type TrialRow } from '../types.js';
import type { BlockBatch } from './driver.js';

/** A point, repeat or count every store can keep: an integer 0 ..2^31-1 (PostgreSQL's int4 columns; SQLite and
 * MongoDB would take more, and the stores must agree on what they accept). */
export function isIndex(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0x7fffffff;
}

/**
 * Checks every row's point and repeat, then groups the rows by (study, point, block), each block's rows in batch
 * order; the blocks sorted by (study, point, block). `key` is left unset (undefined) for the store to fill in.
 * One pass, one array push per row: no allocation per row beyond it.
 */
export function groupByBlock<K>(rows: readonly TrialRow[]): BlockBatch<K>[] {
  const blocks = new Map<string, BlockBatch<K>>();
  let current: BlockBatch<K> | null = null;
  for (const row of rows) {
    if (!isIndex(row.point) || !isIndex(row.repeat)) {
      throw new StoreError(
        `trial point and repeat must be integers >= 0 and < 2^31, got point ${row.point}, repeat ${row.repeat}`,
      );
    }
    const block = blockOf(row.repeat);
    if (current === null || current.study !== row.study || current.point !== row.point || current.block !== block) {
      const id: string = `${row.study}\u0000${row.point}\u0000${block}`;
      current = blocks.get(id) ?? null;
      if (current === null) {
        current = { study: row.study, key: undefined as K, point: row.point, block, params: row.params, rows: [] };
        blocks.set(id, current);
      }
    }
    current.rows.push(row);
  }
  const sorted = [...blocks.values()];
  if (sorted.length > 1)
    sorted.sort((a, b) => (a.study < b.study ? -1 : a.study > b.study ? 1 : a.point - b.point || a.block - b.block));
  return sorted;
}

/** A block's rows as they will be stored when the block held none before: each repeat once (the first sent), in
 * repeat order. The same array when it is already strictly increasing (the usual case: no copy). */
export function rowsInRepeatOrder<R extends Pick<TrialRow, 'repeat'>>(rows: R[]): R[] {
  let increasing = true;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].repeat <= rows[i - 1].repeat) {
      increasing = false;
      break;
    }
  }
  if (increasing) return rows;
  const seen = new Set<number>();
  const kept: R[] = [];
  for (const row of rows) {
    if (seen.has(row.repeat)) continue;
    seen.add(row.repeat);
    kept.push(row);
  }
  return kept.sort((x, y) => x.repeat - y.repeat);
}

/** Sorted distinct repeats as runs [s0, e0, s1, e1, ...] of [start, end). */
export function runsOf(repeats: Iterable<number>): number[] {
  const runs: number[] = [];
  for (const r of repeats) {
    if (runs.length && runs[runs.length - 1] === r) runs[runs.length - 1] = r + 1;
    else runs.push(r, r + 1);
  }
  return runs;
}

/** The first repeat nobody has claimed at a point: after the largest stored one and the last reserved one. */
export function firstFree(storedMax: number | null | undefined, reservedNext: number | null | undefined): number {
  return Math.max((storedMax ?? -1) + 1, reservedNext ?? 0);
}

/** One point's [repeat, value] rows as typed arrays: NaN where a trial has no value, success as 1 or 0. */
export function pointValues(rows: readonly (readonly unknown[])[]): PointValues {
  const repeats = new Int32Array(rows.length);
  const values = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    repeats[i] = rows[i][0] as number;
    const v = rows[i][1];
    values[i] = v === null || v === undefined ? NaN : typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
  }
  return { repeats, values };
}
