// `xorlab train --engine fast|reference --precision f32|f64` through the real CLI (runs dist/: build first).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/xorlab.js', 'train', ...args], { encoding: 'utf8' });
const study = [
  '--seed',
  '7',
  '--hidden-std',
  '0.7071',
  '--output-std',
  '0.8165',
  '--update-order',
  'seed',
  '--epochs',
  '3000',
  '--json',
];

test('train --engine fast gives the reference metrics (f64 to 1e-12, f32 to 1e-5) and says which engine ran', () => {
  const reference = JSON.parse(run(...study).stdout);
  for (const precision of ['f64', 'f32']) {
    const r = run(...study, '--engine', 'fast', '--precision', precision);
    assert.equal(r.status, 0, r.stderr);
    const fast = JSON.parse(r.stdout);
    assert.deepEqual(fast.engine, { engine: 'fast', precision });
    const tolerance = precision === 'f64' ? 1e-12 : 1e-5;
    assert.ok(
      Math.abs(fast.metrics.totalLoss - reference.metrics.totalLoss) <= tolerance * reference.metrics.totalLoss,
      `${precision}: ${fast.metrics.totalLoss} vs ${reference.metrics.totalLoss}`,
    );
    assert.equal(fast.metrics.success, reference.metrics.success);
    assert.deepEqual(fast.initialParameters, reference.initialParameters);
  }
});

test('train --engine fast with an uncovered configuration falls back and says so once; bad choices exit 2', () => {
  const r = run('--seed', '1', '--epochs', '100', '--optimizer', 'adam', '--engine', 'fast');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.match(/does not cover optimizer adam/g)?.length, 1, r.stderr);
  assert.match(r.stdout, /Engine: reference \(f64\)/);
  const bad = run('--engine', 'turbo');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^xorlab: --engine must be one of fast, reference/);
  const plot = run('--engine', 'fast', '--plot-weights', 'w.svg');
  assert.equal(plot.status, 2);
  assert.match(plot.stderr, /--plot-weights needs --engine reference/);
});
