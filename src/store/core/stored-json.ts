// Stored JSON text read back (a study's definition, a point's params): a row damaged elsewhere (an UPDATE by hand,
// another program) is that row's problem, said in one line, not an exception that breaks every listing.
import { StoreError, type ParamValue } from '../types.js';

/** A stored definition, or null with why it cannot be read (the record is still listed, marked with it). */
export function readDefinition(text: unknown): { definition: unknown; damaged?: string } {
  if (typeof text !== 'string') return { definition: null, damaged: 'its stored definition is not text' };
  try {
    return { definition: JSON.parse(text) as unknown };
  } catch (error) {
    return { definition: null, damaged: `its stored definition is not JSON (${(error as Error).message})` };
  }
}

/** A point's stored params; a StoreError naming the point when they are not a JSON object. */
export function readParams(point: number, text: unknown): Record<string, ParamValue> {
  let params: unknown;
  try {
    params = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch {
    params = undefined;
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new StoreError(`the stored params of point ${point} are not a JSON object (a damaged row)`);
  }
  return params as Record<string, ParamValue>;
}
