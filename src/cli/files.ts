// File access for commands: every failure becomes a UsageError that names the option and the file.
import { readFileSync, writeFileSync } from 'node:fs';
import { describePrototypeKey, findPrototypeKey, type Dataset } from '../core/index.js';
import { loadDataset as loadDatasetFile } from '../engine/datasets.js';
import { fileErrorReason } from '../text/format.js';
import { printable } from '../text/quote.js';
import { UsageError, withFlag } from './errors.js';

function readTextFile(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${printable(path)} (${fileErrorReason(error)})`);
  }
}

/** A JSON file, parsed; a key that names a prototype (`__proto__`, ...) anywhere in it is refused by name. */
export function readJsonFile(option: string, path: string): unknown {
  const text = readTextFile(option, path);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`${option}: ${printable(path)} is not valid JSON`);
  }
  const prototypeKey = findPrototypeKey(doc);
  if (prototypeKey) throw new UsageError(`${option}: ${printable(path)}: ${describePrototypeKey(prototypeKey)}`);
  return doc;
}

export function writeTextFile(option: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new UsageError(`${option}: cannot write ${printable(path)} (${fileErrorReason(error)})`);
  }
}

/** A built-in dataset by name, or a truth table from a .csv or .json file; problems name --dataset. */
export function loadDataset(nameOrPath: string): Dataset {
  return withFlag('--dataset', () => loadDatasetFile(nameOrPath));
}
