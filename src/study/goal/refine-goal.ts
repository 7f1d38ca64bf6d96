// Running a goal on a stored study: read the values, replay the rounds (./minimum-goal.ts, ./compare-goal.ts), run
// what the next round needs, until every curve (or the comparison) has its answer. What the library's
// refineStudy(name, { goal }) and `xorlab refine --goal` share; nothing here prints or exits.
import type { ParamValue } from '../../store/types.js';
import { MAX_STUDY_TRIALS, resolveStudy } from '../definition/definition.js';
import { StudyError, noStudyMessage, type Study } from '../definition/types.js';
import { describeAt } from '../analysis/curves.js';
import { fitMinimum, type MinimumFit } from '../analysis/minimum.js';
import { AllocationError, DEFAULT_MAX_TRIALS } from '../run/allocate.js';
import { TrialPlan } from '../run/browser/plan.js';
import { loadStudy, prepareRun, type PreparedRun } from '../run/prepare.js';
import { checkRunOptions, runStudyPlan, type RunSummary, type StudyRunOptions } from '../run/run-study.js';
import { refineStudy as refineByError, type RefineOptions, type StudyRefinement } from '../run/refine.js';
import { quote } from '../../text/quote.js';
import { replayCompare, type CompareGoalResult } from './compare-goal.js';
import { MIN_MINIMUM_BUDGET, replayMinimum, type MinimumGoalResult } from './minimum-goal.js';
import { MIN_NODE_TRAININGS } from './design.js';
import { storedMoments } from './moments.js';
import type { GoalNeed, GoalRound, GoalState } from './rounds.js';

/** How the reported intervals keep their coverage after a data-dependent stop, for the output and the help. */
const GOAL_METHOD = {
  minimum:
    'exploration rounds (every training so far, as summary fits it) choose a fixed design of 7 points and the batch size; ' +
    'the reported interval comes from fresh confirmatory batches at that design alone (a cubic in ln x, parametric bootstrap), ' +
    'toward a width, look k at a Bonferroni share of the 5% error rate (3% at the first, 1% at the second, then halving); ' +
    'with a budget, one batch and one look at 95%; so it keeps its 95% coverage whatever rule stopped it',
  compare:
    'exploration rounds choose the split between A and B and the size of one confirmatory batch; the reported interval ' +
    'comes from that fresh batch alone, one look, so it keeps its coverage whatever rule stopped the exploration',
} as const;

/** What to refine toward: the fitted minimum of each curve, or the difference between two points. */
export interface GoalRefineOptions extends StudyRunOptions {
  goal: 'minimum' | 'compare';
  /** compare: the two points' values on the study's axis (A first: the difference is B's from A's). */
  compare?: [ParamValue, ParamValue];
  /** compare: 'totalLoss' (% difference of means, the default) or 'success' (difference of rates, in points). */
  metric?: 'totalLoss' | 'success';
  /** Stop when the reported interval is this narrow (axis units; % or points for compare). */
  targetWidth?: number;
  /** Trainings beyond the study's own repeats, exploration and confirmation together. */
  budget?: number;
  /** compare: stop when the interval excludes 0 (a batch sized to resolve what exploration saw, with 90% power); with
   * targetWidth, whichever of the two its batch reaches first. */
  untilResolved?: boolean;
  /** With targetWidth or untilResolved: at most this many trainings beyond the study's repeats (default 10,000,000). */
  maxTrials?: number;
  /** Called once per round as it is known (exploration's estimates are for watching; the batches' are reported). */
  onRound?: (label: string, round: GoalRound) => void;
  /** Bootstrap redraws of each minimum fit (default 2000). */
  resamples?: number;
}

/** One curve's (or the comparison's) answer. */
export interface GoalAnswer {
  /** The curve: "activation=tanh" ('' for a one-axis study), or "B vs A" for a comparison. */
  label: string;
  rounds: GoalRound[];
  minimum: MinimumGoalResult | null;
  compare: CompareGoalResult | null;
  /** A minimum's fit over every stored training of the curve, as `xorlab summary` shows it (for reference: the
   * stop was chosen from these data, so its interval is not the reported one). */
  summary: MinimumFit | null;
  /** Why it stopped short of the target, if it did. */
  note: string | null;
}

