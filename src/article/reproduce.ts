// The article's study end to end: which studies `xorlab reproduce` runs at each scale, and running them into a
// store through the study layer (resolveStudy, planMissing/planAdditional, allocateBudget); the caller supplies
// how a plan is run (workers, progress, Ctrl-C). Rerunning resumes: only missing trials are computed, and the
// refinement tops a study up to its target total.
import type { EngineChoice } from '../config/index.js';
import type { Store } from '../store/types.js';
import { allocateBudget } from '../study/run/allocate.js';
import {
  MAX_STUDY_TRIALS,
  resolveStudy,
  StudyError,
  type Study,
  type StudyDefinitionInput,
} from '../study/definition/definition.js';
import { planMissing, type TrialPlan } from '../study/run/browser/plan.js';
import { refineToGoal, type GoalRefineOptions } from '../study/goal/refine-goal.js';
import type { RunOutcome } from '../study/run/run-plan.js';
import { checkStoredStudy, pointErrors, reserveAdditional, type EngineCheck } from '../study/run/stored.js';
import { CLAIM_STDS, XAVIER, articleConfig } from './config.js';
import { nextStudies, type NextScale } from './next.js';
import { XorlabError } from '../text/errors.js';
import { QUOTE_MAX, printable } from '../text/quote.js';

export const SCALE_NAMES = ['quick', 'paper'] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

export interface Scale {
  name: string;
  /** Points of the exp(linspace(-3, 4, n)) curve and trainings per point before refinement. */
  curvePoints: number;
  curveRepeats: number;
  /** Trials in the curve study after the refinement pass (>= points x repeats). */
  curveTotal: number;
  /** Trainings at each of CLAIM_STDS, for the % comparisons. */
  claimRepeats: number;
  /** The same in the textbook update order (a smaller companion run). */
  textbookPoints: number;
  textbookRepeats: number;
  textbookTotal: number;
  textbookClaimRepeats: number;
  epochs: number;
  /** The studies of the report's second part, "What the article asks next" (./next.ts). */
  next: NextScale;
  /** The section "The same answers for a fraction of the trainings" (./goal-section.ts); null: not run. */
  goal: GoalScale | null;
}

/** The goal-directed designs beside the article's: each starts from a small study of its own, then refines toward
 * its question (`xorlab refine --goal`, src/study/goal/). */
interface GoalScale {
  /** The fitted minimum: the curve's stds at this many trainings each, then --goal minimum with a budget (the
   * trainings the article's design spends on its curve, less the start) or toward a width under a cap. */
  curveRepeats: number;
  minimum: { budget: number } | { targetWidth: number; maxTrials: number };
  /** The 1.1% claim (0.6 against 1/√2, seed order): this many at each to start, then --goal compare toward a width
   * and until resolved (whichever its batch reaches first) under a cap of trainings beyond the start. */
  claimRepeats: number;
  compare: { targetWidth: number; untilResolved: true; maxTrials: number };
}

