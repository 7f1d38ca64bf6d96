import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  counted,
  csvLine,
  fileErrorReason,
  numberText,
  pValueText,
  short,
  shortNumber,
} from '../../src/text/format.js';

test('tables: 6 significant digits, plain from 1e-4 to 1e9 (no "2.00000e+6"), null is "-"', () => {
  assert.equal(shortNumber(2_000_000), '2000000');
  assert.equal(shortNumber(1_234_567), '1234570');
  assert.equal(shortNumber(Math.SQRT1_2), '0.707107');
  assert.equal(shortNumber(0.00012345678), '0.000123457');
  assert.equal(shortNumber(0.00001234), '1.234e-5');
  assert.equal(shortNumber(1.5e9), '1.5e+9');
  assert.equal(shortNumber(null), '-');
  assert.equal(shortNumber(-Infinity), '-Infinity');
});

test('chart labels: 3 significant digits, exponents outside 1e-3..1e5', () => {
  assert.equal(short(12345), '12300');
  assert.equal(short(123456), '1.23e+5');
  assert.equal(short(0.0005), '5e-4');
  assert.equal(short(Math.SQRT1_2), '0.707');
  assert.equal(short(NaN), 'NaN');
});

test('CSV fields at full precision with RFC 4180 quoting; the reason a file operation failed', () => {
  assert.equal(
    csvLine(['a,b', 'say "hi"', null, undefined, 1 / 3, -Infinity]),
    `"a,b","say ""hi""",,,${1 / 3},-Infinity`,
  );
  assert.equal(numberText(NaN), 'NaN');
  assert.equal(fileErrorReason(Object.assign(new Error('x'), { code: 'ENOENT' })), 'no such file');
  assert.equal(
    fileErrorReason(Object.assign(new Error('x'), { code: 'ENOENT' }), 'no such directory'),
    'no such directory',
  );
  assert.equal(fileErrorReason(Object.assign(new Error('x'), { code: 'EACCES' })), 'permission denied');
  assert.equal(fileErrorReason(new Error('disk on fire')), 'disk on fire');
});

test('a p-value is never "= 0": below what a double resolves it is "< 1e-300"', () => {
  assert.equal(pValueText(0.0312), '= 0.0312');
  assert.equal(pValueText(1.0102967160550377e-213), '= 1.01e-213');
  assert.equal(pValueText(0), '< 1e-300');
});

test('a count with its noun: singular for one ("1 thread", not "1 threads")', () => {
  assert.equal(counted(1, 'thread'), '1 thread');
  assert.equal(counted(12_000, 'trial'), '12,000 trials');
  assert.equal(counted(0, 'chunk'), '0 chunks');
});