/** What refineStudy(name, { goal }) ran and found: each answer with its rounds, and how its interval is honest. */
export interface GoalRefinement {
  study: string;
  goal: 'minimum' | 'compare';
  /** How the reported intervals keep their coverage. */
  method: string;
  answers: GoalAnswer[];
  /** Trainings this call ran, and whether a signal stopped it (the same call again resumes: same rounds, same trials). */
  trained: number;
  interrupted: boolean;
  seconds: number;
}

interface Task {
  label: string;
  kind: 'minimum' | 'compare';
  replay: (values: Parameters<typeof storedMoments>[0]) => GoalState<MinimumGoalResult | CompareGoalResult>;
  /** A minimum's curve: its points and their axis values. */
  curve?: { points: number[]; x: number[] };
}

/** The one numeric axis of a study (a minimum is along it); the others are categorical and make one curve each. */
function numericAxis(study: Study): string {
  const numeric = study.axes.filter((a) => a.values.every((v) => typeof v === 'number'));
  if (numeric.length !== 1) {
    throw new StudyError(
      `a minimum goal needs a study with exactly one numeric axis; ${study.definition.name} has ${numeric.length ? numeric.map((a) => a.param).join(', ') : 'none'}`,
    );
  }
  return numeric[0].param;
}

/** The point whose value on the study's single axis is `value` (numbers within 0.1% of each other match). */
function pointAt(study: Study, value: ParamValue): number {
  if (study.axes.length !== 1)
    throw new StudyError(
      `compare needs a study with one swept parameter; ${study.definition.name} sweeps ${study.axes.map((a) => a.param).join(', ')}`,
    );
  const axis = study.axes[0];
  const matches = (v: ParamValue): boolean =>
    typeof v === 'number' && typeof value === 'number'
      ? Math.abs(v - value) <= 1e-3 * Math.max(Math.abs(v), Math.abs(value))
      : String(v) === String(value);
  const at = axis.values.findIndex(matches);
  if (at < 0)
    throw new StudyError(
      `${axis.param}=${String(value)} is not a point of ${study.definition.name}; its values: ${axis.values
        .slice(0, 12)
        .map(String)
        .join(', ')}${axis.values.length > 12 ? ', ...' : ''}`,
    );
  return at;
}

function checkStop(options: GoalRefineOptions): { maxTrials: number } {
  if (options.goal !== 'minimum' && options.goal !== 'compare')
    throw new AllocationError(`goal must be 'minimum' or 'compare', got ${quote(String(options.goal))}`);
  const given = [options.targetWidth !== undefined, options.budget !== undefined, options.untilResolved === true];
  // A comparison may go toward a width and until resolved at once (its batch sized for whichever comes first).
  const both = options.goal === 'compare' && options.targetWidth !== undefined && options.untilResolved === true;
  if (given.filter(Boolean).length !== 1 && !(both && options.budget === undefined))
    throw new AllocationError(
      `give exactly one of targetWidth or budget${options.goal === 'compare' ? ' or untilResolved (or targetWidth and untilResolved)' : ''}`,
    );
  if (options.untilResolved && options.goal !== 'compare')
    throw new AllocationError('untilResolved is for a compare goal');
  if (options.targetWidth !== undefined && !(options.targetWidth > 0 && Number.isFinite(options.targetWidth)))
    throw new AllocationError(`targetWidth must be a number > 0, got ${String(options.targetWidth)}`);
  if (
    options.budget !== undefined &&
    !(Number.isInteger(options.budget) && options.budget >= 1 && options.budget <= MAX_STUDY_TRIALS)
  ) {
    throw new AllocationError(`budget must be an integer from 1 to ${MAX_STUDY_TRIALS}, got ${String(options.budget)}`);
  }
  if (options.goal === 'minimum' && options.budget !== undefined && options.budget < MIN_MINIMUM_BUDGET)
    throw new AllocationError(
      `budget for a minimum goal must be at least ${MIN_MINIMUM_BUDGET} trainings per curve (exploration, then at least ${MIN_NODE_TRAININGS} at each point of the design), got ${options.budget}`,
    );
  const maxTrials = options.maxTrials ?? DEFAULT_MAX_TRIALS;
  if (!(Number.isInteger(maxTrials) && maxTrials >= 1 && maxTrials <= MAX_STUDY_TRIALS))
    throw new AllocationError(`maxTrials must be an integer from 1 to ${MAX_STUDY_TRIALS}, got ${String(maxTrials)}`);
  return { maxTrials };
}