export const SCALES: Record<ScaleName, Scale> = {
  // 30,000 trainings of 10,000 epochs: about 10 s on 2 cores with the fast engine (8.3-8.7 s measured).
  quick: {
    name: 'quick',
    curvePoints: 60,
    curveRepeats: 20,
    curveTotal: 4_800,
    claimRepeats: 6_000,
    textbookPoints: 30,
    textbookRepeats: 20,
    textbookTotal: 1_200,
    textbookClaimRepeats: 2_000,
    epochs: 10_000,
    // The next questions: 3,000 + 2,560 + 3,840 trainings (grids of at least 7 points: the fewest a minimum is fitted
    // to). `npm start` from an empty database on 2 shared cores: 24.0 s against 13.8 s for the first part alone, back to
    // back at load 6; 15.8 s at load 4.8.
    next: {
      activationStds: 'exp:-3:2:10',
      activationRepeats: 60,
      lossLrs: [0.3, 1, 3, 10],
      lossStds: 'exp:-2:1:8',
      lossRepeats: 40,
      scheduleLrs: 'log:-1.5:0.1:8',
      scheduleRepeats: 120,
    },
    // The minimum in the article design's 4,800 curve trainings. The 1.1% claim toward the paper's question (±0.5 points
    // or resolved) under a cap of 2,000 beyond the start: at this scale its batch says how many trainings the
    // question needs, for a sixth of the article design's 12,000 at the two stds (and little time for `npm start`).
    goal: {
      curveRepeats: 5,
      minimum: { budget: 4_800 - 60 * 5 },
      claimRepeats: 100,
      compare: { targetWidth: 1, untilResolved: true, maxTrials: 2_000 },
    },
  },
  // The article's 400 x 10, refined to 4,000,000 in total, plus 100,000 trainings at each compared std.
  paper: {
    name: 'paper',
    curvePoints: 400,
    curveRepeats: 10,
    curveTotal: 4_000_000,
    claimRepeats: 100_000,
    textbookPoints: 400,
    textbookRepeats: 10,
    textbookTotal: 400_000,
    textbookClaimRepeats: 20_000,
    epochs: 10_000,
    // 5 x 40 x 2,000 + 2 x 6 x 20 x 1,000 + 4 x 21 x 5,000 = 1,060,000 trainings.
    next: {
      activationStds: 'exp:-3:2:40',
      activationRepeats: 2_000,
      lossLrs: [0.1, 0.3, 1, 3, 10, 30],
      lossStds: 'exp:-2:1:20',
      lossRepeats: 1_000,
      scheduleLrs: 'log:-1.5:0.1:21',
      scheduleRepeats: 5_000,
    },
    // The paper run's width, 0.022, as the bench's goal section (cap 600,000 beyond the start); the 1.1% claim bounded
    // to ±0.5 points or resolved, whichever its batch reaches first (cap 600,000; the article's design spends 200,000
    // on the two stds).
    goal: {
      curveRepeats: 10,
      minimum: { targetWidth: 0.022, maxTrials: 600_000 },
      claimRepeats: 1_000,
      compare: { targetWidth: 1, untilResolved: true, maxTrials: 600_000 },
    },
  },
};

/** The goal-directed comparison: the article's measured minimum, against 1/√2. */
export const GOAL_COMPARED = 0.6;

interface ReproductionStudies {
  curve: StudyDefinitionInput;
  claims: StudyDefinitionInput;
  textbookCurve: StudyDefinitionInput;
  textbookClaims: StudyDefinitionInput;
  /** The goal-directed designs' studies (none when scale.goal is null). */
  goal: StudyDefinitionInput[];
  activations: StudyDefinitionInput[];
  losses: StudyDefinitionInput[];
  schedules: StudyDefinitionInput[];
}

/** The study definitions of a reproduction; names are `${prefix}-curve`, `${prefix}-claims`, ... (the first part's
 * four), `${prefix}-goal-curve` and `${prefix}-goal-claims` (the goal-directed designs, root seeds seed + 5 and + 6 so
 * that no training is shared with the article's design or the next questions') and `${prefix}-activation-<name>`, `-loss-<name>`,
 * `-schedule-<name>` (the next questions). */
export function reproductionStudies(scale: Scale, prefix: string, seed = 1): ReproductionStudies {
  const curve = (order: 'seed' | 'textbook', points: number, repeats: number, name: string): StudyDefinitionInput => ({
    name,
    config: articleConfig(order, scale.epochs),
    sweep: { hiddenStd: `exp:-3:4:${points}` },
    repeats,
    seed,
  });
  const claims = (order: 'seed' | 'textbook', repeats: number, name: string): StudyDefinitionInput => ({
    name,
    config: articleConfig(order, scale.epochs),
    sweep: { hiddenStd: [...CLAIM_STDS] },
    repeats,
    seed: seed + 1,
  });
  return {
    curve: curve('seed', scale.curvePoints, scale.curveRepeats, `${prefix}-curve`),
    claims: claims('seed', scale.claimRepeats, `${prefix}-claims`),
    textbookCurve: curve('textbook', scale.textbookPoints, scale.textbookRepeats, `${prefix}-textbook-curve`),
    textbookClaims: claims('textbook', scale.textbookClaimRepeats, `${prefix}-textbook-claims`),
    goal: scale.goal
      ? [
          { ...curve('seed', scale.curvePoints, scale.goal.curveRepeats, `${prefix}-goal-curve`), seed: seed + 5 },
          {
            ...claims('seed', scale.goal.claimRepeats, `${prefix}-goal-claims`),
            sweep: { hiddenStd: [XAVIER, GOAL_COMPARED] },
            seed: seed + 6,
          },
        ]
      : [],
    ...nextStudies(scale.next, scale.epochs, prefix, seed),
  };
}

