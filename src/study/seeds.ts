// A trial's seed depends only on (root seed, point, repeat): rerunning, resuming or running elsewhere gives
// identical numbers, whatever the order or the number of workers.
import { deriveSeed } from '../core/index.js';

export function trialSeed(rootSeed: number, point: number, repeat: number): number {
  return deriveSeed(rootSeed, point, repeat);
}
