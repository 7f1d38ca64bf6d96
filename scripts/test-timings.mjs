// A node:test reporter for scripts/test.mjs: at the end of the run, the test files that took longest (each file's
// wall time, as the runner measured it), so that where the suite's time goes is seen on every run.
// XORLAB_TEST_TIMINGS=path also writes every file's seconds there as JSON (the slowest first).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const SHOWN = 15;

export default async function* testTimings(source) {
  const files = new Map();
  for await (const event of source) {
    // A file's own test:complete is named by its path (its tests have their own names).
    if (event.type === 'test:complete' && event.data.nesting === 0 && event.data.file === event.data.name) {
      files.set(relative(process.cwd(), event.data.file), (event.data.details?.duration_ms ?? 0) / 1000);
    }
  }
  if (files.size === 0) return;
  const slowest = [...files].sort((a, b) => b[1] - a[1]);
  if (process.env.XORLAB_TEST_TIMINGS) {
    writeFileSync(process.env.XORLAB_TEST_TIMINGS, `${JSON.stringify(Object.fromEntries(slowest), null, 1)}\n`);
  }
  const lines = [
    `slowest test files (of ${files.size}; wall time of each):`,
    ...slowest.slice(0, SHOWN).map(([file, seconds]) => `${seconds.toFixed(1).padStart(7)} s  ${file}`),
  ];
  // Beside TAP (the runner's output when it is not a terminal) the lines are TAP comments.
  const comment = process.stdout.isTTY ? '' : '# ';
  yield `\n${lines.map((line) => comment + line).join('\n')}\n`;
}