function tasksOf(study: Study, options: GoalRefineOptions, maxTrials: number): Task[] {
  const stop = {
    targetWidth: options.targetWidth,
    budget: options.budget,
    untilResolved: options.untilResolved,
    maxTrials,
  };
  const base = study.definition.repeats;
  if (options.goal === 'compare') {
    if (!options.compare || options.compare.length !== 2)
      throw new AllocationError('a compare goal needs two points, A and B');
    const [a, b] = options.compare.map((v) => pointAt(study, v));
    if (a === b) throw new AllocationError('compare needs two different points');
    const metric = options.metric === 'success' ? 'rate' : 'mean';
    if (options.metric !== undefined && options.metric !== 'success' && options.metric !== 'totalLoss')
      throw new AllocationError(`metric must be totalLoss or success, got ${quote(String(options.metric))}`);
    const param = study.axes[0].param;
    return [
      {
        label: `${param}=${String(options.compare[1])} vs ${param}=${String(options.compare[0])}`,
        kind: 'compare',
        replay: (values) => replayCompare(a, b, storedMoments(values), base, metric, stop),
      },
    ];
  }
  if (options.metric !== undefined) throw new AllocationError('metric goes with a compare goal');
  const axis = numericAxis(study);
  const others = study.axes.map((a) => a.param).filter((p) => p !== axis);
  const curves = new Map<string, { at: Record<string, ParamValue>; points: number[]; x: number[] }>();
  for (let p = 0; p < study.pointCount; p++) {
    const params = study.pointParams(p);
    const key = JSON.stringify(others.map((o) => params[o]));
    let curve = curves.get(key);
    if (!curve)
      curves.set(key, (curve = { at: Object.fromEntries(others.map((o) => [o, params[o]])), points: [], x: [] }));
    curve.points.push(p);
    curve.x.push(params[axis] as number);
  }
  return [...curves.values()].map((c) => {
    const cache = new Map<string, unknown>();
    return {
      label: describeAt(c.at),
      kind: 'minimum' as const,
      curve: { points: c.points, x: c.x },
      replay: (values) =>
        replayMinimum({ points: c.points, x: c.x }, storedMoments(values), base, stop, {
          resamples: options.resamples,
          cache,
        }),
    };
  });
}

/** The trials the needs ask for that the store does not hold, as one plan in (point, repeat) order. */
function planOf(needs: readonly GoalNeed[], stored: Parameters<TrialPlan['without']>[0]): TrialPlan {
  const runs: [number, number, number][] = [];
  for (const need of needs)
    need.points.forEach((p, i) => need.to[i] > need.from[i] && runs.push([p, need.from[i], need.to[i]]));
  runs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  // Two curves never share a point; within one need the ranges of a point are one.
  return TrialPlan.build((add) => runs.forEach(([p, s, e]) => add(p, s, e))).without(stored);
}

/** Runs one round's trials and returns once they are stored (or options.signal stopped it): runStudyPlan here, a
 * coordinator that queues them for workers (`refine --goal --distributed`, src/cli/distributed.ts), or `xorlab
 * reproduce`'s own run with its progress bar and Ctrl-C. `interrupted` ends the goal as a signal would. */
type RoundRunner = (run: PreparedRun) => Promise<Pick<RunSummary, 'completed' | 'seconds'> & { interrupted?: boolean }>;

/**
 * Refines a stored study toward a goal (see ./minimum-goal.ts and ./compare-goal.ts): rounds of fit, choose, run
 * until each answer is in. Throws StudyError for an unknown study or one the goal does not fit, AllocationError for
 * options that plan nothing sensible, DatasetError and StoreError as runStudy does. A round's trials are the same
 * whoever runs them (seeds from study, point and repeat), so `runRound` changes where they train, not what is stored.
 */
