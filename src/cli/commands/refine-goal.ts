// `xorlab refine NAME --goal minimum|compare A B`: rounds toward a question (src/study/goal/), printed as they go,
// ending with the reported interval from the confirmatory batches and, for a minimum, the fit `summary` shows.
import { AllocationError, DEFAULT_MAX_TRIALS } from '../../study/run/allocate.js';
import { MAX_STUDY_TRIALS } from '../../study/definition/definition.js';
import { MIN_MINIMUM_BUDGET } from '../../study/goal/minimum-goal.js';
import { refineToGoal, type GoalRefineOptions } from '../../study/goal/refine-goal.js';
import type { GoalRound } from '../../study/goal/rounds.js';
import type { PreparedRun } from '../../study/run/prepare.js';
import { createProgress, type Progress } from '../../study/run/progress.js';
import { endBeat } from '../../distributed/coordinators.js';
import { ChunkQueue } from '../../distributed/queue.js';
import type { PostgresStore } from '../../store/postgres/open.js';
import { counted, short } from '../../text/format.js';
import { openStoreFromOptions } from '../db-option.js';
import { checkDistributedFlags, coordinateRun, openDistributedStore, type DistributedFlags } from '../distributed.js';
import { EXIT_INTERRUPTED, UsageError, type Outcome } from '../errors.js';
import { parseNumber } from '../parse.js';
import { commandLine, passwordNote, runSettings, type RunFlags, type RunSettings } from '../run.js';

interface GoalFlags extends RunFlags, DistributedFlags {
  goal?: string[];
  targetWidth?: string;
  budget?: string;
  untilResolved?: boolean;
  maxTrials?: string;
  metric?: string;
  dryRun?: boolean;
  targetRse?: string;
}

function parseGoal(options: GoalFlags): Pick<GoalRefineOptions, 'goal' | 'compare' | 'metric'> {
  const [kind, ...rest] = options.goal ?? [];
  if (kind === 'minimum' && rest.length === 0) {
    if (options.metric !== undefined) throw new UsageError('--metric goes with --goal compare');
    return { goal: 'minimum' };
  }
  if (kind === 'compare' && rest.length === 2) {
    const metric = options.metric ?? 'totalLoss';
    if (metric !== 'totalLoss' && metric !== 'success')
      throw new UsageError(`--metric with --goal compare must be totalLoss or success, got "${metric}"`);
    const value = (v: string) => (Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : v);
    return { goal: 'compare', compare: [value(rest[0]), value(rest[1])], metric };
  }
  throw new UsageError(
    `--goal must be "minimum" or "compare A B" (two values of the study's axis), got "${(options.goal ?? []).join(' ')}"`,
  );
}

const percent = (level: number): string => `${+(100 * level).toFixed(2)}%`;

function roundLine(label: string, round: GoalRound, unit: string, look: number): string {
  const where = label ? `${label}: ` : '';
  const value = (v: number | null) => (v === null ? '-' : unit ? `${v.toFixed(2)}${unit}` : short(v, 3));
  const width = round.low === null || round.high === null ? 0 : round.high - round.low;
  const interval =
    round.low === null || round.high === null
      ? 'no estimate'
      : `${value(round.estimate)} [${value(round.low)}, ${value(round.high)}] width ${unit ? width.toFixed(2) : short(width, 2)}`;
  const phase =
    round.phase === 'confirm'
      ? `confirmatory batch ${look} (${percent(round.level)})`
      : round.round === 0
        ? 'the study as stored'
        : `exploration round ${round.round}`;
  return `${where}${phase}: +${round.added.toLocaleString('en-US')} trainings (${round.spent.toLocaleString('en-US')} beyond the study's repeats): ${interval}`;
}

/** `--max-trials` of either refine (plain or with a goal): at most this many trials beyond the study's repeats. */
export function parseMaxTrials(flag: string | undefined): number {
  return flag === undefined
    ? DEFAULT_MAX_TRIALS
    : parseNumber('--max-trials', flag, { integer: true, min: 1, max: MAX_STUDY_TRIALS });
}

