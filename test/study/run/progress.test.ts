import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barLine, createProgress, formatDuration, RecentRate } from '../../../src/study/run/progress.js';

test('without a terminal, progress is plain lines: done/total, trainings/s, elapsed, ETA', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  const progress = createProgress('sweep t', stream, 0);
  progress.start(4000);
  progress.update(1000);
  progress.stop();
  assert.equal(lines[0], 'sweep t: 4,000 trials to run\n');
  assert.match(
    lines[1],
    /^sweep t: 1,000\/4,000 \(25\.0%\), [\d,]+ trainings\/s, elapsed \d+\.\ds, ETA (\d+\.\ds|\d+m\d\ds|\d+h\d\dm|\?)\n$/,
  );
});

test('durations read naturally', () => {
  assert.equal(formatDuration(3.21), '3.2s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(7260), '2h01m');
  assert.equal(formatDuration(Infinity), '?');
});

/** A line progress on a clock the test moves; returns the lines and the update function at a time (seconds). */
function lineProgressAt(total: number): { lines: string[]; at: (seconds: number, done: number) => void } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  let now = 0;
  const progress = createProgress('sweep d', stream, 0, () => now);
  progress.start(total);
  return { lines, at: (seconds, done) => ((now = seconds * 1000), progress.update(done)) };
}

test('the rate and the ETA come from recent progress: a run that stops shows its rate falling to 0 and no ETA', () => {
  // The coordinator: 35,262 of 40,000 stored at 315/s, then nothing for two minutes, and it kept saying
  // "315 trainings/s ... ETA 15.0s".
  const { lines, at } = lineProgressAt(40_000);
  for (let s = 1; s <= 112; s++) at(s, Math.round(315 * s));
  assert.match(lines.at(-1)!, /, 315 trainings\/s, elapsed 1m52s, ETA 15\.0s\n$/);
  at(122, 35_280); // nothing moved for 10 s: the rate falls
  const falling = Number(/, ([\d,]+) trainings\/s/.exec(lines.at(-1)!)![1].replace(/,/g, ''));
  assert.ok(falling > 0 && falling < 315, lines.at(-1));
  for (let s = 123; s <= 232; s++) at(s, 35_280);
  assert.equal(
    lines.at(-1),
    'sweep d: 35,280/40,000 (88.2%), 0 trainings/s, elapsed 3m52s, no ETA: nothing stored for 2m00s\n',
  );
  // Work again: the rate is the recent one, not the average since the start (35,380 / 242 s = 146/s).
  for (let s = 233; s <= 242; s++) at(s, 35_280 + 10 * (s - 232));
  assert.match(lines.at(-1)!, /, 5 trainings\/s, elapsed 4m02s, ETA 15m24s\n$/);
});

test('the bar shows no ETA when nothing moves', () => {
  assert.match(
    barLine({ label: 'sweep b', done: 100, total: 1000, seconds: 60, width: 80, rate: 0 }),
    /100\/1,000 \| 0\/s \| no ETA/,
  );
  assert.match(
    barLine({ label: 'sweep b', done: 100, total: 1000, seconds: 60, width: 80, rate: 10 }),
    /100\/1,000 \| 10\/s \| ETA 1m30s/,
  );
  const rate = new RecentRate(20_000);
  rate.add(0, 0);
  rate.add(10_000, 1000);
  assert.equal(rate.perSecond(10_000), 100);
  assert.equal(rate.perSecond(20_000), 50); // nothing since: falling
  rate.add(31_000, 1000);
  rate.add(32_000, 1000);
  assert.equal(rate.perSecond(32_000), 0);
  assert.equal(rate.stillSeconds(32_000), 22);
});
