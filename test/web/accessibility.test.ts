// Accessibility checks (test/helpers/a11y.ts: axe-core's rules that these pages can break, run in Chromium) on the
// study page's fitted minimum (its chart of readings and their table) and on the playground's newer views: each
// hidden unit's line, the neuron maps, the hidden space and one epoch's arithmetic, each drawn after a training.
// The first test shows every rule firing on a page made to break it: the checks can fail.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { accessibilityProblems } from '../helpers/a11y.js';
import { skipWithoutChromium, withBrowser } from '../helpers/browser.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { openPlayground, trainToEnd } from '../helpers/playground.js';
import { startServe, type Served } from '../helpers/serve.js';

const skip = skipWithoutChromium();
let dir: string;
let served: Served;

before(async () => {
  dir = tempDir('xorlab-a11y-');
  const db = join(dir, 'studies.db');
  const r = runCli([
    'sweep',
    '--name',
    'curve',
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
  served = await startServe(['--db', db]);
});

after(async () => {
  await served?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the checks find what each rule looks for', { skip }, async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.setContent(`<main>
      <svg role="img" width="10" height="10"></svg>
      <input id="same"><span id="same"></span>
      <button></button><a href="/x"></a>
      <p style="color:#aaa;background:#fff">faint</p>
      <div aria-hidden="true"><button>hidden but focusable</button></div>
      <div role="chart" aria-labelledby="nowhere">x</div>
    </main>`);
    const found = (await accessibilityProblems(page)).map((p) => p.split(':')[0]).sort();
    assert.deepEqual(
      [...new Set(found)],
      [
        'aria-hidden-focus',
        'aria-roles',
        'aria-valid-attr-value',
        'button-name',
        'color-contrast',
        'duplicate-id',
        'image-alt',
        'label',
        'link-name',
      ],
    );
  });
});

test("the study page's fitted minimum, its chart and its table of readings pass the checks", { skip }, async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.goto(`${served.url}studies/curve`);
    await page.locator('[data-testid=fit-chart]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=study-curve][data-state=drawn]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=fit] summary').click();
    await page.locator('[data-testid=fit-readings]').waitFor();
    assert.deepEqual(await accessibilityProblems(page, '[data-testid=fits]'), []);
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.deepEqual(browser.errors, []);
  });
});

test(
  "the playground's views of how the network computes (each unit's line, the neuron maps, the hidden space, one epoch's arithmetic) pass the checks",
  { skip, timeout: 180_000 },
  async () => {
    await withBrowser(async (browser) => {
      const { page } = await openPlayground(browser, served.url, 'seed=7&epochs=300&speed=max');
      await trainToEnd(page);
      for (const [name, scope] of [
        ["each hidden unit's line", '#unit-lines-view'],
        ['the neuron maps', '#maps-details'],
        ['the hidden space', '#hidden-details'],
        ["one epoch's arithmetic", '#epoch-details'],
      ]) {
        assert.equal(await page.locator(scope).count(), 1, `${name}: ${scope} is on the page`);
        assert.deepEqual(await accessibilityProblems(page, scope), [], name);
      }
      assert.deepEqual(await accessibilityProblems(page), [], 'the whole playground');
      assert.deepEqual(browser.errors, []);
    });
  },
);
