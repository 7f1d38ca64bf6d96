// Reader-facing names for the swept parameters and metrics shown on axes (titles from the parameter table).
import { PARAMETERS, isParameterName } from '../config/parameters.js';

/** An axis title for a configuration key, e.g. hiddenStd -> "Initial std of the hidden-layer weights (hiddenStd)". */
export function parameterTitle(key: string): string {
  const title = isParameterName(key) ? PARAMETERS[key].title : undefined;
  return title ? `${title} (${key})` : key;
}

/** A legend or panel title for a configuration key: the table's title alone (e.g. "Hidden activation"), else the key. */
export function plainTitle(key: string): string {
  return (isParameterName(key) ? PARAMETERS[key].title : undefined) ?? key;
}

/** Whether a parameter is the std of an initial weight distribution (where Xavier/Glorot predicts 1/sqrt(2)). */
export function isInitStd(key: string): boolean {
  return /Std$/.test(key);
}
