// File access for commands: every failure becomes a UsageError that names the option and the file.
import { readFileSync, writeFileSync } from 'node:fs';
import { DatasetError, type Dataset } from '../core/index.js';
import { loadDataset as loadDatasetFile } from '../engine/datasets.js';
import { fileErrorReason } from '../text/format.js';
import { UsageError } from './errors.js';

export function readTextFile(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path} (${fileErrorReason(error)})`);
  }
}

export function readJsonFile(option: string, path: string): unknown {
  const text = readTextFile(option, path);
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${option}: ${path} is not valid JSON`);
  }
}

export function writeTextFile(option: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new UsageError(`${option}: cannot write ${path} (${fileErrorReason(error)})`);
  }
}

/** A built-in dataset by name, or a truth table from a .csv or .json file; problems name --dataset. */
export function loadDataset(nameOrPath: string): Dataset {
  try {
    return loadDatasetFile(nameOrPath);
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`--dataset: ${error.message}`);
    throw error;
  }
}