export async function runGoal(name: string, options: GoalFlags): Promise<Outcome> {
  const goal = parseGoal(options);
  if (options.dryRun) throw new UsageError('--goal has no --dry-run: its rounds depend on the trainings they run');
  if (options.targetRse !== undefined) throw new UsageError('--target-rse does not go with --goal');
  const stops = [options.targetWidth !== undefined, options.budget !== undefined, options.untilResolved === true];
  // A comparison may go toward a width and until resolved at once: its batch is sized for whichever comes first.
  const both = goal.goal === 'compare' && options.targetWidth !== undefined && options.untilResolved === true;
  if (stops.filter(Boolean).length !== 1 && !(both && options.budget === undefined))
    throw new UsageError(
      `with --goal give exactly one of --target-width W, --budget N${goal.goal === 'compare' ? ' or --until-resolved (or --target-width W --until-resolved)' : ''}`,
    );
  if (options.untilResolved && goal.goal !== 'compare') throw new UsageError('--until-resolved is for --goal compare');
  const targetWidth =
    options.targetWidth === undefined
      ? undefined
      : parseNumber('--target-width', options.targetWidth, { minExclusive: 0 });
  const budget =
    options.budget === undefined
      ? undefined
      : parseNumber('--budget', options.budget, {
          integer: true,
          min: goal.goal === 'minimum' ? MIN_MINIMUM_BUDGET : 1,
          max: MAX_STUDY_TRIALS,
        });
  const maxTrials = parseMaxTrials(options.maxTrials);
  const settings = runSettings(options);
  checkDistributedFlags(options);
  const unit = goal.goal === 'compare' ? (goal.metric === 'success' ? ' pts' : '%') : '';
  const controller = new AbortController();
  const rounds = options.distributed
    ? await DistributedRounds.open(name, options.db, settings, options.work !== false, controller.signal)
    : null;
  const store = rounds?.store ?? (await openStoreFromOptions(options));
  const onSigint = (): void => {
    if (controller.signal.aborted) return;
    rounds?.bar?.stop();
    process.stderr.write(
      rounds
        ? 'xorlab: interrupted; the running chunks finish and are stored...\n'
        : 'xorlab: interrupted; keeping the trials that finished...\n',
    );
    controller.abort();
  };
  const looks = new Map<string, number>();
  const signals = rounds ? (['SIGINT', 'SIGTERM'] as const) : (['SIGINT'] as const);
  for (const signal of signals) process.on(signal, onSigint);
  try {
    const goalOptions: GoalRefineOptions = {
      ...goal,
      store,
      targetWidth,
      budget,
      untilResolved: options.untilResolved,
      maxTrials,
      workers: settings.workers,
      engine: options.engine,
      precision: options.precision,
      chunkSize: settings.chunkSize,
      signal: controller.signal,
      onRound: (label, round) => {
        const look = round.phase === 'confirm' ? (looks.get(label) ?? 0) + 1 : 0;
        if (look) looks.set(label, look);
        process.stdout.write(`${roundLine(label, round, unit, look)}\n`);
      },
    };
    const result = await (
      rounds ? refineToGoal(name, goalOptions, (run) => rounds.run(run)) : refineToGoal(name, goalOptions)
    ).catch((error: unknown) => {
      if (error instanceof AllocationError) throw new UsageError(error.message);
      throw error;
    });
    if (result.interrupted) {
      const hint = commandLine(process.argv.slice(2));
      process.stderr.write(
        `xorlab: stopped; the trials that finished are stored. Resume with the same command (the rounds replay from the stored trials and run the same repeats):\n  ${hint}\n${passwordNote(hint)}`,
      );
      return EXIT_INTERRUPTED;
    }
    process.stdout.write(`honest interval: ${result.method}\n`);
    for (const answer of result.answers) {
      const where = answer.label ? `${answer.label}: ` : '';
      const m = answer.minimum;
      if (m?.fit) {
        const f = m.fit;
        const excluded = f.excluded
          ? `; ${f.excluded.toLocaleString('en-US')} diverged trainings left out of the means (over the ${(f.trainings - f.excluded).toLocaleString('en-US')} that did not diverge)`
          : '';
        process.stdout.write(
          `${where}minimum ${short(f.x, 3)} [${short(f.low, 3)}, ${short(f.high, 3)}] width ${short(f.high - f.low, 2)} ` +
            `(${percent(f.level)}, from ${m.looks} confirmatory batch${m.looks > 1 ? 'es' : ''} of ${(m.confirmed / m.looks).toLocaleString('en-US')} trainings at ${m.design.points.length} points, ${short(m.design.from, 3)} to ${short(m.design.to, 3)}; ` +
            `chi² ${f.chi2.toFixed(1)} on ${f.dof} dof${f.consistent ? '' : ', errors scaled up by sqrt(chi²/dof)'}${excluded}; ` +
            `${m.spent.toLocaleString('en-US')} trainings beyond the study's repeats in all, ${m.explored.toLocaleString('en-US')} of them exploring)\n`,
        );
      }
      const c = answer.compare;
      if (c) {
        const verdict = c.resolved ? 'resolved' : 'not resolved (the interval includes 0)';
        const excluded = c.excluded
          ? `; ${c.excluded.toLocaleString('en-US')} diverged trainings left out of the means`
          : '';
        process.stdout.write(
          `${where}${c.estimate.toFixed(2)}${unit} [${c.low.toFixed(2)}, ${c.high.toFixed(2)}] (${percent(c.level)}, confirmatory batch ${c.batch.a.toLocaleString('en-US')} + ${c.batch.b.toLocaleString('en-US')}${excluded}; ` +
            `${c.spent.toLocaleString('en-US')} trainings beyond the study's repeats in all): ${verdict}\n`,
        );
      }
      if (answer.note) process.stdout.write(`${where}note: ${answer.note}\n`);
      if (answer.summary) {
        const s = answer.summary;
        process.stdout.write(
          `${where}summary's fitted minimum over every stored training: ${short(s.x, 3)} [${short(s.low, 3)}, ${short(s.high, 3)}] ` +
            `(what \`xorlab summary ${name}\` shows; not the reported interval: the stop was chosen from these data)\n`,
        );
      }
    }
    process.stdout.write(
      `refine ${name}: ${result.trained.toLocaleString('en-US')} trainings run in ${result.seconds.toFixed(1)} s${rounds?.where() ?? ''}\n`,
    );
    return undefined;
  } finally {
    for (const signal of signals) process.off(signal, onSigint);
    await rounds?.close();
    await store.close();
  }
}