export async function refineToGoal(
  name: string,
  options: GoalRefineOptions,
  runRound: RoundRunner = (run) => runStudyPlan(run, options),
): Promise<GoalRefinement> {
  checkRunOptions(options);
  const { maxTrials } = checkStop(options);
  const { store } = options;
  const record = await store.getStudy(name);
  if (!record) {
    const names = (await store.listStudies()).map((s) => s.name);
    throw new StudyError(noStudyMessage(name, store.location, names));
  }
  const study = resolveStudy(record.definition);
  const tasks = tasksOf(study, options, maxTrials);
  // A dataset file edited since the study was stored is refused; trials of another engine too. Reads only.
  const prepared = await prepareRun(loadStudy(study), {
    store,
    engine: options,
    hint: 'the stored definition is not one this version reads',
    plan: 'none',
  });
  const metric = options.goal === 'compare' && options.metric === 'success' ? 'success' : 'totalLoss';
  const shown = tasks.map(() => 0);
  let trained = 0;
  let seconds = 0;
  let stopped = false;
  for (;;) {
    const values = await store.metricValues(name, metric);
    const states = tasks.map((t) => t.replay(values));
    states.forEach((s, i) => {
      for (; shown[i] < s.rounds.length; shown[i]++) options.onRound?.(tasks[i].label, s.rounds[shown[i]]);
    });
    const needs = states.flatMap((s) => (s.need ? [s.need] : []));
    if (needs.length === 0 || options.signal?.aborted || stopped) {
      const interrupted = needs.length > 0;
      const summaries = interrupted ? [] : await summaryFits(store, name, tasks);
      return {
        study: name,
        goal: options.goal,
        method: GOAL_METHOD[options.goal],
        answers: states.map((s, i) => ({
          label: tasks[i].label,
          rounds: s.rounds,
          minimum: tasks[i].kind === 'minimum' ? (s.result as MinimumGoalResult | null) : null,
          compare: tasks[i].kind === 'compare' ? (s.result as CompareGoalResult | null) : null,
          summary: summaries[i] ?? null,
          note: s.note,
        })),
        trained,
        interrupted,
        seconds,
      };
    }
    const plan = planOf(needs, await store.storedRuns(name));
    if (plan.size === 0)
      throw new StudyError(
        `study ${name}: a round needs trials the store cannot give (a repeat stored without its value?)`,
      );
    const run = await runRound({ ...prepared, plan });
    trained += run.completed;
    seconds += run.seconds;
    stopped ||= run.interrupted === true;
  }
}

/** Each minimum task's fit over every stored training of its curve, as `xorlab summary` computes it. */
async function summaryFits(
  store: GoalRefineOptions['store'],
  name: string,
  tasks: readonly Task[],
): Promise<(MinimumFit | null)[]> {
  if (tasks.every((t) => !t.curve)) return [];
  const byPoint = new Map((await store.summarize(name)).map((p) => [p.point, p]));
  return tasks.map((t) =>
    t.curve
      ? fitMinimum(
          t.curve.points.map((p, i) => ({
            x: t.curve!.x[i],
            mean: byPoint.get(p)?.mean ?? null,
            stderr: byPoint.get(p)?.stderr ?? null,
          })),
        )
      : null,
  );
}

/** With `goal`: refines toward the fitted minimum of each curve, or the difference of two points (see above). */
export async function refineStudy(name: string, options: GoalRefineOptions): Promise<GoalRefinement>;
/**
 * Adds trials to a stored study where the relative standard error of the mean total loss is largest (`budget`),
 * or until every point's predicted error reaches `targetRse`. Throws StudyError for an unknown study or a dataset
 * file changed since the study was stored, AllocationError for options that plan nothing sensible, DatasetError and
 * StoreError as runStudy does.
 */
export async function refineStudy(name: string, options: RefineOptions): Promise<StudyRefinement>;
export async function refineStudy(
  name: string,
  options: RefineOptions | GoalRefineOptions,
): Promise<StudyRefinement | GoalRefinement> {
  if (typeof options === 'object' && options !== null && 'goal' in options && options.goal !== undefined)
    return refineToGoal(name, options);
  return refineByError(name, options);
}
