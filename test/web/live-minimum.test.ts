// The study page follows the fitted minimum live, in a real browser (Chromium) against `xorlab serve`: a study
// refined by real `xorlab refine` runs while the page is open shows new minima and intervals without a reload, its
// chart of readings grows, its readings are text too (a table under a disclosure that the keyboard opens and that a
// re-render leaves open); and trials replaced in place (what `xorlab recheck` writes: the count does not move) reach
// the page.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openSqliteStore } from '../../src/store/index.js';
import type { TrialRow } from '../../src/store/types.js';
import { skipWithoutChromium, withBrowser, type BrowserSession } from '../helpers/browser.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { startServe, type Served } from '../helpers/serve.js';

const skip = skipWithoutChromium();
let dir: string;
let db: string;
let served: Served;

before(async () => {
  dir = tempDir('xorlab-live-minimum-');
  db = join(dir, 'studies.db');
  // 16 stds around the article's minimum, 10 trainings each: a fitted minimum with a wide interval (about 2 s).
  for (const name of ['refined', 'rechecked']) {
    const r = runCli([
      'sweep',
      '--name',
      name,
      '--sweep',
      'hiddenStd=exp:-2:1:16',
      '--repeats',
      '10',
      '--epochs',
      '10000',
      '--workers',
      '1',
      '--db',
      db,
    ]);
    assert.equal(r.status, 0, r.stderr);
  }
  served = await startServe(['--db', db]);
});

after(async () => {
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `xorlab refine` in a child process (the page goes on meanwhile); resolves when it exits 0. */
function refine(name: string, budget: number): Promise<void> {
  const child = spawn(
    process.execPath,
    [BIN, 'refine', name, '--budget', String(budget), '--workers', '1', '--db', db],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`refine exited ${code}: ${stderr}`)))),
  );
}

function noErrors(browser: BrowserSession): void {
  assert.deepEqual(browser.errors, [], browser.errors.join('\n'));
}

interface Shown {
  x: number;
  width: number;
  text: string;
  readings: number;
  trials: number;
}

async function shown(page: Page): Promise<Shown> {
  const fit = page.getByTestId('fit');
  return {
    x: Number(await fit.getAttribute('data-x')),
    width: Number(await fit.getAttribute('data-width')),
    text: await fit.getByTestId('fit-text').innerText(),
    readings: Number(await fit.getByTestId('fit-chart').getAttribute('data-readings')),
    trials: Number(await page.getByTestId('study-meta').getAttribute('data-trials')),
  };
}

test(
  'refines while the study page is open: its fitted minimum and interval change live, and the chart of readings grows',
  { skip, timeout: 300_000 },
  async () => {
    await withBrowser(async (browser) => {
      const page = await browser.newPage();
      await page.goto(`${served.url}studies/refined`);
      await page.locator('[data-testid=fit-chart][data-readings="1"]').waitFor({ timeout: 30_000 });
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      const first = await shown(page);
      assert.equal(first.trials, 160);
      assert.match(
        first.text,
        /^hiddenStd ≈ [\d.]+, 95% CI \[[\d.]+, [\d.]+\], width [\d.]+; \d+ points in its window; 160 trials\.$/,
      );
      const seen = [first];
      for (const round of [1, 2, 3]) {
        await refine('refined', 200);
        const trials = 160 + 200 * round;
        // The view of the refined study reaches the page (no reload): its line and its minimum's caption.
        await page
          .locator(`[data-testid=fit]`)
          .filter({ hasText: `${trials.toLocaleString('en-US')} trials` })
          .waitFor({ timeout: 30_000 });
        seen.push(await shown(page));
      }
      const last = seen.at(-1)!;
      assert.equal(last.trials, 760);
      // A reading per view pushed: at least one per refine (more where a refine's chunks were seen on their way).
      assert.ok(last.readings >= 4, JSON.stringify(seen));
      assert.ok(
        seen.some((s) => s.x !== first.x || s.width !== first.width),
        `the minimum never changed: ${JSON.stringify(seen)}`,
      );
      assert.equal(
        await page.evaluate(() => (window as unknown as { marker?: number }).marker),
        42,
        'the page was not reloaded',
      );
      // The chart is one image named with the current values; the same values are in its caption.
      const chart = page.getByTestId('fit-chart');
      assert.equal(await chart.getAttribute('role'), 'img');
      const label = (await chart.getAttribute('aria-label')) ?? '';
      assert.match(
        label,
        new RegExp(
          `^Fitted minimum of hiddenStd and its interval against trainings, ${last.readings} readings since this page opened; now hiddenStd ≈ `,
        ),
      );
      assert.ok(last.text.startsWith(label.replace(/^.*; now /, '')), `${label} / ${last.text}`);
      // The readings as text: keyboard only, Tab to the disclosure, Enter opens it.
      let focused = '';
      for (let k = 0; k < 40 && focused !== 'SUMMARY'; k++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => document.activeElement?.tagName ?? '');
      }
      assert.equal(focused, 'SUMMARY');
      await page.keyboard.press('Enter');
      const rows = page.locator('[data-testid=fit-readings] tbody tr');
      await rows.first().waitFor();
      const trialsRead = async (): Promise<number[]> =>
        rows.evaluateAll((r) => r.map((x) => Number((x.firstElementChild as HTMLElement).innerText.replace(/,/g, ''))));
      const read = await trialsRead();
      assert.equal(read.length, last.readings);
      assert.deepEqual([read[0], read.at(-1)], [160, 760]);
      for (const [k, n] of read.entries()) if (k > 0) assert.ok(n > read[k - 1], `rising: ${read.join(', ')}`);
      // One more refine: the page re-renders, the table stays open and the focus stays on its disclosure.
      await refine('refined', 200);
      await page.locator('[data-testid=fit]').filter({ hasText: '960 trials' }).waitFor({ timeout: 30_000 });
      assert.equal(
        await page.locator('[data-testid=fit] details').evaluate((d) => (d as HTMLDetailsElement).open),
        true,
      );
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SUMMARY');
      assert.equal((await trialsRead()).at(-1), 960);
      noErrors(browser);
    });
  },
);

test(
  'trials replaced in place (as xorlab recheck writes them, the count unchanged) reach the open page',
  { skip },
  async () => {
    await withBrowser(async (browser) => {
      const page = await browser.newPage();
      await page.goto(`${served.url}studies/rechecked`);
      const row = page.locator('[data-testid=summary-row][data-point="6"]');
      await row.waitFor({ timeout: 30_000 });
      const before = await row.innerText();
      // Point 6's trials get a loss 500 higher (a recheck that retrained them would write their new results).
      const store = openSqliteStore(db);
      try {
        const replaced: TrialRow[] = [];
        for await (const t of store.iterateTrials('rechecked'))
          if (t.point === 6 && t.totalLoss !== null) replaced.push({ ...t, totalLoss: t.totalLoss + 500 });
        assert.ok(replaced.length > 0);
        assert.equal(await store.replaceTrials(replaced), replaced.length);
        const mean = (await store.summarize('rechecked')).find((p) => p.point === 6)!.mean!;
        await row.filter({ hasText: String(Number(mean.toPrecision(6))) }).waitFor({ timeout: 30_000 });
      } finally {
        await store.close();
      }
      assert.notEqual(await row.innerText(), before);
      assert.match(await page.getByTestId('study-meta').innerText(), /160 of 160 trials/);
      noErrors(browser);
    });
  },
);
