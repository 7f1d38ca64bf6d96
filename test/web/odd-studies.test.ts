// The dashboard in Chromium over a database made elsewhere: studies named ".", "..", "a/b", ... open from their
// links (the browser would resolve /studies/.. to /), a study whose definition is not JSON is listed, marked, and
// its page says what is wrong instead of "Loading…"; one whose point params are broken says so on its page.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { skipWithoutChromium, withBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { damagedDatabase, ODD_NAMES } from '../helpers/damaged.js';

const skip = skipWithoutChromium();
let store: Store;
let running: RunningServer;

before(async () => {
  const db = join(tempDir('xorlab-odd-'), 'studies.db');
  await damagedDatabase(db);
  store = openSqliteStore(db, { readonly: true });
  running = await startServer({ store, port: 0 });
});

after(async () => {
  await running?.close();
  await store?.close();
});

test(
  'every odd name opens its own page from the dashboard; the damaged studies say what is wrong',
  { skip },
  async () => {
    await withBrowser(async (browser) => {
      const page = await browser.newPage();
      await page.goto(running.url);
      const rows = page.getByTestId('study-row');
      await rows.first().waitFor();
      assert.equal(await rows.count(), ODD_NAMES.length + 3);
      const damaged = page.locator('[data-testid=study-row][data-damaged=true]');
      assert.deepEqual(await damaged.evaluateAll((r) => r.map((x) => (x as HTMLElement).dataset.name)), ['baddef']);
      assert.match(await damaged.innerText(), /damaged: its stored definition is not JSON/);

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
  },
);
