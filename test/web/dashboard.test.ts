// The dashboard in a real browser (Chromium): studies written by real `xorlab sweep`s, a study written during the
// test (commit by commit, as a sweep writes) seen live through the event stream, a study name that is an HTML attack
// shown as text, keyboard use, a phone-width screen, and no console error on any page; the browser harness itself, and
// a database made elsewhere with odd names and damaged studies (each formerly a file of its own).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startServer } from '../../src/server/server.js';
import { openSqliteStore } from '../../src/store/index.js';
import { resolveStudy } from '../../src/study/definition/definition.js';
import type { TrialRow } from '../../src/store/types.js';
import { skipWithoutChromium, withBrowser, type BrowserSession } from '../helpers/browser.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { damagedDatabase, ODD_NAMES } from '../helpers/damaged.js';
import { startServe, type Served } from '../helpers/serve.js';
import { trial } from '../store/fixtures.js';

const skip = skipWithoutChromium();
const XSS = '<img src=x onerror=alert(1)>';
let dir: string;
let db: string;
let served: Served;

before(async () => {
  dir = tempDir('xorlab-dashboard-');
  db = join(dir, 'studies.db');
  for (const args of [
    ['--name', 'curve', '--sweep', 'hiddenStd=exp:-3:4:8', '--repeats', '4'],
    ['--name', 'land', '--sweep', 'hiddenStd=0.5,1,2', '--sweep', 'lr=0.1,0.5', '--repeats', '3'],
  ]) {
    const r = runCli(['sweep', ...args, '--epochs', '300', '--workers', '1', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
  }
  // A database can hold any text (written by another program, or edited): this study's name is an attack.
  const store = openSqliteStore(db);
  await store.ensureStudy(XSS, {
    name: XSS,
    sweep: { hiddenStd: [0.5, 1] },
    repeats: 2,
    config: { dataset: '<b>bold</b>' },
  });
  const rows: TrialRow[] = [0, 1].flatMap((point) =>
    [0, 1].map((repeat) => ({
      study: XSS,
      point,
      repeat,
      params: { hiddenStd: [0.5, 1][point] },
      seed: repeat,
      totalLoss: 100 + point + repeat,
      finalLoss: 0.1,
      success: true,
      epochsToThreshold: 10,
      diverged: false,
      engine: 'fast',
      precision: 'f64',
    })),
  );
  await store.insertTrials(rows);
  await store.close();
  served = await startServe(['--db', db]);
});

after(async () => {
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const studyUrl = (name: string): string => `${served.url}studies/${encodeURIComponent(name)}`;

async function curveDrawn(page: Page, testid = 'study-curve'): Promise<void> {
  await page.locator(`[data-testid=${testid}][data-state=drawn]`).waitFor({ timeout: 30_000 });
}

/** Asserts the session saw no console error, page error or failed request. */
function noErrors(browser: BrowserSession): void {
  assert.deepEqual(browser.errors, [], browser.errors.join('\n'));
}

// The browser harness itself (test/helpers/browser.ts; here rather than in a file of its own, which cost a Node,
// playwright, Chromium and server start of its own): Chromium starts from /usr/bin/chromium with a fresh profile, a
// page of `xorlab serve` loads under its Content-Security-Policy with no console error, and a console error is caught
// when there is one.
test('the dashboard loads in Chromium with no console error, and the harness catches one', { skip }, async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.goto(served.url);
    assert.equal(await page.title(), 'xorlab studies');
    assert.deepEqual(browser.errors, []);
    // An inline script is refused by the CSP: Chromium reports the violation as a console error (awaited).
    const violation = page.waitForEvent('console', {
      predicate: (message) => message.type() === 'error' && /Content Security Policy/.test(message.text()),
      timeout: 10_000,
    });
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.injected = 1';
      document.body.append(s);
    });
    await violation;
    assert.equal(
      await page.evaluate(() => (window as unknown as { injected?: number }).injected),
      undefined,
      'the inline script did not run',
    );
    assert.ok(
      browser.errors.some((e) => /Content Security Policy/.test(e)),
      browser.errors.join('\n'),
    );
  });
});

