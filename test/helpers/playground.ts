// Driving the playground page in the tests: open it with a query, train to the end, read its figures, download.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { BrowserSession } from './browser.js';

export interface OpenedPage {
  page: Page;
  /** Requests that left the page's own origin (there must be none). */
  foreign: string[];
}

/** Opens `<base>playground?<query>` (or `path` under base) and waits until the training worker has loaded the run
 * (or the page shows why it cannot). */
export async function openPlayground(
  browser: BrowserSession,
  base: string,
  query: string,
  options: { path?: string; width?: number; height?: number } = {},
): Promise<OpenedPage> {
  const page = await browser.newPage(
    options.width ? { width: options.width, height: options.height ?? 800 } : undefined,
  );
  const origin = new URL(base).origin;
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) foreign.push(url);
  });
  await page.goto(`${base}${options.path ?? 'playground'}${query ? `?${query}` : ''}`);
  await page.waitForSelector('[data-testid=epoch][data-value], [data-testid=problems]:not([hidden])');
  return { page, foreign };
}

export async function dataValue(page: Page, testid: string): Promise<string> {
  return (await page.getAttribute(`[data-testid=${testid}]`, 'data-value')) ?? '';
}

/** Presses Train and waits for the last epoch; returns the final loss and total loss as the page holds them. */
export async function trainToEnd(
  page: Page,
  timeout = 120_000,
): Promise<{ loss: number; total: number; status: string; lossText: string }> {
  await page.click('[data-testid=train-button]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=run-status]')?.textContent?.startsWith('Done') === true,
    null,
    { timeout },
  );
  const lossText = await dataValue(page, 'loss');
  return {
    loss: Number(lossText),
    total: Number(await dataValue(page, 'total-loss')),
    status: (await page.textContent('[data-testid=run-status]')) ?? '',
    lossText,
  };
}

/** Clicks a download button and returns the file's text (saved into `dir`). */
export async function downloadText(
  page: Page,
  testid: string,
  dir: string,
): Promise<{ text: string; path: string; name: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return { text: readFileSync(path, 'utf8'), path, name: download.suggestedFilename() };
}

/** |a - b| / |b| <= rel. */
export function close(a: number, b: number, rel: number): boolean {
  return Math.abs(a - b) <= rel * Math.abs(b);
}