/** Runs a plan for a study (the CLI's: workers, progress bar, Ctrl-C handling). */
type PlanRunner = (label: string, study: Study, plan: TrialPlan) => Promise<RunOutcome>;

export class ReproduceError extends XorlabError {}

function resolve(input: StudyDefinitionInput): Study {
  try {
    return resolveStudy(input);
  } catch (error) {
    if (error instanceof StudyError)
      throw new ReproduceError(`${printable(String(input.name), QUOTE_MAX)}: ${error.message}`);
    throw error;
  }
}

export type ReproductionStudyMap = {
  curve: Study;
  claims: Study;
  textbookCurve: Study;
  textbookClaims: Study;
  /** [goal curve, goal claims], or [] when the scale runs no goal-directed designs. */
  goal: Study[];
  activations: Study[];
  losses: Study[];
  schedules: Study[];
};

/** The studies, validated (ReproduceError, one line): nothing is read or written. */
export function resolveReproduction(scale: Scale, prefix: string): ReproductionStudyMap {
  if (scale.curveTotal > MAX_STUDY_TRIALS || scale.textbookTotal > MAX_STUDY_TRIALS) {
    throw new ReproduceError(
      `the curve would be refined to ${Math.max(scale.curveTotal, scale.textbookTotal).toLocaleString('en-US')} trials; a study holds at most ${MAX_STUDY_TRIALS.toLocaleString('en-US')}`,
    );
  }
  const defs = reproductionStudies(scale, prefix);
  return {
    curve: resolve(defs.curve),
    claims: resolve(defs.claims),
    textbookCurve: resolve(defs.textbookCurve),
    textbookClaims: resolve(defs.textbookClaims),
    goal: defs.goal.map(resolve),
    activations: defs.activations.map(resolve),
    losses: defs.losses.map(resolve),
    schedules: defs.schedules.map(resolve),
  };
}

/**
 * The studies checked against the store before any is registered: a stored study of the same name must be the
 * same study (and, given `engine`, hold trials of that engine), else ReproduceError and nothing is written.
 * Returns the engine request with a stored study's engine filled in where the flags left it open.
 */
export async function prepareReproduction(
  store: Store,
  studies: ReproductionStudyMap,
  engine?: EngineCheck,
): Promise<Partial<EngineChoice>> {
  const all = Object.values(studies).flat();
  // The first stored study with trials settles an engine left open by the flags; the others must agree.
  let request = engine?.request ?? {};
  try {
    for (const study of all)
      request = await checkStoredStudy(store, study, 'use another --name', engine && { ...engine, request });
  } catch (error) {
    if (error instanceof StudyError) throw new ReproduceError(error.message);
    throw error;
  }
  for (const study of all) await store.ensureStudy(study.definition.name, study.definition);
  return request;
}

/** Runs the trials of the study's grid that are not stored yet. Returns how many ran. */
async function sweepMissing(store: Store, study: Study, run: PlanRunner): Promise<number> {
  const { name, repeats } = study.definition;
  const plan = planMissing(study.pointCount, repeats, await store.storedRuns(name));
  if (plan.size === 0) return 0;
  return (await run(`sweep ${name}`, study, plan)).completed;
}

/** The article's refinement: adds trials in proportion to each point's relative error until the study holds `total`. */
async function refineToTotal(store: Store, study: Study, total: number, run: PlanRunner): Promise<number> {
  const name = study.definition.name;
  const errors = await pointErrors(store, study);
  const stored = errors.reduce((n, e) => n + e.count, 0);
  const budget = total - stored;
  if (budget <= 0) return 0;
  const plan = await reserveAdditional(store, study, allocateBudget(errors, budget));
  return (await run(`refine ${name}`, study, plan)).completed;
}

/** A goal's rounds on a stored study, each round's plan run by the caller's runner (progress bar, Ctrl-C): what is
 * stored is replayed, not run again. Returns how many ran. */
async function refineGoal(
  store: Store,
  study: Study,
  goal: Omit<GoalRefineOptions, 'store'>,
  run: PlanRunner,
): Promise<number> {
  const name = study.definition.name;
  const refined = await refineToGoal(name, { ...goal, store }, (round) =>
    run(`${goal.goal} ${name}`, round.study, round.plan),
  );
  return refined.trained;
}

