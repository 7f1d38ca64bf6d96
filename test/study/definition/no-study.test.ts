// The one line every command and library call gives for a study name the database does not hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noStudyMessage } from '../../../src/study/definition/types.js';

test('an unknown study: the name quoted with control characters shown, where was looked, the first ten names held', () => {
  assert.equal(
    noStudyMessage('nope', 'xorlab.db', ['relu', 'std']),
    'there is no study "nope" in xorlab.db; studies: relu, std',
  );
  assert.equal(noStudyMessage('a\x1b[31mred', 'x.db', []), 'there is no study "a\\x1b[31mred" in x.db');
  const many = Array.from({ length: 12 }, (_, i) => `s${i}`);
  assert.match(noStudyMessage('x', 'x.db', many), /; studies: s0, s1, .*, s9, \.\.\.$/);
});
