// `npm run bench`: runs the bench sections (./sections.ts) and prints their figures (`--json`: one JSON object).
// `--section <name>` (repeatable) runs only the named ones.
import { SECTIONS } from './sections.js';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `Usage: npm run bench -- [--json] [--section NAME]...\n\n` +
        `Runs the benchmarks and prints their figures (--json: one JSON object). Sections: ${SECTIONS.map((s) => s.name).join(', ')}.\n` +
        `Timings are wall-clock: run on a quiet machine and compare ratios from one run.\n`,
    );
    return;
  }
  const known = new Set(['--json', '--section']);
  const stray = argv.filter((a, k) => !known.has(a) && argv[k - 1] !== '--section');
  if (stray.length > 0) {
    process.stderr.write(`bench: unknown argument ${stray.join(' ')}; allowed: --json, --section NAME, --help\n`);
    process.exit(2);
  }
  const json = argv.includes('--json');
  const wanted: string[] = [];
  for (let k = 0; k < argv.length; k++) if (argv[k] === '--section') wanted.push(argv[++k] ?? '');
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown section ${unknown.join(', ')}; allowed: ${SECTIONS.map((s) => s.name).join(', ')}\n`,
    );
    process.exit(2);
  }
  const chosen = wanted.length > 0 ? SECTIONS.filter((s) => wanted.includes(s.name)) : SECTIONS;
  const out: Record<string, unknown> = {};
  if (!json) process.stdout.write('xorlab bench (timings are wall-clock; a busy machine makes them slower)\n');
  for (const section of chosen) {
    try {
      const { figures, text } = await section.run();
      out[section.name] = figures;
      if (!json) process.stdout.write(`\n${text}\n`);
    } catch (error) {
      out[section.name] = { error: (error as Error).message };
      if (!json) process.stdout.write(`\n${section.name}: failed: ${(error as Error).message}\n`);
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main(process.argv.slice(2));
