// Parsers for option values. Each throws a UsageError naming the option and what is allowed.
import { UsageError } from './errors.js';
import { quote } from '../text/quote.js';

export function parseNumber(
  option: string,
  raw: string,
  rule: { min?: number; minExclusive?: number; max?: number; integer?: boolean } = {},
): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  const allowed = describeRule(rule);
  if (!Number.isFinite(value)) throw new UsageError(`${option} must be ${allowed}, got ${quote(raw)}`);
  if (rule.integer && !Number.isInteger(value)) throw new UsageError(`${option} must be ${allowed}, got ${quote(raw)}`);
  if (rule.min !== undefined && value < rule.min)
    throw new UsageError(`${option} must be ${allowed}, got ${quote(raw)}`);
  if (rule.minExclusive !== undefined && value <= rule.minExclusive)
    throw new UsageError(`${option} must be ${allowed}, got ${quote(raw)}`);
  if (rule.max !== undefined && value > rule.max)
    throw new UsageError(`${option} must be ${allowed}, got ${quote(raw)}`);
  return value;
}

function describeRule(rule: { min?: number; minExclusive?: number; max?: number; integer?: boolean }): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  const bounds: string[] = [];
  if (rule.min !== undefined) bounds.push(`>= ${rule.min}`);
  if (rule.minExclusive !== undefined) bounds.push(`> ${rule.minExclusive}`);
  if (rule.max !== undefined) bounds.push(`<= ${rule.max}`);
  return bounds.length ? `${kind} ${bounds.join(' and ')}` : kind;
}

export function parseChoice<T extends string>(option: string, raw: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${option} must be one of ${choices.join(', ')}, got ${quote(raw)}`);
}

/** A comma-separated list of integers, e.g. "4,4". An empty value is refused (it is a mistake far more often than
 * a request for an empty list). */
export function parseIntList(option: string, raw: string, rule: { min: number; max: number }): number[] {
  if (raw.trim() === '')
    throw new UsageError(
      `${option} needs a comma-separated list of integers from ${rule.min} to ${rule.max} (e.g. 2 or 4,4), got an empty value`,
    );
  return raw.split(',').map((p) => parseNumber(option, p.trim(), { integer: true, min: rule.min, max: rule.max }));
}
