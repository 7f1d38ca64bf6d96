// `xorlab summary <study>`: the article's table (per point: mean, std, count, standard error of totalLoss, or of
// another metric), the success rate and divergences, the fitted minimum with its confidence interval beside the
// lowest grid mean, optional quartiles, and `--compare A B`.
import { Option, type Command } from 'commander';
import {
  EXCLUSION_MARK,
  EXCLUSION_RULE,
  MARKED_MEANING,
  METRICS,
  METRIC_HELP,
  METRIC_NAMES,
  exclusionPhrase,
  type MetricName,
} from '../../study/analysis/metrics.js';
import { staleDivergedNote } from '../../study/analysis/stale.js';
import { MINIMUM_METHOD } from '../../study/analysis/minimum.js';
import { describeParams, paramNamesOfPoints } from '../../study/analysis/points.js';
import {
  MAX_LEVEL,
  MIN_LEVEL,
  summarizeStudy,
  summaryCsv,
  type MarkedPoint,
  type StudySummary,
  type SummaryPoint,
} from '../../study/analysis/summary.js';
import { addDbOption, withStore } from '../db-option.js';
import { UsageError } from '../errors.js';
import { parseNumber } from '../parse.js';
import { alignedTable, percent, pValueText, shortNumber } from '../../text/format.js';
import { QUOTE_MAX, printable } from '../../text/quote.js';

interface SummaryOptions {
  db?: string;
  csv?: boolean;
  json?: boolean;
  compare?: string[];
  level: string;
  recompute?: boolean;
  metric: MetricName;
  quantiles?: boolean;
}

export function registerSummary(program: Command): void {
  const command = program
    .command('summary')
    .argument('<study>', 'study name (see xorlab studies)')
    .description(
      "summarise a study: per point the mean, std, count and standard error of totalLoss (the article's table) or another metric, success rate and divergences; the fitted minimum with its confidence interval and the lowest grid mean",
    );
  addDbOption(command)
    .addOption(
      new Option('--metric <name>', `what to summarise: ${METRIC_HELP}`)
        .choices([...METRIC_NAMES])
        .default('totalLoss'),
    )
    .option(
      '--quantiles',
      "add each point's median and quartiles (reads every trial of the study: a scan, unlike the rest of the summary)",
    )
    .option('--csv', 'print the per-point table as CSV (full precision)')
    .option('--json', 'print one JSON document: points, minimum, comparison (full precision)')
    .option(
      '--compare <point...>',
      "two points, A then B: the % difference of the metric's mean from A to B (for success: the difference in percentage points), with its confidence interval",
    )
    .option('--level <p>', 'confidence level of the intervals', '0.95')
    .option(
      '--recompute',
      'aggregate every stored trial again (a full-scan SQL GROUP BY) instead of the per-point aggregates kept on insert',
    )
    .addHelpText(
      'after',
      `
Columns: mean, std (n-1), count and stderr of the metric over the trials that have it (count is like pandas'
count(): a diverged trial has no totalLoss, a trial that never reached the threshold no epochsToThreshold),
rse = stderr / mean, success = successes / all trials, diverged = diverged trials. --metric success prints each
point's rate with its Wilson interval.

The fitted minimum (loss-like metrics, along the study's one numeric axis, one per category of the other axes):
${MINIMUM_METHOD}.
The lowest grid mean is the grid point with the lowest mean, with mean +- t(n-1) x stderr.

A and B of --compare name points:
  0.7071                        the grid value nearest 0.7071 of the study's only swept parameter
                                (nearest on a log scale for positive values)
  hiddenStd=1,outputStd=0.8165  the nearest point in every swept parameter (name them all)
  activation=tanh               categorical values match exactly
  point=12                      the point with index 12
The result is 100 (mean_B - mean_A) / mean_A: negative when B has the lower (better) total loss. Its interval
uses the delta method for the ratio of the two means, with a t quantile at Welch-Satterthwaite degrees of freedom.
Points of one study have their own seeds: the samples are independent. For success: rate_B - rate_A in
percentage points, with Newcombe's hybrid score interval.

Examples:
  xorlab summary article
  xorlab summary article --compare 1 0.7071      (the article: 8.5% lower total loss)
  xorlab summary article --metric success --compare 1 0.7071
  xorlab summary article --quantiles --csv > summary.csv`,
    )
    .action((study: string, options: SummaryOptions) => runSummary(study, options));
}

