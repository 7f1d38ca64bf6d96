// `xorlab refine <study>`: more trainings where the relative standard error of the mean total loss is largest,
// as the article does. --budget N splits N trials in proportion to each point's RSE; --target-rse r asks for
// as many as each point needs to reach r. New repeats continue after the stored ones, seeds derived the same way.
import { noStudyMessage } from '../../study/definition/types.js';
import type { Command } from 'commander';
import { DEFAULT_MAX_TRIALS, MIN_TRIALS, predictedRse, type PointError } from '../../study/run/allocate.js';
import { planRefinement, type Refinement } from '../../study/run/refine.js';
import { MAX_STUDY_TRIALS, type Study } from '../../study/definition/definition.js';
import { prepareRun, type PreparedRun } from '../../study/run/prepare.js';
import { pointErrors, reserveAdditional } from '../../study/run/stored.js';
import { dbLabel, openStoreFromOptions } from '../db-option.js';
import {
  addDistributedOptions,
  checkDistributedFlags,
  openDistributedStore,
  runDistributed,
  type DistributedFlags,
} from '../distributed.js';
import { EXIT_INTERRUPTED, UsageError, type Outcome } from '../errors.js';
import { parseNumber } from '../parse.js';
import {
  addRunOptions,
  commandLine,
  loadedStudy,
  runFlagArgs,
  runSettings,
  runWithProgress,
  toStudy,
  type RunFlags,
} from '../run.js';
import { QUOTE_MAX, printable, quote } from '../../text/quote.js';
import { parseMaxTrials, runGoal } from './refine-goal.js';

interface RefineOptions extends RunFlags, DistributedFlags {
  budget?: string;
  targetRse?: string;
  maxTrials?: string;
  dryRun?: boolean;
  goal?: string[];
  targetWidth?: string;
  untilResolved?: boolean;
  metric?: string;
}

export function registerRefine(program: Command, end: (outcome: Outcome) => void): void {
  const command = program
    .command('refine')
    .description('add trials to a stored study where the relative standard error (stderr/mean of totalLoss) is largest')
    .argument('<study>', "the study's name")
    .option(
      '--budget <n>',
      `this many more trials, split in proportion to each point's relative standard error (a study holds at most ${MAX_STUDY_TRIALS.toLocaleString('en-US')} trials)`,
    )
    .option(
      '--target-rse <r>',
      'as many trials as each point needs for a predicted relative standard error <= r (e.g. 0.01)',
    )
    .option(
      '--max-trials <n>',
      `with --target-rse: refuse to plan more than this many trials (default: ${DEFAULT_MAX_TRIALS})`,
    )
    .option('--dry-run', 'print the allocation and run nothing')
    .option(
      '--goal <goal...>',
      '"minimum" (each curve\'s fitted minimum) or "compare A B" (B\'s difference from A, two values of the axis): rounds that spend where that interval narrows fastest, reported from fresh confirmatory batches',
    )
    .option(
      '--target-width <w>',
      'with --goal: stop when the reported interval is this narrow (axis units; % or points for compare)',
    )
    .option(
      '--until-resolved',
      'with --goal compare: stop when the interval excludes 0 (with --target-width: whichever comes first)',
    )
    .option('--metric <m>', 'with --goal compare: totalLoss (% difference, default) or success (difference of rates)');
  addRunOptions(command);
  addDistributedOptions(command).addHelpText(
    'after',
    `
Points with fewer than 2 trials get topped up to 2 first. Predicted RSE after k more trials: rse * sqrt(n / (n + k)).

Examples:
  xorlab refine article --budget 100000
  xorlab refine article --target-rse 0.005 --dry-run
  xorlab refine article --budget 1000000 --db postgres://lab@db.example.org/xorlab --distributed
  xorlab refine article-curve --goal minimum --target-width 0.022
  xorlab refine article-claims --goal compare 0.7071 0.6 --until-resolved --max-trials 400000
  xorlab refine article-curve --goal minimum --budget 400000 --db postgres://lab@db.example.org/xorlab --distributed

With --goal, exploration rounds only choose where and how many; the reported interval comes from fresh
confirmatory batches alone (a minimum's look k at a Bonferroni share of the error rate), so it keeps its 95%
coverage whatever rule stopped it. --budget and --max-trials then count trainings beyond the study's own repeats.
Interrupted, the same command resumes: the rounds replay from the stored trials and run the same repeats.
With --distributed each round's trials are queued for \`xorlab worker\` processes (and trained here unless
--no-work); the rounds and the answer are those of one machine.`,
  );
  command.action(async (name: string, options: RefineOptions) => end(await runRefine(name, options)));
}

function formatRse(rse: number | null): string {
  return rse === null ? '-' : rse.toPrecision(3);
}

/**
 * The points refine can plan nothing for: at least MIN_TRIALS trials but fewer than 2 that did not diverge, so no
 * relative error (and no prediction of what more trials would bring). Named in one line, or null when none.
 */
function withoutEstimate(study: Study, errors: readonly PointError[], extra: readonly number[]): string | null {
  const blind = errors.filter((e, i) => e.rse === null && e.count >= MIN_TRIALS && extra[i] === 0);
  if (blind.length === 0) return null;
  const shown = blind.slice(0, 5).map((e) => {
    const params = Object.entries(study.pointParams(e.point))
      .map(([p, v]) => `${p}=${typeof v === 'number' ? v.toPrecision(4) : v}`)
      .join(' ');
    return `point ${e.point} (${params}: ${e.count - e.lossCount} of ${e.count} diverged)`;
  });
  const more = blind.length > shown.length ? `, and ${blind.length - shown.length} more` : '';
  return (
    `note: ${blind.length} point${blind.length > 1 ? 's have' : ' has'} fewer than 2 trials that did not diverge, so no relative error, and gets no trials: ` +
    `${shown.join(', ')}${more}; more trials there would likely diverge too (see xorlab summary ${study.definition.name})`
  );
}

