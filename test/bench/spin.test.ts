// The bench's control loop: the hand-written WebAssembly module must compute exactly what it says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSpin, spinExpected, spinModuleBytes } from '../../src/bench/spin.js';

test('the control loop module is valid WebAssembly and computes its 12 chains exactly (f32 steps)', () => {
  const spin = loadSpin();
  for (const iterations of [1, 2, 3, 50, 1000])
    assert.equal(spin(iterations), spinExpected(iterations), `${iterations} iterations`);
  // The chains start at 1..12 and move toward 1: the sum after one step is just under 1 + 2 + ... + 12.
  assert.ok(spinExpected(1) < 78 && spinExpected(1) > 77.99);
});

test('the control loop module is a few hundred bytes with one export, spin', () => {
  const bytes = spinModuleBytes();
  assert.ok(bytes.length < 1000, `${bytes.length} bytes`);
  const module = new (
    globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }
  ).WebAssembly.Module(bytes);
  const exports = (
    globalThis as unknown as { WebAssembly: { Module: { exports(m: object): { name: string; kind: string }[] } } }
  ).WebAssembly.Module.exports(module);
  assert.deepEqual(exports, [{ name: 'spin', kind: 'function' }]);
});
