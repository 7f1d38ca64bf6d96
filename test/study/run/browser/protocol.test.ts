// A worker's compact result read back as store rows: the one decoding the CLI, distributed workers and the page use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../../src/config/index.js';
import { builtinDataset } from '../../../../src/core/index.js';
import { trainMany } from '../../../../src/engine/index.js';
import { runChunk } from '../../../../src/study/run/browser/chunk.js';
import {
  FLAG_DIVERGED,
  FLAG_F32,
  FLAG_FAST,
  FLAG_SUCCESS,
  chunkRows,
  type ChunkResult,
  type ChunkTask,
} from '../../../../src/study/run/browser/protocol.js';

const config = defaultConfig({ epochs: 400, updateOrder: 'seed' });

test('chunkRows: nulls for NaN losses and -1 epochs, each flag bit, each point its params', () => {
  const task: ChunkTask = {
    id: 1,
    points: Int32Array.of(0, 0, 3),
    repeats: Int32Array.of(4, 5, 0),
    seeds: Float64Array.of(11, 12, 13),
    configs: {},
  };
  const result: ChunkResult = {
    id: 1,
    totalLoss: Float64Array.of(1.5, NaN, 0.25),
    finalLoss: Float64Array.of(0.01, NaN, 0.5),
    epochsToThreshold: Int32Array.of(120, -1, -1),
    flags: Uint8Array.of(FLAG_SUCCESS | FLAG_FAST | FLAG_F32, FLAG_DIVERGED | FLAG_FAST, 0),
    fallbackReasons: [],
  };
  const rows = chunkRows('s', task, result, (point) => ({ hiddenStd: point / 10 }));
  assert.deepEqual(rows, [
    {
      study: 's',
      point: 0,
      repeat: 4,
      params: { hiddenStd: 0 },
      seed: 11,
      totalLoss: 1.5,
      finalLoss: 0.01,
      success: true,
      epochsToThreshold: 120,
      diverged: false,
      engine: 'fast',
      precision: 'f32',
    },
    {
      study: 's',
      point: 0,
      repeat: 5,
      params: { hiddenStd: 0 },
      seed: 12,
      totalLoss: null,
      finalLoss: null,
      success: false,
      epochsToThreshold: null,
      diverged: true,
      engine: 'fast',
      precision: 'f64',
    },
    {
      study: 's',
      point: 3,
      repeat: 0,
      params: { hiddenStd: 0.3 },
      seed: 13,
      totalLoss: 0.25,
      finalLoss: 0.5,
      success: false,
      epochsToThreshold: null,
      diverged: false,
      engine: 'reference',
      precision: 'f64',
    },
  ]);
});

test('runChunk then chunkRows gives what the engine gives for the same seeds', () => {
  const xor = builtinDataset('xor');
  const seeds = Float64Array.of(1, 2, 3, 4, 5);
  const task: ChunkTask = {
    id: 2,
    points: Int32Array.of(0, 0, 0, 0, 0),
    repeats: Int32Array.of(0, 1, 2, 3, 4),
    seeds,
    configs: { 0: config },
  };
  const rows = chunkRows(
    's',
    task,
    runChunk(task, { datasets: { xor }, engine: { engine: 'fast', precision: 'f32' } }),
    () => ({}),
  );
  const direct = trainMany(config, xor, seeds, { engine: 'fast', precision: 'f32' });
  assert.deepEqual(
    rows.map((r) => [r.totalLoss, r.finalLoss, r.success, r.epochsToThreshold, r.diverged, r.engine, r.precision]),
    direct.metrics.map((m) => [
      m.totalLoss,
      m.finalLoss,
      m.success,
      m.epochsToThreshold,
      m.diverged,
      direct.engine,
      direct.precision,
    ]),
  );
});
