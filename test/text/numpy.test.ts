// Arrays printed as NumPy prints them: each expected text is NumPy 2.4's str() of the same array.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumpyArray } from '../../src/text/numpy.js';

test('float arrays print as NumPy prints them: aligned decimal points, trimmed zeros, scientific when it must', () => {
  const cases: [number[][], string][] = [
    [
      [
        [0.5, -1],
        [2, 3],
      ],
      '[[ 0.5 -1. ]\n [ 2.   3. ]]',
    ],
    [[[1e-5, 1]], '[[1.e-05 1.e+00]]'],
    [[[1.5e-5, 1]], '[[1.5e-05 1.0e+00]]'],
    [[[0.1, 0.25]], '[[0.1  0.25]]'],
    [[[-0, 1e9]], '[[-0.e+00  1.e+09]]'],
    [
      [
        [NaN, 1.5],
        [Infinity, -Infinity],
      ],
      '[[ nan  1.5]\n [ inf -inf]]',
    ],
    [[[1e-5, -2.5e3]], '[[ 1.0e-05 -2.5e+03]]'],
    [[[123.456, -0.001]], '[[ 1.23456e+02 -1.00000e-03]]'],
    [
      [
        [0.1901351, 0.3073794],
        [-0.96088183, -0.01211338],
      ],
      '[[ 0.1901351   0.3073794 ]\n [-0.96088183 -0.01211338]]',
    ],
  ];
  for (const [rows, numpy] of cases) assert.equal(formatNumpyArray(rows), numpy, JSON.stringify(rows));
});

test('integer arrays (the truth table) print without decimal points', () => {
  assert.equal(
    formatNumpyArray(
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      true,
    ),
    '[[0 0]\n [0 1]\n [1 0]\n [1 1]]',
  );
  assert.equal(formatNumpyArray([[0], [10]], true), '[[ 0]\n [10]]');
});
