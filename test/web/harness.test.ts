// The browser harness itself: Chromium starts from /usr/bin/chromium with a fresh profile, a page of `xorlab serve`
// loads under its Content-Security-Policy with no console error, and a console error is caught when there is one.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSqliteStore } from '../../src/store/index.js';
import { skipWithoutChromium, withBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { startServe, type Served } from '../helpers/serve.js';

const skip = skipWithoutChromium();
let dir: string;
let served: Served;

before(async () => {
  dir = tempDir('xorlab-harness-');
  await openSqliteStore(join(dir, 'x.db')).close();
  served = await startServe(['--db', join(dir, 'x.db')]);
});

after(async () => {
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

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
