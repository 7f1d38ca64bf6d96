// The store's own one-line errors, worded once for every database.
import { describeDifference } from '../definition-diff.js';
import { METRIC_NAMES, StoreError } from '../types.js';
import { nameList, quote } from '../../text/quote.js';

/** An unknown study, naming up to ten of the studies there (`names`: up to eleven, in name order). */
export function unknownStudy(name: string, location: string, names: readonly string[]): StoreError {
  const known = names.length ? `studies here: ${nameList(names)}` : 'it holds no studies yet';
  return new StoreError(`unknown study ${quote(name)} in ${location} (${known})`);
}

export function studyTaken(newName: string, location: string): StoreError {
  return new StoreError(
    `there is already a study ${quote(newName)} in ${location}; choose another name, or delete that one first`,
  );
}

export function differentDefinition(name: string, location: string, stored: string, given: string): StoreError {
  return new StoreError(
    `study ${quote(name)} already exists in ${location} with a different definition (${describeDifference(stored, given)}); use another study name or --db`,
  );
}

export function unknownMetric(metric: unknown): StoreError {
  return new StoreError(`unknown metric ${quote(String(metric))}; metrics: ${METRIC_NAMES.join(', ')}`);
}

/** A trial that names an engine id its database does not list. */
export function unknownEngine(location: string, study: string, engineId: unknown): StoreError {
  return new StoreError(
    `${location} is damaged: a trial of study ${quote(study)} names engine id ${String(engineId)}, which is not in its engines table`,
  );
}
