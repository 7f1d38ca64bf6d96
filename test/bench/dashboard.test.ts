// The bench's browser section (the dashboard part) on a small scale: it runs end to end in Chromium and reports its
// figures (no timing is judged: tests never time). Without Chromium it says it skipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchDashboard, formatDashboardBench } from '../../src/bench/dashboard.js';
import { hasChromium } from '../../src/bench/chromium.js';
import { skipWithoutChromium } from '../helpers/browser.js';

test(
  'bench browser section: the dashboard of a small study, opened and drawn',
  { skip: skipWithoutChromium() },
  async () => {
    const r = await benchDashboard({ points: 12, repeats: 300, loads: 2 });
    assert.ok(!('skipped' in r), 'ran');
    if ('skipped' in r) return;
    assert.equal(r.trials, 3600);
    assert.equal(r.curveSeconds.all.length, 2);
    for (const x of [...r.curveSeconds.all, r.listSeconds]) assert.ok(Number.isFinite(x) && x > 0, String(x));
    assert.match(
      formatDashboardBench(r),
      /study page opened -> curve drawn: \d+\.\d{3} s best, \d+\.\d{3} s median of 2 loads \(goal <= 1 s\)/,
    );
  },
);

test('bench browser section: the line it prints when there is no Chromium', () => {
  assert.equal(
    formatDashboardBench({ skipped: 'no Chromium at /usr/bin/chromium (apt-get install -y chromium)' }),
    'browser (dashboard): skipped: no Chromium at /usr/bin/chromium (apt-get install -y chromium)',
  );
  assert.equal(typeof hasChromium(), 'boolean');
});
