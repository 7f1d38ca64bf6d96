// Parameters as people type them: a key (hiddenStd) or a flag (hidden-std, --hidden-std), and the nearest name for a
// typo. Apart from ./parameters.ts so that the parameter table stays free of the suggestion code (xorlab/core's
// browser bundle carries the table only).
import { didYouMean } from '../text/suggest.js';
import { parameterFromFlag } from './parameters.js';

/**
 * The parameter of `allowed` that `spelling` names, as a key (hiddenStd) or a flag (hidden-std, --hidden-std);
 * null when it names none of them.
 */
export function parameterNamed<T extends string>(spelling: string, allowed: readonly T[]): T | null {
  const text = spelling.trim();
  if ((allowed as readonly string[]).includes(text)) return text as T;
  const key = parameterFromFlag(text);
  return key !== null && (allowed as readonly string[]).includes(key) ? (key as string as T) : null;
}

/** The "did you mean" part of a message about a name that is not one of `allowed`: the nearest by edit distance. */
export function suggestParameter(spelling: string, allowed: readonly string[]): string {
  return didYouMean(spelling.replace(/^--/, ''), allowed);
}
