// The in-page study in Chromium against `xorlab sweep`: the same plan, seeds and kernel give the same trials and
// point means; a running study can be cancelled; and the static build works from any static host, under a subpath.
//
// One column may differ in its last bit: the grid's hidden std, exp(linspace(...)), because Chromium's Math.exp
// is not Node 20's in the last bit for a few percent of inputs. The kernel trains in f32, into which that bit
// (and the same in the initial parameters, drawn with Math.log and Math.cos) rounds away: every trial's results
// and every point's mean are compared to the bit.
import assert from 'node:assert/strict';
import { createReadStream, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/store/index.js';
import { skipWithoutChromium, withBrowser } from '../helpers/browser.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { close, downloadText, openPlayground, trainToEnd } from '../helpers/playground.js';
import { startServe, type Served } from '../helpers/serve.js';

const skip = skipWithoutChromium();
let dir: string;
let served: Served;

before(async () => {
  dir = tempDir('xorlab-playground-study-');
  await openSqliteStore(join(dir, 'x.db')).close();
  served = await startServe(['--db', join(dir, 'x.db')]);
});

after(async () => {
  await served?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** CSV rows as arrays of fields (the files here quote nothing). */
function rows(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => line.split(','));
}

/** Equal to the bit, except the column `loose`, which may differ in its last bit. */
function sameCsv(page: string, cli: string, loose: string): void {
  const [a, b] = [rows(page), rows(cli)];
  assert.deepEqual(a[0], b[0]);
  assert.equal(a.length, b.length);
  const column = a[0].indexOf(loose);
  assert.ok(column >= 0);
  for (let r = 1; r < a.length; r++) {
    assert.ok(
      close(Number(a[r][column]), Number(b[r][column]), 3e-16),
      `row ${r}: ${loose} ${a[r][column]} vs ${b[r][column]}`,
    );
    assert.deepEqual(
      a[r].filter((_, c) => c !== column),
      b[r].filter((_, c) => c !== column),
      `row ${r}`,
    );
  }
}

async function waitForStudy(page: import('playwright-core').Page, state: string, timeout = 300_000): Promise<void> {
  await page.waitForFunction(
    (s) => document.querySelector('[data-testid=study-progress]')?.getAttribute('data-state') === s,
    state,
    { timeout },
  );
}

test(
  "the in-page study gives xorlab sweep's trials and point means for the same seeds, and the CLI's curve",
  { skip },
  async () => {
    await withBrowser(async (browser) => {
      const query =
        'seed=1&epochs=2000&outputStd=0.8165&updateOrder=seed&bceClip=1e-15&studyPoints=12&repeats=6&studySeed=5&workers=2';
      const { page, foreign } = await openPlayground(browser, served.url, query);
      const commands = (await page.textContent('[data-testid=cli-study]'))!.split('\n');
      assert.deepEqual(commands, [
        'xorlab sweep --name playground --sweep hiddenStd=exp:-3:4:12 --repeats 6 --seed 5 --bce-clip 1e-15 --epochs 2000 --output-std 0.8165 --update-order seed',
        'xorlab summary playground --csv',
      ]);
      await page.click('[data-testid=run-study-button]');
      await waitForStudy(page, 'done');
      assert.equal(await page.getAttribute('[data-testid=study-progress]', 'data-done'), '72');
      assert.match((await page.textContent('[data-testid=study-progress]'))!, /Done: 72 of 72 trainings/);
      await page.waitForSelector('[data-testid=study-curve][data-final=true][data-points="12"] canvas');
      const summary = await downloadText(page, 'download-summary', dir);
      const trials = await downloadText(page, 'download-trials', dir);

      const db = join(dir, 'cli.db');
      const sweep = runCli([...commands[0].split(' ').slice(1), '--db', db]);
      assert.equal(sweep.status, 0, sweep.stderr);
      const cliSummary = runCli(['summary', 'playground', '--csv', '--db', db]);
      assert.equal(cliSummary.status, 0, cliSummary.stderr);
      sameCsv(summary.text, cliSummary.stdout, 'hiddenStd');
      const cliTrials = runCli(['export', 'playground', '--db', db]);
      sameCsv(trials.text, cliTrials.stdout, 'hiddenStd');
      // The means are real numbers of a real study (not all equal, not all failed).
      const means = rows(summary.text)
        .slice(1)
        .map((r) => Number(r[rows(summary.text)[0].indexOf('mean')]));
      assert.equal(new Set(means).size, 12);
      assert.deepEqual(foreign, []);
      assert.deepEqual(browser.errors, []);
    });
  },
);

test('a running study stops at Cancel, keeps what finished, and can run again', { skip }, async () => {
  await withBrowser(async (browser) => {
    // One worker: the 40,000 trainings only have to be under way when Cancel is pressed; a second worker would
    // only burn the other core until then.
    const { page } = await openPlayground(browser, served.url, 'seed=1&studyPoints=400&repeats=100&workers=1');
    await page.click('[data-testid=run-study-button]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=study-progress]')?.getAttribute('data-done')) > 0,
      null,
      { timeout: 120_000 },
    );
    await page.click('[data-testid=cancel-study-button]');
    await waitForStudy(page, 'cancelled');
    const done = Number(await page.getAttribute('[data-testid=study-progress]', 'data-done'));
    assert.ok(done > 0 && done < 40_000, String(done));
    assert.match((await page.textContent('[data-testid=study-progress]'))!, /Cancelled after/);
    assert.ok(await page.isEnabled('[data-testid=download-summary]'));
    assert.ok(await page.isHidden('[data-testid=cancel-study-button]'));
    // The page is still alive: a small study runs to the end.
    await page.fill('[data-testid=field-repeats]', '1');
    await page.fill('[data-testid=field-studyPoints]', '5');
    await page.press('[data-testid=field-studyPoints]', 'Enter');
    await page.click('[data-testid=run-study-button]');
    await waitForStudy(page, 'done');
    assert.equal(await page.getAttribute('[data-testid=study-progress]', 'data-done'), '5');
    assert.deepEqual(browser.errors, []);
  });
});

/** A plain static host: files under `root` at /static/web/..., every .wasm as application/octet-stream, no CSP. */
function plainHost(root: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = {
    html: 'text/html',
    js: 'text/javascript',
    css: 'text/css',
    svg: 'image/svg+xml',
    wasm: 'application/octet-stream',
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const file = normalize(join(root, path.replace(/^\/static\/web\//, '')));
    if (!path.startsWith('/static/web/') || !file.startsWith(root)) return void res.writeHead(404).end();
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'Content-Type': types[file.split('.').pop() ?? ''] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/static/web/` }),
    ),
  );
}

test(
  'the static build (dist/web) works from a plain static host under a subpath, .wasm served without its type',
  { skip },
  async () => {
    const root = fileURLToPath(new URL('../../dist/web/', import.meta.url));
    const { server, url } = await plainHost(root);
    try {
      await withBrowser(async (browser) => {
        const { page, foreign } = await openPlayground(
          browser,
          url,
          'seed=3&epochs=400&speed=max&studyPoints=4&repeats=2',
          { path: 'playground.html' },
        );
        await trainToEnd(page);
        await page.click('[data-testid=run-study-button]');
        await waitForStudy(page, 'done');
        assert.equal(await page.getAttribute('[data-testid=study-progress]', 'data-done'), '8');
        assert.deepEqual(foreign, []);
        assert.deepEqual(browser.errors, []);
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  },
);
