// A study's dataset files, pinned: the digest of each file's truth table is kept in the stored definition when the
// study is first stored, and every later run (a resumed sweep, refine) checks the file against it, so that a file
// edited in between is refused instead of silently mixing two truth tables in one study. Built-in datasets (xor,
// parity3, ...) are defined by the code and need no pin.
import { createHash } from 'node:crypto';
import { isBuiltinDataset, type Dataset } from '../../core/index.js';
import { StudyError, type Study, type StudyDefinition } from '../definition/types.js';
import { quote } from '../../text/quote.js';

/** "sha256:<hex>" of a truth table: its shape, inputs and targets as numbers (not the file's bytes, so that a
 * comment or spacing changed in the file changes nothing). */
export function datasetDigest(dataset: Dataset): string {
  const hash = createHash('sha256');
  hash.update(`${dataset.size} ${dataset.inputCount} ${dataset.outputCount}\n`);
  hash.update(new Uint8Array(dataset.inputs.buffer, dataset.inputs.byteOffset, dataset.inputs.byteLength));
  hash.update(new Uint8Array(dataset.targets.buffer, dataset.targets.byteOffset, dataset.targets.byteLength));
  return `sha256:${hash.digest('hex')}`;
}

/** The digests of the study's dataset files (none: undefined). */
function digests(datasets: Record<string, Dataset>): Record<string, string> | undefined {
  const files = Object.keys(datasets)
    .filter((name) => !isBuiltinDataset(name))
    .sort();
  return files.length ? Object.fromEntries(files.map((name) => [name, datasetDigest(datasets[name])])) : undefined;
}

/**
 * Throws StudyError when a dataset file the study pins no longer holds the table it held when the study was
 * stored. A study without pins (no dataset files, or stored before pins existed) passes.
 */
export function checkPinnedDatasets(study: Study, datasets: Record<string, Dataset>): void {
  const pinned = study.definition.datasets;
  if (!pinned) return;
  for (const [name, digest] of Object.entries(pinned)) {
    const dataset = datasets[name];
    if (dataset && datasetDigest(dataset) !== digest) throw changedDataset(study.definition.name, name);
  }
}

export function changedDataset(study: string, file: string): StudyError {
  return new StudyError(
    `the dataset file ${file} has changed since study ${quote(study)} was stored (its truth table no longer matches the digest stored with the study); ` +
      'restore the file as it was, or run the new table as another study under another --name',
  );
}

/** The study with its dataset files' digests in its definition (as the last key), ready to be stored. */
export function pinDatasets(study: Study, datasets: Record<string, Dataset>): Study {
  const pins = digests(datasets);
  if (!pins) return study;
  const { datasets: _given, ...rest } = study.definition;
  const definition: StudyDefinition = { ...rest, datasets: pins };
  return { ...study, definition };
}

/** The definition without its pins: what a study stored before pins existed is compared with. */
export function withoutPins(definition: StudyDefinition): StudyDefinition {
  const { datasets: _pins, ...rest } = definition;
  return rest;
}
