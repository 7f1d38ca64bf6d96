// A real browser for the tests: Debian's chromium (/usr/bin/chromium, `apt-get install -y chromium`; .ci/run
// installs it) driven by playwright-core. Never `npx playwright install`: nothing may be downloaded.
//
// A test file launches Chromium once (on its first session; closed by an `after` hook when the file's tests end):
// every session is a fresh browser context of it (no cookie, storage, cache or service worker carried between
// tests), collects every console error, uncaught page error and failed request of its pages, and is always closed.
// One launch per file instead of one per test saves a second or two of CPU per test.
// Pitfalls seen here: a missing favicon is a console error (the pages link /favicon.svg); `window.status` is a
// built-in string (never use it as a global); closing an EventSource while it connects logs net::ERR_ABORTED, so
// pages close their EventSource on `pagehide` and tests read `errors` before the page is closed.
import { after } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, hasChromium } from '../../src/bench/chromium.js';

export { CHROMIUM, CHROMIUM_ARGS, hasChromium } from '../../src/bench/chromium.js';

/**
 * For node:test's `skip`: false when Chromium is here; otherwise the reason to skip. In CI (CI=true) a missing
 * browser is not a reason to skip: the test runs and fails, so that a missing install step cannot pass unseen.
 */
export function skipWithoutChromium(): string | false {
  if (hasChromium() || process.env.CI === 'true') return false;
  return `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
}

export interface BrowserSession {
  readonly context: BrowserContext;
  /** Console errors, uncaught exceptions and failed requests of every page opened through newPage(), in order. */
  readonly errors: string[];
  /** The URL of every request those pages made (to check that nothing leaves the server's origin). */
  readonly requests: string[];
  /** A new page whose problems are collected into `errors`. */
  newPage(options?: { width?: number; height?: number }): Promise<Page>;
}

export interface LaunchOptions {
  /** Viewport of new pages (default 1280 x 900). */
  width?: number;
  height?: number;
}

/** This file's Chromium, launched by its first session. */
let shared: Promise<Browser> | undefined;

function sharedBrowser(): Promise<Browser> {
  shared ??= import('playwright-core').then(({ chromium }) =>
    chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 }),
  );
  return shared;
}

// Registered as this module loads (at the test file's top level): runs once the file's tests have all ended.
after(async () => {
  if (shared === undefined) return;
  const browser = await shared.catch(() => undefined);
  shared = undefined;
  await browser?.close();
});

async function launch(options: LaunchOptions): Promise<{ session: BrowserSession; close: () => Promise<void> }> {
  const browser = await sharedBrowser();
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
  });
  const close = (): Promise<void> => context.close();
  const errors: string[] = [];
  const requests: string[] = [];
  const watch = (page: Page): void => {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (${page.url()})`);
    });
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(`page error: ${error.message} (${page.url()})`));
    page.on('requestfailed', (request) => {
      const failure = request.failure()?.errorText ?? 'failed';
      // An EventSource or a fetch that the page itself cancels (navigation, close()) is not a fault.
      if (
        failure === 'net::ERR_ABORTED' &&
        (request.resourceType() === 'eventsource' || request.resourceType() === 'fetch')
      )
        return;
      errors.push(`request failed: ${request.method()} ${request.url()}: ${failure}`);
    });
  };
  const session: BrowserSession = {
    context,
    errors,
    requests,
    async newPage(size) {
      const page = await context.newPage();
      if (size?.width !== undefined || size?.height !== undefined) {
        await page.setViewportSize({
          width: size.width ?? options.width ?? 1280,
          height: size.height ?? options.height ?? 900,
        });
      }
      watch(page);
      return page;
    },
  };
  return { session, close };
}

/** Runs `use` with a fresh browser context (of the file's one Chromium), closed whatever happens. */
export async function withBrowser<T>(
  use: (session: BrowserSession) => Promise<T>,
  options: LaunchOptions = {},
): Promise<T> {
  const { session, close } = await launch(options);
  try {
    return await use(session);
  } finally {
    await close();
  }
}
