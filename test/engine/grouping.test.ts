// A trial's numbers depend only on its own seed, never on which trials share its SIMD vector or block: the same
// networks trained alone, together, and shuffled across lanes give the same bits, in every kernel and precision,
// at init stds across the article's whole range (0.05 to 54.6) and beyond, where the XOR kernel's hidden layer
// switches between its exp-product and clamped paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinDataset } from '../../src/core/index.js';
import { defaultConfig, type TrainingConfigInput } from '../../src/config/index.js';
import { lockstepKernel } from '../../src/engine/instance.js';
import { trainMany, trainManyFrom, type EngineRun, type Precision } from '../../src/engine/index.js';

/** Stds chosen so that a vector of 4 (or 2) networks mixes lanes below and above the product path's limits. */
const STDS = [0.05, 0.7071, 5, 20, 54.6, 120, 250, 400];
const COUNT = 24;
const seeds = Array.from({ length: COUNT }, (_, k) => 1000 + k);

interface Shape {
  name: string;
  /** The kernel routine expected in f32 and f64 (3 = XOR, 2 = fused 2-2 x4, 1 = fused 2-2 x2, 0 = general). */
  routine: Record<Precision, number>;
  input: TrainingConfigInput;
  force?: boolean;
}

const SHAPES: Shape[] = [
  { name: 'XOR kernel', routine: { f32: 3, f64: 3 }, input: { updateOrder: 'seed', bceClip: 1e-15 } },
  {
    name: 'fused 2-2 kernel',
    routine: { f32: 2, f64: 1 },
    input: { dataset: 'and', loss: 'mse', updateOrder: 'textbook' },
  },
  {
    name: 'general kernel',
    routine: { f32: 0, f64: 0 },
    input: { hidden: [3], activation: 'tanh', updateOrder: 'seed' },
  },
  { name: 'general kernel (forced, XOR)', routine: { f32: 0, f64: 0 }, input: { updateOrder: 'seed' }, force: true },
];

/** Every number a trial produces, as exact bits: metrics, predictions and final parameters. */
function bitsOf(run: EngineRun, n: number, samples: number, parameters: number): string {
  const m = run.metrics[n];
  const bits = (x: number) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    return view.getBigUint64(0).toString(16);
  };
  const predictions = Array.from(run.predictions!.subarray(n * samples, (n + 1) * samples), bits);
  const finals = Array.from(run.finalParameters!.subarray(n * parameters, (n + 1) * parameters), bits);
  return JSON.stringify([
    m.totalLoss === null ? null : bits(m.totalLoss),
    m.finalLoss === null ? null : bits(m.finalLoss),
    m.success,
    m.epochsToThreshold,
    m.diverged,
    predictions,
    finals,
  ]);
}

function train(input: TrainingConfigInput, force: boolean, which: number[], precision: Precision): EngineRun {
  const config = defaultConfig(input);
  const kernel = lockstepKernel();
  kernel.setForceGeneral(force);
  try {
    return trainMany(
      config,
      builtinDataset(config.dataset),
      which.map((k) => seeds[k]),
      { engine: 'fast', precision, predictions: true, parameters: true },
    );
  } finally {
    kernel.setForceGeneral(false);
  }
}

for (const shape of SHAPES) {
  for (const precision of ['f32', 'f64'] as const) {
    test(`${shape.name}, ${precision}: a trial's bits do not depend on the trials beside it`, () => {
      const dataset = builtinDataset(shape.input.dataset ?? 'xor');
      const hidden = shape.input.hidden?.[0] ?? 2;
      const samples = dataset.size;
      const parameters = dataset.inputCount * hidden + 2 * hidden + 1;
      // A fixed shuffle (a stride through the networks) moves every network to another lane and vector.
      const order = Array.from({ length: COUNT }, (_, k) => (k * 7) % COUNT);
      for (const std of STDS) {
        const input = { ...shape.input, hiddenStd: std, outputStd: std === 0.7071 ? 0.8165 : std, epochs: 300 };
        const together = train(
          input,
          shape.force ?? false,
          order.map((_, k) => k),
          precision,
        );
        assert.equal(together.engine, 'fast');
        assert.equal(
          lockstepKernel().routine(),
          shape.routine[precision],
          `${shape.name} should run routine ${shape.routine[precision]}`,
        );
        const shuffled = train(input, shape.force ?? false, order, precision);
        for (let k = 0; k < COUNT; k++) {
          const n = order[k];
          const where = `std ${std}, network ${n}`;
          assert.equal(
            bitsOf(shuffled, k, samples, parameters),
            bitsOf(together, n, samples, parameters),
            `${where}: shuffled vs together`,
          );
        }
        // Alone: a run of one network fills every lane with copies of it.
        for (const n of [0, 1, 5, 13, 22]) {
          const alone = train(input, shape.force ?? false, [n], precision);
          assert.equal(
            bitsOf(alone, 0, samples, parameters),
            bitsOf(together, n, samples, parameters),
            `std ${std}, network ${n}: alone vs together`,
          );
        }
      }
    });
  }
}

test('a network beside one whose weights leave the exp-product range trains as it does alone (XOR kernel, f32 and f64)', () => {
  const config = defaultConfig({ updateOrder: 'seed', epochs: 200 });
  const xor = builtinDataset('xor');
  const P = 9;
  // Core's flat order: w[i*H + j] (w00 w01 w10 w11), b0 b1, v0 v1, c.
  const ordinary = [0.6, -0.4, -0.7, 0.5, 0.1, -0.2, 0.9, -0.8, 0.05];
  // Unit 0's |b| + |w00| + |w10| far above both precisions' limits (86 / 700): that lane takes the clamped path.
  const huge = [900, 0.3, -0.2, 0.1, 5, 0.4, 0.7, 0.6, -0.1];
  for (const precision of ['f64', 'f32'] as const) {
    const alone = trainManyFrom(config, xor, Float64Array.from(ordinary), 1, {
      engine: 'fast',
      precision,
      predictions: true,
      parameters: true,
    });
    for (const neighbours of [[huge], [huge, huge, huge], [ordinary, huge]]) {
      const rows = [ordinary, ...neighbours];
      const together = trainManyFrom(config, xor, Float64Array.from(rows.flat()), rows.length, {
        engine: 'fast',
        precision,
        predictions: true,
        parameters: true,
      });
      assert.equal(lockstepKernel().routine(), 3);
      assert.equal(
        bitsOf(together, 0, 4, P),
        bitsOf(alone, 0, 4, P),
        `${precision}, ${neighbours.length} neighbour(s)`,
      );
    }
  }
});
