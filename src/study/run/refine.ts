// Refining a stored study: more trials where the relative standard error of the mean total loss is largest, as
// the article does. Planning (what `xorlab refine` and the library's refineStudy share: the allocation by budget or
// target and the per-study cap) and, for the library, the run itself; new repeats continue after the stored ones,
// their seeds derived the same way.
import type { ParamValue } from '../../store/types.js';
import {
  AllocationError,
  DEFAULT_MAX_TRIALS,
  allocateBudget,
  allocateToTarget,
  predictedRse,
  type PointError,
} from './allocate.js';
import { MAX_STUDY_TRIALS, resolveStudy } from '../definition/definition.js';
import { StudyError, noStudyMessage, type Study } from '../definition/types.js';
import { loadStudy, prepareRun } from './prepare.js';
import { pointErrors, reserveAdditional } from './stored.js';
import { checkRunOptions, runStudyPlan, type RunSummary, type StudyRunOptions } from './run-study.js';

/** How many more trials: exactly one of `budget` and `targetRse`. */
interface RefineTarget {
  /** This many more trials, split in proportion to each point's relative standard error. */
  budget?: number;
  /** As many trials as each point needs for a predicted relative standard error <= this (e.g. 0.01). */
  targetRse?: number;
  /** With targetRse: refuse to plan more than this many trials (default 10,000,000). */
  maxTrials?: number;
}

/** The allocation over the study's points. */
export interface Refinement {
  /** Per point: its current estimate and the trials it gets (0 for most points of a budget split). */
  errors: PointError[];
  extra: number[];
  /** Trials added in all. */
  total: number;
  /** Trials stored before. */
  stored: number;
  /** The largest relative standard error now, and after the new trials (predicted: rse x sqrt(n / (n + k))). */
  largestRse: number | null;
  predictedLargestRse: number | null;
}

/**
 * Where the new trials go. Throws AllocationError for a target that needs too many trials, StudyError when the
 * study would pass the cap of trials per study. `names` are the option names for messages.
 */
export function planRefinement(
  study: Study,
  errors: PointError[],
  target: RefineTarget,
  names = { budget: 'budget', targetRse: 'targetRse', maxTrials: 'maxTrials' },
): Refinement {
  const { budget, targetRse } = target;
  if ((budget === undefined) === (targetRse === undefined))
    throw new AllocationError(`give exactly one of ${names.budget} or ${names.targetRse}`);
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 1 && budget <= MAX_STUDY_TRIALS)) {
    throw new AllocationError(
      `${names.budget} must be an integer from 1 to ${MAX_STUDY_TRIALS}, got ${String(budget)}`,
    );
  }
  if (targetRse !== undefined && !(typeof targetRse === 'number' && targetRse > 0 && Number.isFinite(targetRse))) {
    throw new AllocationError(`${names.targetRse} must be a number > 0, got ${String(targetRse)}`);
  }
  const maxTrials = target.maxTrials ?? DEFAULT_MAX_TRIALS;
  if (!(Number.isInteger(maxTrials) && maxTrials >= 1 && maxTrials <= MAX_STUDY_TRIALS)) {
    throw new AllocationError(
      `${names.maxTrials} must be an integer from 1 to ${MAX_STUDY_TRIALS}, got ${String(maxTrials)}`,
    );
  }
  const extra = budget !== undefined ? allocateBudget(errors, budget) : allocateToTarget(errors, targetRse!, maxTrials);
  const total = extra.reduce((a, k) => a + k, 0);
  const stored = errors.reduce((n, e) => n + e.count, 0);
  if (stored + total > MAX_STUDY_TRIALS) {
    throw new StudyError(
      `study ${study.definition.name} holds ${stored.toLocaleString('en-US')} trials; ${total.toLocaleString('en-US')} more would pass the cap of ` +
        `${MAX_STUDY_TRIALS.toLocaleString('en-US')} trials per study`,
    );
  }
  const largest = (values: (number | null)[]): number | null =>
    values.reduce<number | null>((m, v) => (v === null ? m : Math.max(m ?? 0, v)), null);
  return {
    errors,
    extra,
    total,
    stored,
    largestRse: largest(errors.map((e) => e.rse)),
    predictedLargestRse: largest(errors.map((e, i) => predictedRse(e, extra[i]))),
  };
}

/** A point that gets new trials. */
export interface RefinedPoint {
  point: number;
  params: Record<string, ParamValue>;
  /** Trials stored at the point before. */
  trials: number;
  /** Its relative standard error now (null without an estimate). */
  rse: number | null;
  /** Trials added. */
  add: number;
  /** The relative standard error expected after them. */
  predictedRse: number | null;
}

/** What refineStudy planned and ran. */
export interface StudyRefinement {
  study: string;
  /** The points that get new trials, in point order. */
  points: RefinedPoint[];
  /** Trials added in all (planned; `run` says how many finished). */
  total: number;
  /** The largest relative standard error before, and predicted after. */
  largestRse: number | null;
  predictedLargestRse: number | null;
  /** The run; null for a dry run or when nothing needed adding. */
  run: RunSummary | null;
}

/** Options of refineStudy: how many trials (budget or targetRse), how to run them, and dryRun to plan only. */
export interface RefineOptions extends RefineTarget, StudyRunOptions {
  /** Plan only: return the allocation and run nothing. */
  dryRun?: boolean;
}

/**
 * Adds trials to a stored study where the relative standard error of the mean total loss is largest (`budget`),
 * or until every point's predicted error reaches `targetRse`. Throws StudyError for an unknown study or a dataset
 * file changed since the study was stored, AllocationError for options that plan nothing sensible, DatasetError and
 * StoreError as runStudy does.
 */
export async function refineStudy(name: string, options: RefineOptions): Promise<StudyRefinement> {
  checkRunOptions(options);
  const { store } = options;
  const record = await store.getStudy(name);
  if (!record) {
    const names = (await store.listStudies()).map((s) => s.name);
    throw new StudyError(noStudyMessage(name, store.location, names));
  }
  // A dataset file edited since the study was stored is refused; trials of another engine too. Reads only.
  const prepared = await prepareRun(loadStudy(resolveStudy(record.definition)), {
    store,
    engine: options,
    hint: 'the stored definition is not one this version reads',
    plan: 'none',
  });
  const { study } = prepared;
  const refinement = planRefinement(study, await pointErrors(store, study), options);
  const points = refinement.errors.flatMap((e, i) =>
    refinement.extra[i] > 0
      ? [
          {
            point: e.point,
            params: study.pointParams(e.point),
            trials: e.count,
            rse: e.rse,
            add: refinement.extra[i],
            predictedRse: predictedRse(e, refinement.extra[i]),
          },
        ]
      : [],
  );
  const result: StudyRefinement = {
    study: name,
    points,
    total: refinement.total,
    largestRse: refinement.largestRse,
    predictedLargestRse: refinement.predictedLargestRse,
    run: null,
  };
  if (options.dryRun || refinement.total === 0) return result;
  // At repeat indices reserved in the store: a refine of the same study running at the same time gets others.
  const plan = await reserveAdditional(store, study, refinement.extra);
  result.run = await runStudyPlan({ ...prepared, plan }, options);
  return result;
}
