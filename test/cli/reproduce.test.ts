import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';

test('xorlab reproduce (a trial run) writes the figures, report.md with the claims table and summary.csv; without --db its trials are in the report folder', async () => {
  // Run in a folder of its own without --db: the trials go to article.db in the report folder, away from the working
  // directory's xorlab.db (what npm start must not write into).
  const cwd = tempDir();
  const out = join(cwd, 'report');
  const db = join(out, 'article.db');
  const args = ['reproduce', '--epochs', '200', '--points', '6', '--repeats', '3', '--workers', '1', '--out', 'report'];
  const r = runCli(args, { cwd, env: { ...process.env, XORLAB_DB: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(join(cwd, 'xorlab.db')), "npm start wrote into the user's xorlab.db");
  const store = openSqliteStore(db, { readonly: true });
  let stored: { name: string; trialCount: number }[];
  try {
    stored = await store.listStudies();
  } finally {
    await store.close();
  }
  const names = stored.map((s) => s.name);
  assert.ok(names.includes('article-quick-e200-p6-r3-curve'), names.join(', '));
  const files = readdirSync(out).sort();
  assert.ok(files.includes('article.db'), files.join(', '));
  for (const f of [
    'boundary.png',
    'neurons.png',
    'curve-textbook.png',
    'curve.png',
    'loss.png',
    'report.md',
    'summary.csv',
    'weights-std0.05.png',
    'weights-std10.png',
    'next-activation.png',
    'next-loss.png',
    'next-schedule.png',
    'next-summary.csv',
  ])
    assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  for (const f of files.filter((f) => f.endsWith('.png')))
    assert.equal(readFileSync(join(out, f)).subarray(1, 4).toString(), 'PNG');
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  // One source for each number: the report counts what the database holds (both parts, every study), and its
  // running time is the one the console prints.
  const total = stored.reduce((n, s) => n + s.trialCount, 0).toLocaleString('en-US');
  assert.match(md, new RegExp(`: ${total} trainings in ${stored.length} studies stored in `));
  const said = /, (\d+) s of running in this invocation/.exec(md)?.[1];
  assert.ok(said !== undefined, md.split('\n')[2]);
  assert.match(r.stderr, new RegExp(`done: ${said} s of running \\(as report\\.md says\\)`));
  assert.match(md, /\| the minimum of the curve lies near 0\.6 \|/);
  assert.match(md, /\| std 1\/√2 instead of 1 improves the total loss by 8\.5% \| 8\.5% \| −?\d+\.\d% \[/);
  assert.match(md, /\| a network that learns nothing .* 139 \(exact: 200 × ln 2\) — \*\*disagrees\*\*/);
  assert.match(md, /Update order\./);
  for (const f of ['curve.png', 'weights-std0.05.png', 'boundary.png', 'neurons.png'])
    assert.match(md, new RegExp(`\\]\\(${f.replace('.', '\\.')}\\)`));
  // The second part follows the first, whose last section (Data) it leaves as it was.
  const [first, second] = md.split('\n## What the article asks next\n');
  assert.ok(second, 'report.md has the section "What the article asks next"');
  assert.match(first, /## Data\n\n`summary\.csv`: one row per point of every study .*\n.*\n$/);
  assert.doesNotMatch(first, /activation|schedule|next-/);
  for (const f of ['next-activation.png', 'next-loss.png', 'next-schedule.png'])
    assert.ok(second.includes(`](${f})`), f);
  assert.match(second, /### Activation\n[\s\S]*### Loss\n[\s\S]*### Learning-rate schedule\n/);
  const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
  // Only the first part's studies: 6 + 3 claim stds in the seed order, 5 + 3 in the textbook order.
  assert.equal(csv.length, 1 + 6 + 3 + 5 + 3);
  // The trial run's next studies on grids of 7: 5 activations x 7 stds, 2 losses x 2 lrs x 7 stds, 4 schedules x 7 lrs.
  assert.equal(readFileSync(join(out, 'next-summary.csv'), 'utf8').trim().split('\n').length, 1 + 35 + 28 + 28);
  // Its studies hold fast f32 trials: going on with the reference engine is refused, and nothing changes.
  const before = statSync(db).size;
  const mixed = usageErrorLine(
    runCli([...args, '--engine', 'reference'], { cwd, env: { ...process.env, XORLAB_DB: '' } }),
  );
  assert.match(
    mixed,
    /study "article-quick-e200-p6-r3-curve" holds trials trained with --engine fast --precision f32; this run asks for --engine reference/,
  );
  assert.equal(statSync(db).size, before);
});

test('xorlab reproduce: bad input is one line, exit 2, nothing stored; --help names where the trials go', () => {
  assert.match(runCli(['reproduce', '--help']).stdout.replace(/\s+/g, ' '), /default: article\.db in the --out folder/);
  const dir = tempDir();
  assert.match(usageErrorLine(runCli(['reproduce', '--scale', 'huge', '--db', join(dir, 'a.db')])), /huge/);
  assert.match(
    usageErrorLine(runCli(['reproduce', '--points', '2', '--db', join(dir, 'a.db')])),
    /--points must be an integer >= 5/,
  );
  assert.match(
    usageErrorLine(runCli(['reproduce', '--points', '100000', '--repeats', '1000000', '--db', join(dir, 'a.db')])),
    /200,000,000,000 trials; a study holds at most 100,000,000/,
  );
  writeFileSync(join(dir, 'file'), 'x');
  assert.match(
    usageErrorLine(
      runCli([
        'reproduce',
        '--epochs',
        '10',
        '--points',
        '5',
        '--repeats',
        '2',
        '--out',
        join(dir, 'file'),
        '--db',
        join(dir, 'a.db'),
      ]),
    ),
    /--out/,
  );
  assert.deepEqual(readdirSync(dir).sort(), ['file']);
  // --db names a text file: refused before the report folder is made.
  const out = join(dir, 'out');
  const text = 'not a database\n'.repeat(100);
  writeFileSync(join(dir, 'notes.txt'), text);
  assert.match(
    usageErrorLine(
      runCli([
        'reproduce',
        '--epochs',
        '10',
        '--points',
        '5',
        '--repeats',
        '2',
        '--out',
        out,
        '--db',
        join(dir, 'notes.txt'),
      ]),
    ),
    /notes\.txt/,
  );
  assert.ok(!existsSync(out), '--out was created');
  assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), text);
});
