// The bench's engine section on a tiny scale: every figure comes back, the all-cores pool runs both kinds of task,
// and the agreement it reports holds its bars.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchEngine, formatEngineBench } from '../../src/bench/engine.js';

test('bench engine section: figures, the control, agreement, on a tiny scale', async () => {
  const r = await benchEngine({ agreementNetworks: 16, fastNetworks: 32, rounds: 2, workers: 2, numpyTrainings: 0 });
  const positive = (x: number, what: string) => assert.ok(Number.isFinite(x) && x > 0, `${what}: ${x}`);
  for (const [k, v] of Object.entries(r.msPerTraining)) if (k !== 'numpy') positive(v as number, k);
  assert.equal(r.msPerTraining.numpy, null);
  positive(r.speedup.allCoresOverOneCore, 'all cores over one');
  positive(r.speedup.allCoresOverOneCoreMedianOfRounds, 'median of rounds');
  positive(r.control.iterations, 'control iterations');
  positive(r.control.allCoresOverOneCore, 'control');
  positive(r.control.allCoresOverOneCoreMedianOfRounds, 'control median');
  // The ratios are the times they come from (no timing is judged here: tests never time).
  assert.equal(r.speedup.allCoresOverOneCore, r.msPerTraining.fastF32 / r.msPerTraining.fastF32AllCores);
  assert.equal(r.control.allCoresOverOneCore, r.control.msOneCore / r.control.msAllCores);
  assert.ok(r.agreement.f32.meanRelativeError < 1e-6 && r.agreement.f64.meanRelativeError < 1e-12);
  assert.equal(r.agreement.f32.outcomeDifferences, 0);
  const text = formatEngineBench(r);
  assert.match(text, /control \(a WebAssembly SIMD loop sharing nothing, same rounds\): \d\.\d\dx/);
});
