// Checking a configuration from a library caller: the schema (zod, ./schema.ts) behind a declaration that does not
// mention it, so that a TypeScript user of xorlab does not load zod's types.
import { ConfigError, type TrainingConfig } from '../core/config.js';
import { describeIssues, safeParseConfig } from './schema.js';

/**
 * A training configuration from any subset of its parameters, checked and with the defaults filled in: what the
 * library's train() does with its `config`. Throws ConfigError, one line naming each wrong key, what is allowed and
 * what was given (`lr must be > 0, got -1`); unknown keys are refused.
 */
export function validateConfig(input: unknown): TrainingConfig {
  const parsed = safeParseConfig(input);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, (path) => path.map(String).join('.')));
  return parsed.data;
}
