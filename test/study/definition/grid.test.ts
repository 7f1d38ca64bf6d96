import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GridError, linspace, parseGrid } from '../../../src/study/definition/grid.js';

test("exp:-3:4:400 is the article's np.exp(np.linspace(-3, 4, 400))", () => {
  const g = parseGrid('hiddenStd', 'exp:-3:4:400');
  assert.equal(g.values.length, 400);
  assert.equal(g.spec, 'exp:-3:4:400');
  assert.equal(g.values[0], Math.exp(-3));
  assert.equal(g.values[399], Math.exp(4));
  // numpy: start + i * step with step = 7/399
  assert.equal(g.values[200], Math.exp(200 * (7 / 399) + -3));
});

test('lin, log and explicit lists', () => {
  assert.deepEqual(parseGrid('lr', 'lin:0:1:5').values, [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(parseGrid('lr', 'log:-2:0:3').values, [0.01, 0.1, 1]);
  assert.deepEqual(parseGrid('lr', 'lin:2:2:1').values, [2]);
  assert.deepEqual(parseGrid('hiddenStd', '0.5, 1,2').values, [0.5, 1, 2]);
  assert.deepEqual(parseGrid('hiddenStd', [0.5, 1, 2]), { spec: [0.5, 1, 2], values: [0.5, 1, 2] });
  // A list typed on the CLI and the same list in JSON give the same canonical spec.
  assert.deepEqual(parseGrid('hiddenStd', '0.5,1,2').spec, parseGrid('hiddenStd', [0.5, 1, 2]).spec);
  assert.deepEqual(parseGrid('activation', 'sigmoid,tanh').values, ['sigmoid', 'tanh']);
  assert.deepEqual(parseGrid('dataset', ['xor', 'parity3']).values, ['xor', 'parity3']);
  assert.deepEqual(linspace(-1, 1, 3), [-1, 0, 1]);
});

test('integer parameters: generated grids are rounded, lists must be integers', () => {
  assert.deepEqual(parseGrid('epochs', 'log:2:4:3').values, [100, 1000, 10000]);
  assert.deepEqual(parseGrid('hidden', '2,3,4').values, [2, 3, 4]);
  assert.throws(() => parseGrid('hidden', '2.5'), /hidden takes integers/);
  assert.throws(() => parseGrid('hidden', 'lin:1:2:5'), /appears twice.*rounded/);
});

test('nonsense is rejected with a message naming what is allowed', () => {
  const bad: [string, unknown, RegExp][] = [
    ['hiddenStd', 'exp:1:2', /exp:a:b:n/],
    ['hiddenStd', 'lin:0:1:0', /count n .* integer from 1/],
    ['hiddenStd', 'lin:0:1:2.5', /integer from 1/],
    ['hiddenStd', 'lin:a:1:3', /needs numbers/],
    ['hiddenStd', 'cubic:0:1:3', /unknown grid/],
    ['hiddenStd', '1,x,3', /"x" is not a number/],
    ['hiddenStd', '', /empty/],
    ['hiddenStd', '1,1', /appears twice/],
    ['hiddenStd', 'lin:1:1:3', /repeats one value/],
    ['hiddenStd', 'exp:0:1000:3', /too large/],
    ['hiddenStd', { a: 1 }, /must be/],
    ['activation', 'sigmoid,swish', /"swish" is not one of sigmoid, tanh/],
    ['activation', 'lin:0:1:3', /takes a list of names/],
    ['bogus', '1,2', /cannot sweep/],
  ];
  for (const [param, raw, message] of bad) {
    assert.throws(
      () => parseGrid(param, raw),
      (e: Error) => e instanceof GridError && message.test(e.message),
      `${param}=${JSON.stringify(raw)}`,
    );
  }
});