function printAllocation(study: Study, errors: PointError[], extra: number[]): void {
  const rows = errors
    .map((e, i) => ({ e, k: extra[i] }))
    .filter((r) => r.k > 0)
    .map(({ e, k }) => {
      const params = Object.entries(study.pointParams(e.point))
        .map(([p, v]) => `${p}=${typeof v === 'number' ? v.toPrecision(6) : v}`)
        .join(' ');
      return [String(e.point), params, String(e.count), formatRse(e.rse), `+${k}`, formatRse(predictedRse(e, k))];
    });
  const header = ['point', 'params', 'trials', 'rse', 'add', 'predicted rse'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

async function runRefine(name: string, options: RefineOptions): Promise<Outcome> {
  if (options.goal !== undefined) return runGoal(name, options);
  if (options.targetWidth !== undefined || options.untilResolved || options.metric !== undefined)
    throw new UsageError('--target-width, --until-resolved and --metric go with --goal');
  if ((options.budget === undefined) === (options.targetRse === undefined)) {
    throw new UsageError('give exactly one of --budget N or --target-rse r');
  }
  const budget =
    options.budget === undefined
      ? undefined
      : parseNumber('--budget', options.budget, { integer: true, min: 1, max: MAX_STUDY_TRIALS });
  const target =
    options.targetRse === undefined ? undefined : parseNumber('--target-rse', options.targetRse, { minExclusive: 0 });
  const maxTrials = parseMaxTrials(options.maxTrials);
  const settings = runSettings(options);
  checkDistributedFlags(options);
  // Read and plan on a read-only connection: a wrong name or path creates nothing; a dry run writes nothing.
  const reader = await openStoreFromOptions(options, { readonly: true });
  let prepared: PreparedRun;
  let errors: PointError[];
  try {
    const record = await reader.getStudy(name);
    if (!record) {
      const names = (await reader.listStudies()).map((s) => s.name);
      throw new UsageError(noStudyMessage(name, dbLabel(options), names));
    }
    // A missing dataset file is bad input, and so is one edited since the study was stored, or an engine other
    // than its trials'. The plan comes from the allocation below.
    const loaded = loadedStudy(toStudy(record.definition, `the stored definition of ${quote(name)}`));
    prepared = await prepareRun(loaded, {
      store: reader,
      engine: options,
      hint: 'the stored definition is not one this version reads',
      plan: 'none',
    });
    errors = await pointErrors(reader, prepared.study);
  } finally {
    await reader.close();
  }
  const { study, engine } = prepared;
  // The same planning as the library's refineStudy (the cap of trials per study is a StudyError, a budget that
  // cannot be allocated an AllocationError: one line each).
  const refinement: Refinement = planRefinement(
    study,
    errors,
    { budget, targetRse: target, maxTrials },
    { budget: '--budget', targetRse: '--target-rse', maxTrials: '--max-trials' },
  );
  const { extra, total } = refinement;
  const worst = refinement.largestRse ?? 0;
  const unknown = withoutEstimate(study, errors, extra);
  if (total === 0) {
    const judged = unknown ? 'every point with an RSE has it' : "every point's RSE is";
    process.stdout.write(
      `study ${printable(name, QUOTE_MAX)}: ${judged} already <= ${target} (largest ${formatRse(worst)}); nothing to add\n`,
    );
    if (unknown) process.stdout.write(`${unknown}\n`);
    return;
  }
  const worstAfter = refinement.predictedLargestRse ?? 0;
  const points = extra.filter((k) => k > 0).length;
  const summary = `study ${printable(name, QUOTE_MAX)}: ${total.toLocaleString('en-US')} more trials over ${points} of ${study.pointCount} points; largest RSE ${formatRse(worst)} -> ${formatRse(worstAfter)} (predicted)`;
  if (options.dryRun) {
    printAllocation(study, errors, extra);
    process.stdout.write(`${summary}\n`);
    if (unknown) process.stdout.write(`${unknown}\n`);
    return;
  }
  process.stderr.write(`${summary}\n`);
  if (unknown) process.stderr.write(`${unknown}\n`);
  if (options.distributed) {
    const store = await openDistributedStore('--distributed', options.db);
    try {
      // The new repeat indices are reserved in the store (see below).
      const plan = await reserveAdditional(store, study, extra);
      return await runDistributed({
        label: `refine ${name}`,
        run: { ...prepared, plan },
        store,
        settings,
        work: options.work !== false,
        resumeCommand: (done) =>
          commandLine([
            'refine',
            name,
            '--budget',
            String(Math.max(1, plan.size - done)),
            ...runFlagArgs(options, settings, engine),
            '--distributed',
            ...(options.work === false ? ['--no-work'] : []),
          ]),
      });
    } finally {
      await store.close();
    }
  }
  const store = await openStoreFromOptions(options);
  try {
    // The new repeat indices are reserved in the store: a refine of the same study running at the same time gets
    // others, and both runs' trials are stored.
    const plan = await reserveAdditional(store, study, extra);
    const outcome = await runWithProgress({
      label: `refine ${name}`,
      run: { ...prepared, plan },
      store,
      settings,
      resumeHint: (ran) =>
        commandLine([
          'refine',
          name,
          '--budget',
          String(Math.max(1, ran.planned - ran.completed)),
          ...runFlagArgs(options, settings, engine),
        ]),
    });
    return outcome.interrupted ? EXIT_INTERRUPTED : undefined;
  } finally {
    await store.close();
  }
}
