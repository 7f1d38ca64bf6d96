// Accessibility checks run in a real page by axe-core itself (a devDependency): its WCAG 2.0/2.1 A and AA rules and
// its best practices. axe's source is evaluated through the DevTools protocol (page.evaluate), which the pages'
// Content-Security-Policy (script-src 'self') does not govern: the product's CSP stays as it is and is still tested.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rule sets run: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** axe's violations inside `scope` (a CSS selector; default the whole document), one line per element:
 * `rule (impact) target: help`. Elements axe only lists for review ("incomplete") are not counted. */
export async function accessibilityProblems(page: Page, scope = 'html'): Promise<string[]> {
  if (!(await page.evaluate('typeof globalThis.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const options: RunOptions = { runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations'] };
  // A string, not a function: tsx's esbuild would wrap a function in a __name helper the page does not have.
  const results = await page.evaluate<AxeResults>(`axe.run(${JSON.stringify(scope)}, ${JSON.stringify(options)})`);
  return results.violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id} (${violation.impact ?? node.impact ?? 'unknown'}) ${node.target.join(' ')}: ${violation.help}`,
    ),
  );
}