interface ReproductionRun {
  studies: ReproductionStudyMap;
  trainings: number;
  /** Seconds of training in this run per study (sweep and refinement), by name: what the report's comparison of
   * designs shows (a study stored by an earlier run ran for 0 s here). */
  seconds: Record<string, number>;
}

/** Runs every study of the reproduction (resuming what is stored) and refines the two curves. */
export async function runReproduction(
  store: Store,
  scale: Scale,
  prefix: string,
  run: PlanRunner,
  log: (line: string) => void = () => {},
): Promise<ReproductionRun> {
  const studies = resolveReproduction(scale, prefix);
  await prepareReproduction(store, studies);
  return runPrepared(store, scale, studies, run, log);
}

/** runReproduction for studies prepareReproduction has checked and registered. */
export async function runPrepared(
  store: Store,
  scale: Scale,
  studies: ReproductionStudyMap,
  runner: PlanRunner,
  log: (line: string) => void = () => {},
): Promise<ReproductionRun> {
  let trainings = 0;
  const seconds: Record<string, number> = {};
  const run: PlanRunner = async (label, study, plan) => {
    const outcome = await runner(label, study, plan);
    const name = study.definition.name;
    seconds[name] = (seconds[name] ?? 0) + outcome.seconds;
    return outcome;
  };
  const steps = scale.goal ? 9 : 7;
  log(
    `1/${steps} the curve, seed order: ${scale.curvePoints} stds x ${scale.curveRepeats}, refined to ${scale.curveTotal.toLocaleString('en-US')} trainings`,
  );
  trainings += await sweepMissing(store, studies.curve, run);
  trainings += await refineToTotal(store, studies.curve, scale.curveTotal, run);
  log(
    `2/${steps} the compared stds 1, 1/sqrt(2), 0.6, seed order: ${scale.claimRepeats.toLocaleString('en-US')} trainings each`,
  );
  trainings += await sweepMissing(store, studies.claims, run);
  log(
    `3/${steps} the curve, textbook order: ${scale.textbookPoints} stds x ${scale.textbookRepeats}, refined to ${scale.textbookTotal.toLocaleString('en-US')}`,
  );
  trainings += await sweepMissing(store, studies.textbookCurve, run);
  trainings += await refineToTotal(store, studies.textbookCurve, scale.textbookTotal, run);
  log(
    `4/${steps} the compared stds, textbook order: ${scale.textbookClaimRepeats.toLocaleString('en-US')} trainings each`,
  );
  trainings += await sweepMissing(store, studies.textbookClaims, run);
  const size = (study: Study) => (study.pointCount * study.definition.repeats).toLocaleString('en-US');
  log(
    `5/${steps} next: the hidden activations across the init std, ${studies.activations.length} x ${size(studies.activations[0])} trainings`,
  );
  for (const study of studies.activations) trainings += await sweepMissing(store, study, run);
  log(
    `6/${steps} next: BCE and MSE across the init std and the learning rate, ${studies.losses.length} x ${size(studies.losses[0])} trainings`,
  );
  for (const study of studies.losses) trainings += await sweepMissing(store, study, run);
  log(
    `7/${steps} next: the learning-rate schedules across the initial learning rate, ${studies.schedules.length} x ${size(studies.schedules[0])} trainings`,
  );
  for (const study of studies.schedules) trainings += await sweepMissing(store, study, run);
  if (scale.goal && studies.goal.length === 2) {
    const [goalCurve, goalClaims] = studies.goal;
    const goal = scale.goal;
    const stop = (s: object) =>
      Object.entries(s)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ');
    log(
      `8/9 the same minimum for a fraction of the trainings: ${scale.curvePoints} stds x ${goal.curveRepeats}, then refine --goal minimum (${stop(goal.minimum)})`,
    );
    trainings += await sweepMissing(store, goalCurve, run);
    trainings += await refineGoal(store, goalCurve, { goal: 'minimum', ...goal.minimum }, run);
    log(
      `9/9 the 1.1% claim for a fraction of the trainings: 1/sqrt(2) and ${GOAL_COMPARED} x ${goal.claimRepeats}, then refine --goal compare (${stop(goal.compare)})`,
    );
    trainings += await sweepMissing(store, goalClaims, run);
    trainings += await refineGoal(
      store,
      goalClaims,
      { goal: 'compare', compare: [XAVIER, GOAL_COMPARED], ...goal.compare },
      run,
    );
  }
  return { studies, trainings, seconds };
}
