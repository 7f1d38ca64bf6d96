// `xorlab summary <study>`: the article's table (per point: mean, std, count, standard error of totalLoss), the
// success rate and divergences, the minimum with its confidence interval, and `--compare A B`.
import type { Command } from 'commander';
import { summaryReport, type SummaryReport } from '../../study/summary-report.js';
import { addDbOption, withStore } from '../db-option.js';
import { UsageError } from '../errors.js';
import { parseNumber } from '../parse.js';
import { describeParams, paramNamesOfPoints } from '../../study/points.js';
import { summaryCsv } from '../../study/summary.js';
import { alignedTable, percent, shortNumber } from '../../text/format.js';

interface SummaryOptions {
  db?: string;
  csv?: boolean;
  json?: boolean;
  compare?: string[];
  level: string;
  recompute?: boolean;
}

export function registerSummary(program: Command): void {
  const command = program
    .command('summary')
    .argument('<study>', 'study name (see xorlab studies)')
    .description("summarise a study: per point the mean, std, count and standard error of totalLoss (the article's table), success rate and divergences; the minimum with its confidence interval");
  addDbOption(command)
    .option('--csv', 'print the per-point table as CSV (full precision)')
    .option('--json', 'print one JSON document: points, minimum, comparison (full precision)')
    .option('--compare <point...>', 'two points, A then B: the % difference of mean totalLoss from A to B, with its confidence interval')
    .option('--level <p>', 'confidence level of the intervals', '0.95')
    .option('--recompute', 'aggregate every stored trial again (a full-scan SQL GROUP BY) instead of the per-point aggregates kept on insert')
    .addHelpText(
      'after',
      `
Columns: mean, std (n-1), count and stderr of totalLoss over the trials that did not diverge (count is like
pandas' count(): a diverged trial has no totalLoss), rse = stderr / mean, success = successes / all trials,
diverged = diverged trials.

A and B of --compare name points:
  0.7071                        the grid value nearest 0.7071 of the study's only swept parameter
                                (nearest on a log scale for positive values)
  hiddenStd=1,outputStd=0.8165  the nearest point in every swept parameter (name them all)
  activation=tanh               categorical values match exactly
  point=12                      the point with index 12
The result is 100 (mean_B - mean_A) / mean_A: negative when B has the lower (better) total loss. Its interval
uses the delta method for the ratio of the two means, with a t quantile at Welch-Satterthwaite degrees of freedom;
the minimum's interval is mean +- t(n-1) x stderr.

Examples:
  xorlab summary article
  xorlab summary article --compare 1 0.7071      (the article: 8.5% lower total loss)
  xorlab summary article --json > summary.json`,
    )
    .action((study: string, options: SummaryOptions) => runSummary(study, options));
}

async function runSummary(study: string, options: SummaryOptions): Promise<void> {
  if (options.csv && options.json) throw new UsageError('--csv and --json cannot be combined; choose one output format');
  if (options.compare && options.compare.length !== 2) {
    throw new UsageError(`--compare takes two points, A and B (e.g. --compare 1 0.7071), got ${options.compare.length}: ${options.compare.join(' ')}`);
  }
  if (options.compare && options.csv) throw new UsageError('--compare is printed with the table or --json, not with --csv');
  const level = parseNumber('--level', options.level, { minExclusive: 0, max: 0.9999 });

  const points = await withStore(options, (store) => (options.recompute ? store.recomputeSummary(study) : store.summarize(study)));
  const report = summaryReport(study, points, {
    level,
    compare: options.compare ? [options.compare[0], options.compare[1]] : undefined,
    onWarning: (line) => process.stderr.write(`xorlab: warning: ${line}\n`),
  });

  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const swept = paramNamesOfPoints(points);
  if (options.csv) {
    process.stdout.write(summaryCsv(points));
    return;
  }
  process.stdout.write(`${formatText(report, swept, level)}\n`);
}

function formatText(report: SummaryReport, swept: string[], level: number): string {
  const out: string[] = [];
  out.push(`study ${report.study}: ${report.points.length} points, ${report.trials.toLocaleString('en-US')} trials (totalLoss = the sum of the loss over all epochs)`);
  if (report.points.length === 0) {
    out.push('no trials stored yet');
    return out.join('\n');
  }
  const header = ['point', ...swept, 'mean', 'std', 'count', 'stderr', 'rse', 'success', 'diverged'];
  const rows = report.points.map((p) => [
    String(p.point),
    ...swept.map((n) => (typeof p.params[n] === 'number' ? shortNumber(p.params[n]) : String(p.params[n] ?? '-'))),
    shortNumber(p.mean),
    shortNumber(p.std),
    String(p.lossCount), // like pandas' count(): the trials behind the mean (diverged ones have no totalLoss)
    shortNumber(p.stderr, 4),
    p.rse === null ? '-' : percent(p.rse, 2),
    percent(p.successRate),
    String(p.diverged),
  ]);
  out.push(alignedTable(header, rows));
  const pct = `${shortNumber(100 * level, 4)}%`;
  const m = report.minimum;
  if (m) {
    const ci = m.low === null ? 'no interval (fewer than 2 trials)' : `${pct} CI [${shortNumber(m.low)}, ${shortNumber(m.high)}]`;
    out.push(`minimum: point ${m.point} (${describeParams(m.params)}): mean totalLoss ${shortNumber(m.mean)}, ${ci}, n=${m.count}`);
  }
  const c = report.comparison;
  if (c) {
    out.push(`compare A = point ${c.a.point} (${describeParams(c.a.params)}), mean ${shortNumber(c.a.mean)} ± ${shortNumber(c.a.stderr, 3)} (stderr, n=${c.a.count})`);
    out.push(`   with B = point ${c.b.point} (${describeParams(c.b.params)}), mean ${shortNumber(c.b.mean)} ± ${shortNumber(c.b.stderr, 3)} (stderr, n=${c.b.count})`);
    const direction = c.percent < 0 ? 'lower (better)' : 'higher (worse)';
    out.push(
      `B - A: ${signed(c.percent)}% of A, ${pct} CI [${signed(c.low)}%, ${signed(c.high)}%]: B's mean total loss is ${Math.abs(c.percent).toFixed(2)}% ${direction}; Welch p = ${shortNumber(c.pValue, 3)}`,
    );
  }
  return out.join('\n');
}

function signed(x: number): string {
  return `${x > 0 ? '+' : ''}${x.toFixed(2)}`;
}
