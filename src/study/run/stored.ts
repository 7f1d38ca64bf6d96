// A study as the store holds it: registering a definition (a stored study of the same name must be the same
// study), the engine its stored trials were trained with (a resumed study must not mix engines), and each
// point's current relative error (what refine allocates by).
import type { Dataset } from '../../core/index.js';
import { fastEngineSupport, type EngineChoice } from '../../engine/index.js';
import type { Store } from '../../store/types.js';
import type { PointError } from './allocate.js';
import { STUDY_NAME_PATTERN, describeDifference, sameDefinition } from '../definition/definition.js';
import { changedDataset, withoutPins } from './pins.js';
import { planReserved, type TrialPlan } from './browser/plan.js';
import { StudyError, type Study, type StudyDefinition } from '../definition/types.js';
import { relativeStandardError } from '../analysis/stats.js';
import { quote } from '../../text/quote.js';

/** What a resumed study's trials are checked against: the engine asked for (undefined where the flags or options
 * left it open: a resumed study then keeps its own) and the datasets (which points fall back). */
export interface EngineCheck {
  datasets: Record<string, Dataset>;
  request: Partial<EngineChoice>;
}

type StudyReader = Pick<Store, 'getStudy' | 'iterateTrials'>;

/**
 * Reads only. Throws StudyError when the store holds a study of this name with another definition (the message
 * ends with `hint`), or, given `engine`, trials trained with another engine or precision than the flags ask
 * for. Returns the request with the stored trials' engine filled in where a flag was not given.
 */
export async function checkStoredStudy(
  store: StudyReader,
  study: Study,
  hint: string,
  engine?: EngineCheck,
): Promise<Partial<EngineChoice>> {
  const name = study.definition.name;
  const existing = await store.getStudy(name);
  const request = engine?.request ?? {};
  if (!existing) return request;
  // A study stored before dataset pins existed has none: it is compared without them (and stays without them).
  const storedPins = (existing.definition as { datasets?: Record<string, string> } | null)?.datasets;
  const given = storedPins === undefined ? withoutPins(study.definition) : study.definition;
  if (!sameDefinition(existing.definition, given)) {
    if (
      storedPins !== undefined &&
      sameDefinition(withoutPins(existing.definition as StudyDefinition), withoutPins(study.definition))
    ) {
      const changed =
        Object.keys(storedPins).find((file) => storedPins[file] !== study.definition.datasets?.[file]) ??
        Object.keys(storedPins)[0];
      throw changedDataset(name, changed);
    }
    throw new StudyError(
      `study ${quote(name)} already exists with a different definition (${describeDifference(existing.definition, given)}); ${hint}`,
    );
  }
  if (!engine || existing.trialCount === 0) return request;
  const stored = await storedEngine(store, study, engine.datasets);
  if (!stored) return request;
  const wanted: EngineChoice = {
    engine: request.engine ?? stored.engine,
    precision: request.precision ?? (stored.engine === 'fast' ? stored.precision : 'f32'),
  };
  const same =
    stored.engine === wanted.engine && (stored.engine === 'reference' || stored.precision === wanted.precision);
  if (!same) {
    throw new StudyError(
      `study ${quote(name)} holds trials trained with ${describe(stored)}; this run asks for ${describe(wanted)}, which would mix engines in one study; ` +
        `continue it with ${describe(stored)}, or run the other engine under another --name`,
    );
  }
  return { engine: wanted.engine, precision: wanted.precision };
}

/** checkStoredStudy, then registers the study (a no-op when it is stored). */
export async function registerStudy(
  store: StudyReader & Pick<Store, 'ensureStudy'>,
  study: Study,
  hint: string,
  engine?: EngineCheck,
): Promise<Partial<EngineChoice>> {
  const request = await checkStoredStudy(store, study, hint, engine);
  // A stored study keeps its definition as it was stored (one from before dataset pins stays without them).
  if (!(await store.getStudy(study.definition.name))) await store.ensureStudy(study.definition.name, study.definition);
  return request;
}