test('the dashboard lists the studies of a real sweep; a study page draws one mark per point', { skip }, async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.goto(served.url);
    const rows = page.getByTestId('study-row');
    await rows.first().waitFor();
    assert.deepEqual(
      await rows.evaluateAll((r) => r.map((x) => (x as HTMLElement).dataset.name).sort()),
      [XSS, 'curve', 'land'].sort(),
    );
    const curveRow = rows.filter({ hasText: 'curve' });
    assert.match(await curveRow.innerText(), /hiddenStd 0\.04979 … 54\.6 \(8\)[\s\S]*8[\s\S]*32 of 32/);

    await curveRow.getByTestId('study-link').click();
    await page.waitForURL(/\/studies\/curve$/);
    await curveDrawn(page);
    assert.equal(await page.getByTestId('study-name').innerText(), 'curve');
    // The curve's mean points: the layer named mean_points in the spec of `xorlab plot curve`.
    assert.equal(await page.locator('[data-testid=study-curve] g.mean_points_marks path').count(), 8);
    assert.equal(
      await page
        .locator(
          '[data-testid=study-curve] g.stderr_bars_marks line, [data-testid=study-curve] g.stderr_bars_marks path',
        )
        .count(),
      8,
    );
    // To a screen reader the chart is one image with its own label (vega's "Vega visualization" replaced).
    const chart = page.getByTestId('study-curve');
    assert.deepEqual(
      [await chart.getAttribute('role'), await chart.getAttribute('aria-label')],
      ['img', 'Curve of study curve: mean total loss against the swept parameter'],
    );
    assert.equal(
      await page
        .getByRole('img', { name: 'Curve of study curve: mean total loss against the swept parameter' })
        .count(),
      1,
    );
    assert.equal(await page.getByTestId('summary-row').count(), 8);
    assert.match(await page.getByTestId('study-meta').innerText(), /32 of 32 trials/);

    // Compare: the first point against the lowest mean, as xorlab summary --compare computes it.
    await page.getByTestId('compare-button').click();
    await page.locator('[data-testid=compare-result][data-state=done]').waitFor();
    const a = await page.getByTestId('compare-a').inputValue();
    const b = await page.getByTestId('compare-b').inputValue();
    const cli = JSON.parse(
      runCli(['summary', 'curve', '--json', '--db', db, '--compare', `point=${a}`, `point=${b}`]).stdout,
    );
    const shown = await page.getByTestId('compare-result').innerText();
    assert.ok(shown.includes(`${Math.abs(cli.comparison.percent).toFixed(2)}%`), shown);
    assert.ok(shown.includes(`${Math.abs(cli.comparison.low).toFixed(2)}%`), shown);

    // Downloads are the API's files.
    assert.equal(await page.getByTestId('download-csv').getAttribute('href'), '/api/studies/curve/trials?format=csv');
    assert.equal(await page.getByTestId('download-png').getAttribute('href'), '/api/studies/curve/curve.png');

    // The 2-D study: a heatmap with one cell per point.
    await page.goto(studyUrl('land'));
    await curveDrawn(page, 'study-heatmap');
    assert.equal(await page.locator('[data-testid=study-heatmap] g.cells_marks path').count(), 6);
    assert.equal(await page.getByTestId('study-curve').isHidden(), true);
    noErrors(browser);
    // No request left the server: vega and everything else is bundled.
    const foreign = browser.requests.filter((u) => !u.startsWith(served.url) && !/^(data|blob|about):/.test(u));
    assert.deepEqual(foreign, []);
    assert.ok(
      browser.requests.some((u) => u.endsWith('/study.js')),
      'requests were seen',
    );
  });
});

