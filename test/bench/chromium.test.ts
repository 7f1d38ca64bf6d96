// The flags every Chromium of the tests and the bench gets (src/bench/chromium.ts): they keep playwright's own
// switched-off features (Chromium reads only the last --disable-features), and a new context opens no WebUI omnibox
// popup (a renderer of ~1.7 CPU-s per context that headless never shows).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../src/bench/chromium.js';
import { skipWithoutChromium } from '../helpers/browser.js';

/** Chromium as the tests launch it, with the command line it got, and the UI targets a new context opens. */
async function launched(args: string[]): Promise<{ disabled: string[][]; ui: string[] }> {
  const { chromium } = await import('playwright-core');
  const server = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args });
  try {
    const disabled = server
      .process()
      .spawnargs.filter((arg) => arg.startsWith('--disable-features='))
      .map((arg) => arg.slice('--disable-features='.length).split(','));
    const browser = await chromium.connect(server.wsEndpoint());
    const context = await browser.newContext();
    await (await context.newPage()).goto('data:text/html,<p>x</p>');
    const cdp = await browser.newBrowserCDPSession();
    // The popup is made as the window opens; what is listed once the page has loaded is what the context made.
    const { targetInfos } = await cdp.send('Target.getTargets');
    await browser.close();
    return { disabled, ui: targetInfos.filter((t) => t.type !== 'page').map((t) => `${t.type} ${t.url}`) };
  } finally {
    await server.close();
  }
}

test(
  "the tests' Chromium keeps playwright's switched-off features and opens no omnibox popup per context",
  { skip: skipWithoutChromium() },
  async () => {
    const ours = await launched(CHROMIUM_ARGS);
    assert.equal(ours.disabled.length, 2, 'playwright passes one --disable-features, ours comes last');
    const [playwrights, last] = ours.disabled;
    assert.deepEqual(
      playwrights.filter((feature) => !last.includes(feature)),
      [],
      'a feature playwright switches off is missing from ours (update PLAYWRIGHT_DISABLED_FEATURES)',
    );
    assert.deepEqual(ours.ui, []);
    // Without our flag the popup is there: the check above can fail.
    const plain = await launched(CHROMIUM_ARGS.filter((arg) => !arg.startsWith('--disable-features=')));
    assert.ok(
      plain.ui.some((target) => target.includes('omnibox-popup')),
      `no popup without the flag either: ${plain.ui.join(', ')}`,
    );
  },
);