/** `--distributed`: each round's trials queued as chunks for `xorlab worker` processes and worked on here unless
 * --no-work (one coordinator per round: the study's lock is taken and released with it), one bar per round. */
class DistributedRounds {
  /** The bar of the round running now, which Ctrl-C stops before it prints. */
  bar: Progress | null = null;
  private trainedHere = 0;

  private constructor(
    private readonly name: string,
    readonly store: PostgresStore,
    private readonly queue: ChunkQueue,
    private readonly settings: RunSettings,
    private readonly work: boolean,
    private readonly signal: AbortSignal,
  ) {}

  static async open(
    name: string,
    db: string | undefined,
    settings: RunSettings,
    work: boolean,
    signal: AbortSignal,
  ): Promise<DistributedRounds> {
    const store = await openDistributedStore('--distributed', db);
    try {
      return new DistributedRounds(name, store, await ChunkQueue.open(store), settings, work, signal);
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  async run(run: PreparedRun): Promise<{ completed: number; seconds: number }> {
    // Ctrl-C between two rounds: no coordinator for the next (refineToGoal returns interrupted).
    if (this.signal.aborted) return { completed: 0, seconds: 0 };
    this.bar = createProgress(`refine ${this.name} (distributed)`);
    const { store, queue, settings, work, signal } = this;
    // The heartbeat stays between rounds: workers with --until-empty wait for the next (close() ends it).
    const outcome = await coordinateRun({
      run,
      store,
      queue,
      settings,
      work,
      signal,
      progress: this.bar,
      keepBeat: true,
    });
    this.trainedHere += outcome.local?.trained ?? 0;
    return { completed: outcome.stored, seconds: outcome.seconds };
  }

  /** After the last round: no coordinator of the study any more (its heartbeat row goes), and the queue closes. */
  async close(): Promise<void> {
    await endBeat(this.store.pool, this.name).catch(() => undefined);
    await this.queue.close();
  }

  /** How the trainings were shared, for the last line. */
  where(): string {
    return this.work
      ? `, distributed (${this.trainedHere.toLocaleString('en-US')} trained here on ${counted(this.settings.workers, 'worker')})`
      : ', distributed (none trained here: --no-work)';
  }
}
