// Rechecking a study stored before the fast engine carried f32 overflow into f64: its trials stored as diverged by
// the fast engine in f32 are mostly not divergences (an unbounded activation's weights grow past f32's range, where
// f64 carries them), and every mean left them out. An xorlab of today never stores such a trial (a non-finite f32
// trial is trained again in f64), so a diverged fast/f32 trial is exactly the mark of a study written before.
// recheckStudy trains exactly those trials again with the fast engine in f64 from their stored seeds and replaces
// them in place, one chunk per transaction (an interrupted recheck keeps whole chunks; a rerun does the rest).
import type { Dataset } from '../../core/index.js';
import { trainMany } from '../../engine/index.js';
import type { Store, TrialRow } from '../../store/types.js';
import { staleDivergedTrials } from '../analysis/stale.js';
import { resolveStudy } from '../definition/definition.js';
import { checkPinnedDatasets } from './pins.js';
import { studyDatasets } from './prepare.js';
import { StudyError, noStudyMessage, type Study } from '../definition/types.js';

/** Trials recomputed per transaction by default. */
export const RECHECK_CHUNK = 256;

interface RecheckOptions {
  /** Trials per transaction (default RECHECK_CHUNK). */
  chunkSize?: number;
  /** Stops after the chunk in progress (which is committed whole). */
  signal?: AbortSignal;
  /** Told after each committed chunk: trials rechecked so far, of how many. */
  onChunk?: (done: number, total: number) => void;
  /** The study's datasets, when the caller has loaded them (else loaded here: DatasetError for a missing file). */
  datasets?: Record<string, Dataset>;
}

interface RecheckResult {
  study: string;
  /** Diverged fast/f32 trials found. */
  found: number;
  /** Recomputed and stored (= found unless interrupted). */
  rechecked: number;
  /** Of those, diverged in f64 too (true divergences). */
  stillDiverged: number;
  interrupted: boolean;
}

/**
 * Recomputes every trial of a stored study that the fast engine stored as diverged in f32, with the fast engine in
 * f64 from the same seed, and replaces it in place (engine fast, precision f64 or the engine that ran, where the
 * fast engine does not cover the point), the block aggregates refolded; every other trial stays as it is. Throws
 * StudyError for an unknown study, a definition this version does not read or a dataset edited since the study
 * was stored; StoreError for a database problem.
 */
export async function recheckStudy(
  store: Pick<Store, 'getStudy' | 'listStudies' | 'iterateTrials' | 'replaceTrials' | 'location'>,
  name: string,
  options: RecheckOptions = {},
): Promise<RecheckResult> {
  const chunkSize = options.chunkSize ?? RECHECK_CHUNK;
  if (!(Number.isInteger(chunkSize) && chunkSize >= 1))
    throw new StudyError(`chunkSize must be an integer >= 1, got ${String(chunkSize)}`);
  const record = await store.getStudy(name);
  if (!record) {
    const names = (await store.listStudies()).map((s) => s.name);
    throw new StudyError(noStudyMessage(name, store.location, names));
  }
  const study = resolveStudy(record.definition);
  const datasets = options.datasets ?? studyDatasets(study);
  checkPinnedDatasets(study, datasets); // a dataset file edited since the study was stored would give other numbers
  const stale = await staleDivergedTrials(store, name);
  const result: RecheckResult = {
    study: name,
    found: stale.length,
    rechecked: 0,
    stillDiverged: 0,
    interrupted: false,
  };
  for (let start = 0; start < stale.length; start += chunkSize) {
    if (options.signal?.aborted) {
      result.interrupted = true;
      break;
    }
    const rows = recompute(study, datasets, stale.slice(start, start + chunkSize));
    await store.replaceTrials(rows);
    result.rechecked += rows.length;
    result.stillDiverged += rows.filter((r) => r.diverged).length;
    options.onChunk?.(result.rechecked, stale.length);
  }
  return result;
}

/** The rows trained again in f64, one trainMany per run of rows at the same point (as a sweep's chunk does). */
function recompute(study: Study, datasets: Record<string, Dataset>, rows: readonly TrialRow[]): TrialRow[] {
  const out: TrialRow[] = [];
  for (let start = 0; start < rows.length;) {
    const point = rows[start].point;
    let end = start + 1;
    while (end < rows.length && rows[end].point === point) end++;
    const config = study.pointConfig(point);
    const dataset = datasets[config.dataset];
    if (!dataset) throw new StudyError(`dataset ${config.dataset} of study "${study.definition.name}" was not loaded`);
    const group = rows.slice(start, end);
    const run = trainMany(
      config,
      dataset,
      group.map((r) => r.seed),
      { engine: 'fast', precision: 'f64' },
    );
    group.forEach((row, k) => {
      const m = run.metrics[k];
      out.push({
        ...row,
        totalLoss: m.totalLoss,
        finalLoss: m.finalLoss,
        success: m.success,
        epochsToThreshold: m.epochsToThreshold,
        diverged: m.diverged,
        engine: run.engine,
        precision: m.precision,
      });
    });
    start = end;
  }
  return out;
}
