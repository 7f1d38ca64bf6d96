// The dataset a configuration names, loaded in Node: a built-in truth table by name, or a .csv/.json file read
// from disk (core parses the text; in a browser the caller parses it). Every failure is a DatasetError, one line.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  builtinDataset,
  DatasetError,
  isBuiltinDataset,
  parseCsvDataset,
  parseJsonDataset,
  type Dataset,
} from '../core/datasets.js';
import { fileErrorReason } from '../text/format.js';
import { printable } from '../text/quote.js';

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new DatasetError(`cannot read ${printable(path)} (${fileErrorReason(error)})`);
  }
}

/** A built-in dataset by name (xor, and, ..., parity2..8), or a truth table from a .csv or .json file. */
export function loadDataset(nameOrPath: string): Dataset {
  if (isBuiltinDataset(nameOrPath)) return builtinDataset(nameOrPath);
  const ext = extname(nameOrPath).toLowerCase();
  if (ext === '.csv') return parseCsvDataset(nameOrPath, readText(nameOrPath));
  if (ext === '.json') return parseJsonDataset(nameOrPath, readText(nameOrPath));
  return builtinDataset(nameOrPath); // throws: unknown dataset, with the allowed names
}
