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
import type { RunOutcome } from '../study/run/run-plan.js';
import { checkStoredStudy, pointErrors, reserveAdditional, type EngineCheck } from '../study/run/stored.js';
import { CLAIM_STDS, articleConfig } from './config.js';
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
  },
};

interface ReproductionStudies {
  curve: StudyDefinitionInput;
  claims: StudyDefinitionInput;
  textbookCurve: StudyDefinitionInput;
  textbookClaims: StudyDefinitionInput;
  activations: StudyDefinitionInput[];
  losses: StudyDefinitionInput[];
  schedules: StudyDefinitionInput[];
}

/** The study definitions of a reproduction; names are `${prefix}-curve`, `${prefix}-claims`, ... (the first part's
 * four) and `${prefix}-activation-<name>`, `-loss-<name>`, `-schedule-<name>` (the next questions). */
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

interface ReproductionRun {
  studies: ReproductionStudyMap;
  trainings: number;
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
  run: PlanRunner,
  log: (line: string) => void = () => {},
): Promise<ReproductionRun> {
  let trainings = 0;
  log(
    `1/7 the curve, seed order: ${scale.curvePoints} stds x ${scale.curveRepeats}, refined to ${scale.curveTotal.toLocaleString('en-US')} trainings`,
  );
  trainings += await sweepMissing(store, studies.curve, run);
  trainings += await refineToTotal(store, studies.curve, scale.curveTotal, run);
  log(
    `2/7 the compared stds 1, 1/sqrt(2), 0.6, seed order: ${scale.claimRepeats.toLocaleString('en-US')} trainings each`,
  );
  trainings += await sweepMissing(store, studies.claims, run);
  log(
    `3/7 the curve, textbook order: ${scale.textbookPoints} stds x ${scale.textbookRepeats}, refined to ${scale.textbookTotal.toLocaleString('en-US')}`,
  );
  trainings += await sweepMissing(store, studies.textbookCurve, run);
  trainings += await refineToTotal(store, studies.textbookCurve, scale.textbookTotal, run);
  log(`4/7 the compared stds, textbook order: ${scale.textbookClaimRepeats.toLocaleString('en-US')} trainings each`);
  trainings += await sweepMissing(store, studies.textbookClaims, run);
  const size = (study: Study) => (study.pointCount * study.definition.repeats).toLocaleString('en-US');
  log(
    `5/7 next: the hidden activations across the init std, ${studies.activations.length} x ${size(studies.activations[0])} trainings`,
  );
  for (const study of studies.activations) trainings += await sweepMissing(store, study, run);
  log(
    `6/7 next: BCE and MSE across the init std and the learning rate, ${studies.losses.length} x ${size(studies.losses[0])} trainings`,
  );
  for (const study of studies.losses) trainings += await sweepMissing(store, study, run);
  log(
    `7/7 next: the learning-rate schedules across the initial learning rate, ${studies.schedules.length} x ${size(studies.schedules[0])} trainings`,
  );
  for (const study of studies.schedules) trainings += await sweepMissing(store, study, run);
  return { studies, trainings };
}
