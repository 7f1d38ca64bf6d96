// The store's own one-line errors, worded once for every database.
import { describeDifference } from '../definition-diff.js';
import { METRIC_NAMES, StoreError } from '../types.js';

/** An unknown study, naming up to ten of the studies there (`names`: up to eleven, in name order). */
export function unknownStudy(name: string, location: string, names: readonly string[]): StoreError {
  const known = names.length ? `studies here: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : 'it holds no studies yet';
  return new StoreError(`unknown study "${name}" in ${location} (${known})`);
}

export function studyTaken(newName: string, location: string): StoreError {
  return new StoreError(`there is already a study "${newName}" in ${location}; choose another name, or delete that one first`);
}

export function differentDefinition(name: string, location: string, stored: string, given: string): StoreError {
  return new StoreError(`study "${name}" already exists in ${location} with a different definition (${describeDifference(stored, given)}); use another study name or --db`);
}

export function unknownMetric(metric: unknown): StoreError {
  return new StoreError(`unknown metric "${String(metric)}"; metrics: ${METRIC_NAMES.join(', ')}`);
}

/** A trial that names an engine id its database does not list. */
export function unknownEngine(location: string, study: string, engineId: unknown): StoreError {
  return new StoreError(`${location} is damaged: a trial of study "${study}" names engine id ${String(engineId)}, which is not in its engines table`);
}
