// Checks on JSON documents that people hand us (study files, datasets, parameter files): a key that names an
// object's prototype (`__proto__`, `constructor`, `prototype`) would vanish or reach the prototype when the
// document is copied into an object, so it is refused by name, and so is any key a format does not define.
import { quote } from '../text/quote.js';

/** Keys that are never data: copying them into an object changes or shadows its prototype. */
const PROTOTYPE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** The first prototype key anywhere in a parsed JSON document, with where it is ("sweep", "layers[0]"), or null. */
export function findPrototypeKey(value: unknown, at = ''): { key: string; at: string } | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findPrototypeKey(value[i], `${at}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    if (PROTOTYPE_KEYS.includes(key)) return { key, at };
    const found = findPrototypeKey((value as Record<string, unknown>)[key], at ? `${at}.${key}` : key);
    if (found) return found;
  }
  return null;
}

/** One line for a prototype key found by findPrototypeKey. */
export function describePrototypeKey(found: { key: string; at: string }): string {
  return `the key ${quote(found.key)}${found.at ? ` (in ${found.at})` : ''} is not allowed`;
}

/** The keys of `object` that are not in `allowed`. */
export function unknownKeys(object: object, allowed: readonly string[]): string[] {
  return Object.keys(object).filter((key) => !allowed.includes(key));
}

/** One line for unknown keys: `unknown key "x" (in layers[0]); allowed: weights, biases`. */
export function describeUnknownKeys(keys: readonly string[], allowed: readonly string[], at = ''): string {
  const names = keys.map((k) => quote(k)).join(', ');
  return `unknown key${keys.length > 1 ? 's' : ''} ${names}${at ? ` (in ${at})` : ''}; allowed: ${allowed.join(', ')}`;
}
