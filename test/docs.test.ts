// The README is the guide and docs/ the reference it links to: every relative link in them must lead somewhere, and
// every #anchor to a heading of the page it names (GitHub's heading ids), so that moving text between pages cannot
// leave a reader at a dead link.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The pages checked: the README and every Markdown page under docs/. */
function pages(): string[] {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => join('docs', name)),
  ];
}

/** Text outside fenced code blocks and inline code, where a link is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

/** GitHub's id of a heading: lower case, punctuation dropped, spaces to hyphens; a repeated id gets -1, -2, ... */
export function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of markdown.replace(/^```[\s\S]*?^```/gm, '').split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** Every relative link of a page: [text](target) and [text](target "title"), images included. */
function relativeLinks(markdown: string): string[] {
  const links = [...prose(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  return links.filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link));
}

test('GitHub heading ids: punctuation and code marks dropped, repeats numbered', () => {
  const ids = headingIds(
    '# A: `xorlab sweep` and `xorlab refine`\n## Update order: `textbook`\n## Update order: `textbook`\n```\n# not a heading\n```\n',
  );
  assert.deepEqual([...ids], ['a-xorlab-sweep-and-xorlab-refine', 'update-order-textbook', 'update-order-textbook-1']);
});

test('every relative link and #anchor in README.md and docs/ resolves', () => {
  const broken: string[] = [];
  let checked = 0;
  for (const page of pages()) {
    const text = readFileSync(join(root, page), 'utf8');
    for (const link of relativeLinks(text)) {
      checked++;
      const [path, anchor] = link.split('#', 2) as [string, string | undefined];
      const target = path === '' ? join(root, page) : join(root, dirname(page), decodeURIComponent(path));
      if (!existsSync(target)) {
        broken.push(`${page}: ${link} (no ${relative(root, target)})`);
        continue;
      }
      if (
        anchor !== undefined &&
        anchor !== '' &&
        target.endsWith('.md') &&
        !headingIds(readFileSync(target, 'utf8')).has(anchor)
      ) {
        broken.push(`${page}: ${link} (no heading #${anchor} in ${relative(root, target)})`);
      }
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked > 30, `only ${checked} links were found: is the link pattern right?`);
});

test('the README links every page of docs/', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const linked = new Set(relativeLinks(readme).map((link) => link.split('#')[0]));
  const unlinked = pages().filter(
    (page) => page.startsWith('docs') && page !== join('docs', 'README.md') && !linked.has(page),
  );
  assert.deepEqual(unlinked, []);
});
