// Which configurations the lockstep WebAssembly engine covers. Anything else is trained by the reference engine.
import type { Dataset, TrainingConfig } from '../core/index.js';

const MAX_HIDDEN_UNITS = 16;
const MIN_INPUTS = 2;
const MAX_INPUTS = 8;
/** Parity8 has 256 rows; larger user tables are left to the reference engine. */
const MAX_SAMPLES = 256;

export type Support = { ok: true } | { ok: false; reason: string };

export function fastEngineSupport(config: TrainingConfig, dataset: Dataset): Support {
  const no = (reason: string): Support => ({
    ok: false,
    reason: `the fast engine does not cover ${reason}; using the reference engine`,
  });
  if (config.optimizer !== 'gd') return no(`optimizer ${config.optimizer} (only plain gradient descent, gd)`);
  if (config.hidden.length !== 1) return no(`${config.hidden.length} hidden layers (only exactly one)`);
  if (config.hidden[0] > MAX_HIDDEN_UNITS) return no(`${config.hidden[0]} hidden units (at most ${MAX_HIDDEN_UNITS})`);
  if (config.outputActivation !== 'sigmoid') return no(`output activation ${config.outputActivation} (only sigmoid)`);
  if (dataset.outputCount !== 1) return no(`${dataset.outputCount} outputs (only one)`);
  if (dataset.inputCount < MIN_INPUTS || dataset.inputCount > MAX_INPUTS) {
    return no(`${dataset.inputCount} inputs (only ${MIN_INPUTS} to ${MAX_INPUTS})`);
  }
  if (dataset.size > MAX_SAMPLES) return no(`${dataset.size} samples (at most ${MAX_SAMPLES})`);
  return { ok: true };
}
