// Accessibility checks by axe-core (test/helpers/a11y.ts: its WCAG 2.0/2.1 A and AA rules and best practices, run in
// Chromium) on every page the server has: the list of studies, a study's page with its fitted minimum (the chart of
// readings and their table open), and the playground with all its views open after a training (each hidden unit's
// line, the neuron maps, the hidden space, the diagram, one epoch's arithmetic), at desktop and at phone width.
// The first test shows axe finding violations on a page made to break its rules: the check can fail.
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

const WIDTHS = [
  ['desktop', 1280, 900],
  ['phone', 390, 844],
] as const;

test('axe finds the violations of a page made to break its rules', { skip }, async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.setContent(`<html><body><main>
      <svg role="img" width="10" height="10"></svg>
      <input id="same"><span id="same"></span>
      <button></button><a href="/x"></a>
      <p style="color:#aaa;background:#fff">faint</p>
      <div aria-hidden="true"><button>hidden but focusable</button></div>
      <div role="chart">x</div>
    </main></body></html>`);
    const problems = await accessibilityProblems(page);
    const rules = [...new Set(problems.map((p) => p.split(' ')[0]))].sort();
    for (const rule of [
      'aria-hidden-focus',
      'aria-roles',
      'button-name',
      'color-contrast',
      'html-has-lang',
      'label',
      'link-name',
      'svg-img-alt',
    ])
      assert.ok(rules.includes(rule), `${rule} is among ${rules.join(', ')}`);
    // One readable line per element: rule, impact, where, and what to do.
    assert.ok(
      problems.some((p) => /^button-name \(critical\) main > button: Buttons must have discernible text$/.test(p)),
      problems.join('\n'),
    );
  });
});

for (const [device, width, height] of WIDTHS) {
  test(`the list of studies passes axe (${device})`, { skip }, async () => {
    await withBrowser(
      async (browser) => {
        const page = await browser.newPage();
        await page.goto(served.url);
        await page.locator('[data-testid=studies]:not([aria-busy]) a').waitFor({ timeout: 30_000 });
        assert.deepEqual(await accessibilityProblems(page), []);
        assert.deepEqual(browser.errors, []);
      },
      { width, height },
    );
  });

  test(
    `a study's page with its fitted minimum, its chart and its table of readings passes axe (${device})`,
    { skip },
    async () => {
      await withBrowser(
        async (browser) => {
          const page = await browser.newPage();
          await page.goto(`${served.url}studies/curve`);
          await page.locator('[data-testid=fit-chart]').waitFor({ timeout: 30_000 });
          await page.locator('[data-testid=study-curve][data-state=drawn]').waitFor({ timeout: 30_000 });
          await page.locator('[data-testid=fit] summary').click();
          await page.locator('[data-testid=fit-readings]').waitFor();
          assert.deepEqual(await accessibilityProblems(page), []);
          assert.deepEqual(browser.errors, []);
        },
        { width, height },
      );
    },
  );

  test(
    `the playground with every view open after a training passes axe (${device})`,
    { skip, timeout: 180_000 },
    async () => {
      await withBrowser(
        async (browser) => {
          const { page } = await openPlayground(
            browser,
            served.url,
            'seed=7&epochs=300&speed=max&studyPoints=4&repeats=2&workers=1',
            { width, height },
          );
          assert.deepEqual(await accessibilityProblems(page), [], 'before training');
          await trainToEnd(page);
          await page.locator('#advanced summary').click();
          for (const view of [
            '#maps-details',
            '#hidden-details',
            '#diagram-details',
            '#epoch-details',
            '#unit-lines-view',
          ])
            assert.equal(await page.locator(view).count(), 1, `${view} is on the page`);
          assert.deepEqual(await accessibilityProblems(page), [], 'after training, every view open');
          await page.click('[data-testid=run-study-button]');
          await page.waitForSelector('[data-testid=study-progress][data-state=done]', { timeout: 120_000 });
          await page.waitForSelector('[data-testid=study-curve][data-final=true] canvas');
          assert.deepEqual(await accessibilityProblems(page), [], 'after the in-page study, its curve drawn');
          assert.deepEqual(browser.errors, []);
        },
        { width, height },
      );
    },
  );
}

test(
  'the pages that say what is wrong pass axe: a study that does not exist, a playground link with a bad setting',
  { skip },
  async () => {
    await withBrowser(async (browser) => {
      const page = await browser.newPage();
      await page.goto(`${served.url}studies/no-such-study`);
      await page.locator('#problem:not([hidden])').waitFor({ timeout: 30_000 });
      assert.deepEqual(await accessibilityProblems(page), [], 'a study that does not exist');
      const { page: playground } = await openPlayground(browser, served.url, 'seed=seven');
      await playground.locator('[data-testid=problems]:not([hidden])').waitFor();
      assert.deepEqual(await accessibilityProblems(playground), [], 'a bad setting in the link');
    });
  },
);
