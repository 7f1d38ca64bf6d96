import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatDuration } from '../../src/study/progress.js';

test('without a terminal, progress is plain lines: done/total, trainings/s, elapsed, ETA', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  const progress = createProgress('sweep t', stream, 0);
  progress.start(4000);
  progress.update(1000);
  progress.stop();
  assert.equal(lines[0], 'sweep t: 4,000 trials to run\n');
  assert.match(lines[1], /^sweep t: 1,000\/4,000 \(25\.0%\), [\d,]+ trainings\/s, elapsed \d+\.\ds, ETA (\d+\.\ds|\d+m\d\ds|\d+h\d\dm|\?)\n$/);
});

test('durations read naturally', () => {
  assert.equal(formatDuration(3.21), '3.2s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(7260), '2h01m');
  assert.equal(formatDuration(Infinity), '?');
});