test('a study written during the test shows up live, with rising counts, without a reload', { skip }, async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.goto(served.url);
    await page.getByTestId('study-row').first().waitFor();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const study = await browser.newPage();
    // Another process (this one; the server is `xorlab serve`'s) writes the study as a sweep does, its definition
    // then its trials in commits, 2 points x 400 repeats in four commits of 200. Each commit waits until both pages
    // show its count: every step is seen, on a loaded machine too, and nothing trains or polls meanwhile.
    const writer = openSqliteStore(db);
    try {
      await writer.ensureStudy(
        'growing',
        resolveStudy({ name: 'growing', sweep: { hiddenStd: '0.5,1' }, repeats: 400 }).definition,
      );
      const rows = [0, 1].flatMap((point) =>
        Array.from({ length: 400 }, (_, repeat) => trial('growing', point, repeat, 900 + 100 * point + repeat / 10)),
      );
      const row = page.locator('[data-testid=study-row][data-name=growing]');
      const seen: number[] = [];
      const seenOnStudyPage = new Set<string>();
      for (let commit = 1; commit <= 4; commit++) {
        await writer.insertTrials(rows.slice(200 * (commit - 1), 200 * commit));
        const trials = 200 * commit;
        await page.locator(`[data-testid=study-row][data-name=growing][data-trials="${trials}"]`).waitFor();
        seen.push(Number(await row.getAttribute('data-trials')));
        if (commit === 1) await study.goto(studyUrl('growing'));
        await study.locator(`[data-testid=study-meta][data-trials="${trials}"]`).waitFor();
        seenOnStudyPage.add((await study.getByTestId('study-meta').getAttribute('data-trials'))!);
      }
      assert.equal(seen.at(-1), 800, `counts seen: ${seen.join(', ')}`);
      assert.ok(seen.length >= 3, `at least two updates before the end; seen ${seen.join(', ')}`);
      for (let k = 1; k < seen.length; k++) assert.ok(seen[k] > seen[k - 1], `rising: ${seen.join(', ')}`);
      assert.equal(
        await page.evaluate(() => (window as unknown as { marker?: number }).marker),
        42,
        'the page was not reloaded',
      );
      assert.match(await row.innerText(), /800 of 800/);
      assert.equal(await page.getByTestId('live-status').getAttribute('data-state'), 'live');
      // The study page followed too, and its curve is drawn at the end.
      await study.locator('[data-testid=study-meta][data-trials="800"]').waitFor({ timeout: 10_000 });
      assert.ok(seenOnStudyPage.size >= 2, `the study page saw ${[...seenOnStudyPage].join(', ')}`);
      await curveDrawn(study);
      assert.equal(await study.locator('[data-testid=study-curve] g.mean_points_marks path').count(), 2);
      noErrors(browser);
    } finally {
      await writer.close();
    }
  });
});

test('a study name that is HTML shows literally and nothing in it runs', { skip }, async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(served.url);
    const row = page.locator('[data-testid=study-row]').filter({ hasText: XSS });
    await row.waitFor();
    assert.equal(await row.getByTestId('study-link').innerText(), XSS);
    assert.equal(await page.locator('img').count(), 0, 'no <img> element was created');
    await row.getByTestId('study-link').click();
    await curveDrawn(page);
    assert.equal(await page.getByTestId('study-name').innerText(), XSS);
    assert.equal(await page.title(), `${XSS} — xorlab`);
    // The chart's title is SVG text holding the literal name.
    assert.ok(
      (await page.locator('[data-testid=study-curve] svg').innerHTML()).includes(
        'Study &lt;img src=x onerror=alert(1)&gt;: total loss',
      ),
    );
    assert.equal(await page.locator('img').count(), 0);
    // Two frames drawn after the study page, instead of a fixed wait: no dialog, and nothing asked for the name's
    // image (an <img src=x> would have fetched x before its onerror could run).
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(null)))),
    );
    assert.deepEqual(dialogs, []);
    assert.deepEqual(
      browser.requests.filter((url) => new URL(url).pathname.endsWith('/x')),
      [],
    );
    noErrors(browser);
  });
});

test('keyboard only: reach a study and sort its table without a mouse', { skip }, async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.goto(served.url);
    await page.getByTestId('study-row').first().waitFor();
    let focused = '';
    for (let k = 0; k < 20 && focused !== '/studies/curve'; k++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('href') ?? '');
    }
    assert.equal(focused, '/studies/curve');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/studies\/curve$/);
    await curveDrawn(page);
    let testid = '';
    for (let k = 0; k < 40 && testid !== 'sort-mean'; k++) {
      await page.keyboard.press('Tab');
      testid = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    }
    assert.equal(testid, 'sort-mean');
    await page.keyboard.press('Enter');
    const means = async (): Promise<number[]> =>
      page
        .getByTestId('summary-row')
        .evaluateAll((rows) => rows.map((r) => Number((r.children[2] as HTMLElement).innerText)));
    const ascending = await means();
    assert.deepEqual(
      ascending,
      [...ascending].sort((x, y) => x - y),
    );
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'sort-mean',
      'focus stays on the header',
    );
    await page.keyboard.press('Enter');
    assert.deepEqual(await means(), [...ascending].reverse());
    noErrors(browser);
  });
});

test(
  'phone width: every page fits the screen; unknown studies say so; no console error anywhere',
  { skip },
  async () => {
    await withBrowser(
      async (browser) => {
        const page = await browser.newPage();
        for (const url of [served.url, studyUrl('curve'), studyUrl('land'), studyUrl(XSS), studyUrl('no-such-study')]) {
          await page.goto(url);
          if (url === served.url) await page.getByTestId('study-row').first().waitFor();
          else if (url.endsWith('no-such-study')) await page.locator('#problem:not([hidden])').waitFor();
          else await page.locator('[data-state=drawn]').first().waitFor();
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          assert.ok(overflow <= 0, `${url} is ${overflow}px wider than the screen`);
          // The browser asks for the favicon after the page has loaded: going on before it arrives aborts it, which
          // the session records as a failed request (seen once in a full run). Wait for it, so the check stays strict.
          await page.waitForLoadState('networkidle');
        }
        assert.match(await page.locator('#problem').innerText(), /no study named “no-such-study”/);
        noErrors(browser);
      },
      { width: 375, height: 740 },
    );
  },
);

