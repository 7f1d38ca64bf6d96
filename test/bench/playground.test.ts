// The bench's browser section, the playground's part, on a small scale: both sides run the study and report their
// rates (no timing is judged: tests never time). Without Chromium it says it skipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchPlayground, formatPlaygroundBench } from '../../src/bench/playground.js';
import { skipWithoutChromium } from '../helpers/browser.js';

test(
  "bench browser section: the in-page study beside Node's, on a small scale",
  { skip: skipWithoutChromium() },
  async () => {
    const r = await benchPlayground({ points: 4, repeats: 3, epochs: 300, workers: 2, rounds: 1 });
    assert.ok(!('skipped' in r), 'ran');
    if ('skipped' in r) return;
    assert.equal(r.trainings, 12);
    for (const x of [...r.chromium.all, ...r.node.all, r.ratio.best, r.ratio.medianOfRounds])
      assert.ok(Number.isFinite(x) && x > 0, String(x));
    assert.equal(r.ratio.best, r.chromium.best / r.node.best);
    assert.match(
      formatPlaygroundBench(r),
      /Chromium \/ Node: \d+\.\d\dx of the best rates, \d+\.\d\dx median of the rounds' own ratios \(goal >= 0\.8x\)/,
    );
  },
);

test("bench browser section: the playground's line when there is no Chromium", () => {
  assert.equal(
    formatPlaygroundBench({ skipped: 'no Chromium at /usr/bin/chromium (apt-get install -y chromium)' }),
    'browser (playground): skipped: no Chromium at /usr/bin/chromium (apt-get install -y chromium)',
  );
});