function describe(choice: EngineChoice): string {
  return choice.engine === 'reference' ? '--engine reference' : `--engine fast --precision ${choice.precision}`;
}

/**
 * The engine choice the stored trials were trained with, or null when they do not tell. Where the fast engine
 * does not cover a point both choices train it with the reference engine, so a row tells the choice only when
 * it is a fast row, or a reference row at a point the fast engine covers: rows are read in order until one does
 * (usually the first; in a sweep whose first points fall back, up to the first covered point).
 */
async function storedEngine(
  store: StudyReader,
  study: Study,
  datasets: Record<string, Dataset>,
): Promise<EngineChoice | null> {
  const covered = new Map<number, boolean>();
  const isCovered = (point: number): boolean => {
    let ok = covered.get(point);
    if (ok === undefined) {
      const config = study.pointConfig(point);
      const dataset = datasets[config.dataset];
      ok = dataset !== undefined && fastEngineSupport(config, dataset).ok;
      covered.set(point, ok);
    }
    return ok;
  };
  // A run in f32 stores some trials in f64: those f32 could not carry, trained again in f64 (engine/train-many.ts).
  // So a fast f32 row says f32 at once, while fast f64 rows say f64 only when no f32 row follows them (a study run in
  // f64 is read to its end; a study run in f32 meets an f32 row soon after its first retried trials).
  let fastF64 = false;
  for await (const row of store.iterateTrials(study.definition.name)) {
    if (row.engine === 'fast') {
      if (row.precision !== 'f64') return { engine: 'fast', precision: 'f32' };
      fastF64 = true;
    } else if (!fastF64 && isCovered(row.point)) return { engine: 'reference', precision: 'f64' };
  }
  return fastF64 ? { engine: 'fast', precision: 'f64' } : null;
}

/** Each point's relative standard error, from the store's per-point summary (what refine allocates by). */
export async function pointErrors(store: Pick<Store, 'summarize'>, study: Study): Promise<PointError[]> {
  const summary = new Map((await store.summarize(study.definition.name)).map((s) => [s.point, s]));
  return Array.from({ length: study.pointCount }, (_, point) => {
    const s = summary.get(point);
    return s
      ? { point, count: s.count, lossCount: s.lossCount, rse: relativeStandardError(s) }
      : { point, count: 0, lossCount: 0, rse: null };
  });
}

/**
 * The plan for `extra[p]` more trials at each point p, at repeat indices reserved in the store: another run adding
 * trials to the same study at the same time gets other indices, so both runs' trials are stored.
 */
export async function reserveAdditional(
  store: Pick<Store, 'reserveRepeats'>,
  study: Study,
  extra: readonly number[],
): Promise<TrialPlan> {
  const counts = new Map<number, number>();
  extra.forEach((k, point) => {
    if (k > 0) counts.set(point, k);
  });
  return planReserved(extra, await store.reserveRepeats(study.definition.name, counts));
}

/** Renames a stored study: the store keeps the definition verbatim, so its `name` changes with it (in place, the
 * keys' order kept). Throws StudyError for a name that is not allowed. */
export async function renameStoredStudy(
  store: Pick<Store, 'getStudy' | 'renameStudy'>,
  name: string,
  newName: string,
): Promise<void> {
  if (!STUDY_NAME_PATTERN.test(newName)) {
    throw new StudyError(
      `the new name ${quote(newName)} must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  if (newName === name) throw new StudyError(`the study is already called ${quote(name)}`);
  const record = await store.getStudy(name);
  if (!record) throw new StudyError(`there is no study ${quote(name)}`);
  const definition = record.definition;
  const renamed =
    definition !== null && typeof definition === 'object' && !Array.isArray(definition) && 'name' in definition
      ? { ...definition, name: newName }
      : definition;
  await store.renameStudy(name, newName, renamed);
}