async function runSummary(study: string, options: SummaryOptions): Promise<void> {
  if (options.csv && options.json)
    throw new UsageError('--csv and --json cannot be combined; choose one output format');
  if (options.compare && options.compare.length !== 2) {
    throw new UsageError(
      `--compare takes two points, A and B (e.g. --compare 1 0.7071), got ${options.compare.length}: ${options.compare.join(' ')}`,
    );
  }
  if (options.compare && options.csv)
    throw new UsageError('--compare is printed with the table or --json, not with --csv');
  if (options.quantiles && options.metric === 'success')
    throw new UsageError(
      '--quantiles needs a metric with values (totalLoss, finalLoss, epochsToThreshold); success is 0 or 1',
    );
  const level = parseNumber('--level', options.level, { min: MIN_LEVEL, max: MAX_LEVEL });
  const metric = options.metric;

  const compare = options.compare ? ([options.compare[0], options.compare[1]] as const) : undefined;
  // The same document as the library's summarizeStudy() and the dashboard's; the table and the CSV are drawn from it.
  const report = await withStore(options, (store) =>
    summarizeStudy(
      store,
      study,
      {
        metric,
        level,
        compare,
        quantiles: options.quantiles,
        recompute: options.recompute,
        onWarning: (line) => process.stderr.write(`xorlab: warning: ${printable(line)}\n`),
      },
      ['--compare A', '--compare B'],
    ),
  );

  // A study written before f32 overflow was trained again in f64: said on stderr, whatever the format.
  if (report.staleDiverged) {
    const { commandLine } = await import('../run.js'); // loaded only here: the summary itself does not need the runner
    process.stderr.write(
      `xorlab: warning: study ${study}: ${staleDivergedNote(report.staleDiverged, commandLine(['recheck', study, ...(options.db !== undefined ? ['--db', options.db] : [])]))}\n`,
    );
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const swept = paramNamesOfPoints(report.points);
  if (options.csv) {
    process.stdout.write(summaryCsv(report));
    return;
  }
  // Names and values come from the database: each line is made printable, whatever it quotes.
  const text = formatText(report, swept, level, options.quantiles === true);
  process.stdout.write(
    `${text
      .split('\n')
      .map((line) => printable(line))
      .join('\n')}\n`,
  );
}

function formatText(report: StudySummary, swept: string[], level: number, withQuantiles: boolean): string {
  const out: string[] = [];
  const info = METRICS[report.metric];
  const what =
    report.metric === 'totalLoss'
      ? 'totalLoss = the sum of the loss over all epochs'
      : `${report.metric}: ${info.label} over ${info.over}`;
  out.push(
    `study ${printable(report.study, QUOTE_MAX)}: ${report.points.length} points, ${report.trials.toLocaleString('en-US')} trials (${what})`,
  );
  if (report.points.length === 0) {
    out.push('no trials stored yet');
    return out.join('\n');
  }
  const params = (p: SummaryPoint) =>
    swept.map((n) => (typeof p.params[n] === 'number' ? shortNumber(p.params[n]) : String(p.params[n] ?? '-')));
  const pct = `${shortNumber(100 * level, 4)}%`;
  const qHeader = withQuantiles ? ['q25', 'median', 'q75'] : [];
  const q = (p: SummaryPoint) => (withQuantiles ? (p.quartiles ?? [null, null, null]).map((v) => shortNumber(v)) : []);
  if (report.metric === 'success') {
    const header = ['point', ...swept, 'success', `${pct} CI`, 'learned', 'count', 'diverged'];
    const rows = report.points.map((p) => [
      String(p.point),
      ...params(p),
      percent(p.successRate),
      p.value.low === null ? '-' : `[${percent(p.value.low)}, ${percent(p.value.high!)}]`,
      String(p.successes),
      String(p.count),
      String(p.diverged),
    ]);
    out.push(alignedTable(header, rows));
  } else {
    const countName = report.metric === 'epochsToThreshold' ? 'reached' : 'count';
    const header = ['point', ...swept, 'mean', 'std', countName, 'stderr', 'rse', ...qHeader, 'success', 'diverged'];
    const rows = report.points.map((p) => [
      String(p.point),
      ...params(p),
      `${shortNumber(p.value.value)}${p.value.marked ? ` ${EXCLUSION_MARK}` : ''}`,
      shortNumber(p.value.std),
      report.metric === 'epochsToThreshold' ? `${p.value.n}/${p.count}` : String(p.value.n), // like pandas' count(): the trials behind the mean
      shortNumber(p.value.stderr, 4),
      p.rse === null ? '-' : percent(p.rse, 2),
      ...q(p),
      percent(p.successRate),
      String(p.diverged),
    ]);
    out.push(alignedTable(header, rows));
    if (report.excluded > 0) {
      out.push(
        `mean, std and ${countName} are over ${info.over}: ${report.excluded.toLocaleString('en-US')} of ${report.trials.toLocaleString('en-US')} trials left out (the diverged column)` +
          (report.markedPoints.length ? `; ${EXCLUSION_RULE}` : ''),
      );
    }
  }
  for (const f of report.fitted) {
    const at = Object.keys(f.at).length ? `, ${describeParams(f.at as Record<string, string | number>)}` : '';
    out.push(
      `fitted minimum${at}: ${printable(f.along, QUOTE_MAX)} ≈ ${shortNumber(f.x, 4)}, ${pct} CI [${shortNumber(f.low, 3)}, ${shortNumber(f.high, 3)}], ${info.label} there ≈ ${shortNumber(f.value, 4)} ` +
        `(a cubic in ln ${printable(f.along, QUOTE_MAX)} over ±${f.window}, ${f.points} points, chi²/dof ${f.chi2PerDof.toFixed(2)}; lowest grid mean at ${shortNumber(f.lowestMean.x as number)})` +
        restsOn(f.marked),
    );
  }
  for (const u of report.unfitted) {
    const at = Object.keys(u.at).length ? `, ${describeParams(u.at as Record<string, string | number>)}` : '';
    out.push(`no fitted minimum${at} along ${printable(u.along, QUOTE_MAX)}: ${u.reason}`);
  }
  const m = report.minimum;
  if (m) {
    const name = info.lowerIsBetter ? 'lowest grid mean' : 'highest grid rate';
    const value = report.metric === 'success' ? percent(m.mean) : `mean ${report.metric} ${shortNumber(m.mean)}`;
    const ci =
      m.low === null
        ? 'no interval (fewer than 2 trials)'
        : `${pct} CI [${report.metric === 'success' ? percent(m.low) : shortNumber(m.low)}, ${report.metric === 'success' ? percent(m.high!) : shortNumber(m.high)}]`;
    const left = exclusionPhrase(m.excluded, m.count + m.excluded);
    out.push(
      `${name}: point ${m.point} (${describeParams(m.params)}): ${value}, ${ci}, n=${m.count}${left ? ` (${left})` : ''}`,
    );
  }
  const c = report.comparison;
  if (c) out.push(...comparisonText(c, report.metric, pct));
  return out.join('\n');
}

function comparisonText(c: NonNullable<StudySummary['comparison']>, metric: MetricName, pct: string): string[] {
  const value = (x: number | null) => (x === null ? '-' : metric === 'success' ? percent(x) : shortNumber(x));
  const spread = (s: { stderr: number | null }) =>
    metric === 'success' ? '' : ` ± ${shortNumber(s.stderr, 3)} (stderr`;
  const left = (s: typeof c.a) => (s.excluded ? `; ${exclusionPhrase(s.excluded, s.count + s.excluded)}` : '');
  const side = (s: typeof c.a) =>
    `point ${s.point} (${describeParams(s.params)}), ${metric === 'success' ? 'success' : 'mean'} ${value(s.mean)}${spread(s)}${metric === 'success' ? ` (n=${s.count})` : `, n=${s.count}${left(s)})`}`;
  const lines = [`compare A = ${side(c.a)}`, `   with B = ${side(c.b)}`];
  if ('difference' in c) {
    const pp = (x: number) => `${x > 0 ? '+' : ''}${(100 * x).toFixed(2)}`;
    const direction = c.difference > 0 ? 'higher (better)' : 'lower (worse)';
    lines.push(
      `B - A: ${pp(c.difference)} percentage points, ${pct} CI [${pp(c.low)}, ${pp(c.high)}]: B's success rate is ${Math.abs(100 * c.difference).toFixed(2)} points ${direction}`,
    );
  } else {
    const direction = c.percent < 0 ? 'lower (better)' : 'higher (worse)';
    const what = metric === 'totalLoss' ? 'mean total loss' : `mean ${METRICS[metric].label}`;
    lines.push(
      `B - A: ${signed(c.percent)}% of A, ${pct} CI [${signed(c.low)}%, ${signed(c.high)}%]: B's ${what} is ${Math.abs(c.percent).toFixed(2)}% ${direction}; Welch p ${pValueText(c.pValue)}`,
    );
  }
  return lines;
}

/** What a fitted minimum says of the marked points it rests on ('' when none). */
function restsOn(marked: readonly MarkedPoint[]): string {
  if (marked.length === 0) return '';
  const shown = marked
    .slice(0, 4)
    .map((p) => `point ${p.point} (${describeParams(p.params)}: ${p.excluded} of ${p.count} diverged)`);
  const more = marked.length > shown.length ? `, and ${marked.length - shown.length} more` : '';
  return `; ${EXCLUSION_MARK} it rests on ${marked.length} marked point${marked.length > 1 ? 's' : ''} (${MARKED_MEANING}): ${shown.join(', ')}${more}`;
}

function signed(x: number): string {
  return `${x > 0 ? '+' : ''}${x.toFixed(2)}`;
}