test('the page reconnects by itself when the server comes back', { skip }, async () => {
  // A server of its own on a free port, stopped and started again on the same port.
  let server = await startServe(['--db', db]);
  const port = new URL(server.url).port;
  try {
    await withBrowser(async (browser) => {
      const page = await browser.newPage();
      await page.goto(server.url);
      const status = page.getByTestId('live-status');
      await page.locator('[data-testid=live-status][data-state=live]').waitFor();
      await server.stop();
      await page.locator('[data-testid=live-status][data-state=reconnecting]').waitFor({ timeout: 20_000 });
      assert.match(await status.innerText(), /reconnecting/);
      server = await startServe(['--db', db, '--port', port]);
      await page.locator('[data-testid=live-status][data-state=live]').waitFor({ timeout: 20_000 });
      // And it is live again: a new study appears without a reload.
      const writer = openSqliteStore(db);
      try {
        await writer.ensureStudy(
          'after-restart',
          resolveStudy({ name: 'after-restart', sweep: { hiddenStd: '1,2' }, repeats: 2 }).definition,
        );
        await writer.insertTrials([0, 1].flatMap((point) => [0, 1].map((r) => trial('after-restart', point, r, 5))));
      } finally {
        await writer.close();
      }
      await page.locator('[data-testid=study-row][data-name=after-restart]').waitFor({ timeout: 20_000 });
      // While the server was away, the browser reported the refused connections; nothing else.
      const unexpected = browser.errors.filter((e) => !/ERR_CONNECTION_REFUSED/.test(e));
      assert.deepEqual(unexpected, []);
    });
  } finally {
    await server.stop();
  }
});

// Over a database made elsewhere (here rather than in a file of its own, which cost a Node, playwright and Chromium
// start of its own): studies named ".", "..", "a/b", ... open from their links (the browser would resolve
// /studies/.. to /), a study whose definition is not JSON is listed, marked, and its page says what is wrong instead
// of "Loading…"; one whose point params are broken says so on its page. Served in process, read-only.
test(
  'every odd name opens its own page from the dashboard; the damaged studies say what is wrong',
  { skip },
  async () => {
    const damaged = join(dir, 'damaged.db');
    await damagedDatabase(damaged);
    const store = openSqliteStore(damaged, { readonly: true });
    const running = await startServer({ store, port: 0 });
    try {
      await withBrowser(async (browser) => {
        const page = await browser.newPage();
        await page.goto(running.url);
        const rows = page.getByTestId('study-row');
        await rows.first().waitFor();
        assert.equal(await rows.count(), ODD_NAMES.length + 3);
        const marked = page.locator('[data-testid=study-row][data-damaged=true]');
        assert.deepEqual(await marked.evaluateAll((r) => r.map((x) => (x as HTMLElement).dataset.name)), ['baddef']);
        assert.match(await marked.innerText(), /damaged: its stored definition is not JSON/);

        for (const name of ODD_NAMES) {
          await page.goto(running.url);
          await page
            .locator(`[data-testid=study-row][data-name="${name.replace(/["\\]/g, '\\$&')}"] [data-testid=study-link]`)
            .click();
          await page.locator('[data-testid=study-name]').waitFor();
          await page.waitForFunction(() => document.querySelector('[data-testid=summary-row]') !== null, undefined, {
            timeout: 30_000,
          });
          assert.equal(await page.getByTestId('study-name').innerText(), name, `the page of ${JSON.stringify(name)}`);
          assert.equal(await page.getByTestId('summary-row').count(), 4, name);
        }

        for (const [name, problem] of [
          ['baddef', /The study “baddef” cannot be read: its stored definition is not JSON/],
          ['badparams', /study "badparams" cannot be read: the stored params of point 2 are not a JSON object/],
        ] as const) {
          await page.goto(`${running.url}studies/${name}`);
          await page.waitForFunction(() => (document.getElementById('problem')?.textContent ?? '') !== '', undefined, {
            timeout: 30_000,
          });
          assert.match(await page.locator('#problem').innerText(), problem);
          assert.doesNotMatch(await page.getByTestId('study-meta').innerText(), /Loading/);
        }
      });
    } finally {
      await running.close();
      await store.close();
    }
  },
);
