import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGE_MAX, QUOTE_MAX, nameList, printable, quote } from '../../src/text/quote.js';
import { alignedTable } from '../../src/text/format.js';

/** The characters a terminal acts on: C0, DEL, C1, the bidirectional controls and line separators, lone surrogates. */
function controls(text: string): number[] {
  const bidi = [
    0x61c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
  ];
  return [...text]
    .map((c) => c.codePointAt(0)!)
    .filter((c) => c < 0x20 || (c >= 0x7f && c <= 0x9f) || bidi.includes(c) || (c >= 0xd800 && c <= 0xdfff));
}

test('printable: ESC, CR, LF and tab are shown as their escapes, the rest of C0, DEL and C1 as \\xNN', () => {
  assert.equal(printable('\x1b[31mEVIL\x1b[0m'), '\\x1b[31mEVIL\\x1b[0m');
  assert.equal(printable('1\rFAKE: all good'), '1\\rFAKE: all good');
  assert.equal(printable('\x1b[2J\x1b[H'), '\\x1b[2J\\x1b[H');
  assert.equal(printable('a\nb\tc'), 'a\\nb\\tc');
  assert.equal(printable('\0\x07\x7f\x85\x9b'), '\\x00\\x07\\x7f\\x85\\x9b');
});

test('printable: bidirectional overrides, line separators and lone surrogates as \\u{...}; other text unchanged', () => {
  assert.equal(printable('abc\u202edef\u2028\u2066'), 'abc\\u{202e}def\\u{2028}\\u{2066}');
  assert.equal(printable('x\ud800y\udfff'), 'x\\u{d800}y\\u{dfff}');
  const plain = 'hiddenStd=0.5, ±1.8e308, naïve 日本 😀 "quoted" C:\\path';
  assert.equal(printable(plain), plain);
  assert.equal(printable(''), '');
});

test('printable cuts after max characters with an ellipsis, never inside an escape or a surrogate pair', () => {
  assert.equal(printable('abcdef', 3), 'abc…');
  assert.equal(printable('abc', 3), 'abc');
  assert.equal(printable('ab\x1bcd', 4), 'ab…'); // \x1b (4 characters) does not fit after "ab"
  assert.equal(printable('a😀b', 2), 'a…'); // the emoji is two code units: it fits whole or not at all
  assert.equal(printable('a😀b', 3), 'a😀…');
  assert.equal(printable('a😀b', 4), 'a😀b');
  const million = 'x'.repeat(1 << 20);
  assert.equal(printable(million, QUOTE_MAX).length, QUOTE_MAX + 1);
});

test('quote: a string in double quotes with its controls, quote marks and backslashes escaped, cut at QUOTE_MAX', () => {
  assert.equal(QUOTE_MAX, 120);
  assert.equal(quote('\x1b[32mGREEN'), '"\\x1b[32mGREEN"');
  assert.equal(quote('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
  assert.equal(quote('plain'), '"plain"'); // what JSON.stringify gave before, for ordinary text
  const long = quote('y'.repeat(500));
  assert.equal(long, `"${'y'.repeat(QUOTE_MAX)}…"`);
  assert.equal(quote('n'.repeat(100)), `"${'n'.repeat(100)}"`); // the longest study name fits whole
});

test('quote: other values as their JSON text (as the messages printed them before), made printable', () => {
  assert.equal(quote(5), '5');
  assert.equal(quote(null), 'null');
  assert.equal(quote(undefined), 'undefined');
  assert.equal(quote(true), 'true');
  assert.equal(quote({ a: 'b' }), '{"a":"b"}');
  assert.equal(quote(10n), '10');
  assert.equal(quote(['\x1b']), '["\\u001b"]');
  assert.doesNotMatch(quote({ big: 'z'.repeat(1000) }), /z{200}/);
});

test('whatever a value holds, its printable and quoted forms have no control character and are one line', () => {
  // Deterministic: every code point below 0x3000, and every byte pair decoded as a (maybe broken) UTF-8 text.
  let all = '';
  for (let c = 0; c < 0x3000; c++) all += String.fromCharCode(c);
  const bytes = Buffer.alloc(512);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 167 + 13) % 256;
  for (const text of [all, bytes.toString('utf8'), bytes.toString('latin1'), '\ud83d', 'a\r\n\u2029b']) {
    for (const shown of [printable(text), quote(text), printable(text, 50), quote(text, 50)]) {
      assert.deepEqual(controls(shown), [], JSON.stringify(shown));
    }
  }
});

test('nameList: the first ten names, printable and cut, then ...', () => {
  assert.equal(nameList(['a', 'b']), 'a, b');
  assert.equal(nameList(['a\x1b', 'c'.repeat(200)]), `a\\x1b, ${'c'.repeat(QUOTE_MAX)}…`);
  assert.equal(nameList(Array.from({ length: 12 }, (_, i) => `s${i}`)), 's0, s1, s2, s3, s4, s5, s6, s7, s8, s9, ...');
  assert.ok(MESSAGE_MAX >= 1000);
});

test('alignedTable shows a cell with control characters escaped, and aligns on what is shown', () => {
  const table = alignedTable(
    ['study', 'n'],
    [
      ['a\x1b[2Jb', '1'],
      ['plain', '22'],
    ],
    { leftFirst: true },
  );
  assert.equal(table, ['study       n', 'a\\x1b[2Jb   1', 'plain      22'].join('\n'));
});
