// Preparing a run of a study: what runStudy, refineStudy, `xorlab sweep`, `xorlab refine` and the distributed
// coordinator share between a study and the worker pool. A prepared run is one value: the study, the datasets it
// trains on (loaded once, checked against the digests the study pins), the engine its trials are trained with (the
// stored engine rule's answer: a resumed study goes on with its trials' engine) and the trials to run. Nothing here
// prints, exits or names a flag: the CLI adds those.
import type { Dataset } from '../../core/datasets.js';
import { engineChoice, type EngineChoice } from '../../config/run-options.js';
import { loadDataset } from '../../engine/datasets.js';
import type { Store } from '../../store/types.js';
import { datasetNames } from '../definition/definition.js';
import type { Study } from '../definition/types.js';
import { planMissing, TrialPlan } from './browser/plan.js';
import { checkPinnedDatasets, pinDatasets } from './pins.js';
import { checkStoredStudy, registerStudy } from './stored.js';

/** A study with the datasets it trains on, by their names in its configuration. */
export interface LoadedStudy {
  study: Study;
  datasets: Record<string, Dataset>;
}

/** A study ready for the worker pool: what runPlan and the coordinator take. */
export interface PreparedRun extends LoadedStudy {
  /** The engine and precision the trials are trained with. */
  engine: EngineChoice;
  /** The trials to run. */
  plan: TrialPlan;
}

/** Every dataset the study trains on, by its name in the configuration (DatasetError for a missing file). */
export function studyDatasets(study: Study): Record<string, Dataset> {
  return Object.fromEntries(datasetNames(study).map((name) => [name, loadDataset(name)]));
}

/**
 * The study with its datasets (loaded here unless given: the CLI loads them first, to name --dataset in an error).
 * Throws StudyError for a dataset file edited since the study was stored; the study comes back with its files'
 * truth tables pinned in its definition (a stored study's pins are those it has, checked just now).
 */
export function loadStudy(study: Study, datasets: Record<string, Dataset> = studyDatasets(study)): LoadedStudy {
  checkPinnedDatasets(study, datasets);
  return { study: pinDatasets(study, datasets), datasets };
}

export interface PrepareOptions {
  store: Pick<Store, 'getStudy' | 'iterateTrials' | 'ensureStudy' | 'storedRuns'>;
  /** The engine asked for; where it leaves the engine or precision open, the stored trials' own, else fast, f32. */
  engine?: Partial<EngineChoice>;
  /** The end of the message that refuses a stored study of this name with another definition. */
  hint: string;
  /**
   * 'missing' (a sweep): registers the study and plans the trials the store lacks. 'none' (refine): reads only and
   * plans nothing; refine allocates its trials from the checked study's point errors and reserves them (the plan
   * then replaces the empty one).
   */
  plan: 'missing' | 'none';
}

/**
 * Checks the study against the store (a stored study of this name must be the same study, its trials trained with
 * the engine asked for: StudyError otherwise, and nothing is written) and plans its trials.
 */
export async function prepareRun(loaded: LoadedStudy, options: PrepareOptions): Promise<PreparedRun> {
  const { store, hint } = options;
  const check = { datasets: loaded.datasets, request: options.engine ?? {} };
  if (options.plan === 'none') {
    const asked = await checkStoredStudy(store, loaded.study, hint, check);
    return { ...loaded, engine: engineChoice(asked), plan: TrialPlan.empty };
  }
  const asked = await registerStudy(store, loaded.study, hint, check);
  const { name, repeats } = loaded.study.definition;
  const plan = planMissing(loaded.study.pointCount, repeats, await store.storedRuns(name));
  return { ...loaded, engine: engineChoice(asked), plan };
}
