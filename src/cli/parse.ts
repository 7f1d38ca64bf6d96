// Parsers for option values. Each throws a UsageError naming the option and what is allowed.
import { UsageError } from './errors.js';

export function parseNumber(option: string, raw: string, rule: { min?: number; minExclusive?: number; max?: number; integer?: boolean } = {}): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  const allowed = describeRule(rule);
  if (!Number.isFinite(value)) throw new UsageError(`${option} must be ${allowed}, got "${raw}"`);
  if (rule.integer && !Number.isInteger(value)) throw new UsageError(`${option} must be ${allowed}, got "${raw}"`);
  if (rule.min !== undefined && value < rule.min) throw new UsageError(`${option} must be ${allowed}, got "${raw}"`);
  if (rule.minExclusive !== undefined && value <= rule.minExclusive) throw new UsageError(`${option} must be ${allowed}, got "${raw}"`);
  if (rule.max !== undefined && value > rule.max) throw new UsageError(`${option} must be ${allowed}, got "${raw}"`);
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
  throw new UsageError(`${option} must be one of ${choices.join(', ')}, got "${raw}"`);
}

/** A comma-separated list of positive integers, e.g. "4,4". */
export function parseIntList(option: string, raw: string, rule: { min: number; max: number }): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (raw.trim() === '') return [];
  return parts.map((p) => parseNumber(option, p, { integer: true, min: rule.min, max: rule.max }));
}
