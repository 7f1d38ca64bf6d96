// Which training parameters a study can sweep, and how a swept value enters a configuration: derived from the
// parameter table (config/parameters.ts), which says for each parameter whether it is swept as a real number, an
// integer or one of its choices.
import { PARAMETERS, PARAMETER_NAMES, type ChoiceParameter, type ParamValue } from '../../config/parameters.js';

export type { ParamValue } from '../../config/parameters.js';

interface NumericParam {
  kind: 'numeric';
  /** Generated grids (lin/log/exp) are rounded to integers for these. */
  integer: boolean;
}
interface CategoricalParam {
  kind: 'categorical';
  /** null: any string (dataset names and files). */
  choices: readonly string[] | null;
}
type ParamSpec = NumericParam | CategoricalParam;

function sweepSpec(name: (typeof PARAMETER_NAMES)[number]): ParamSpec | null {
  const spec = PARAMETERS[name];
  if (spec.sweep === 'real' || spec.sweep === 'integer') return { kind: 'numeric', integer: spec.sweep === 'integer' };
  if (spec.sweep !== 'choice') return null;
  if (spec.type === 'choice')
    return { kind: 'categorical', choices: (spec as ChoiceParameter).sweepChoices ?? spec.choices };
  return { kind: 'categorical', choices: null };
}

/** Every sweepable parameter. `hidden` is the unit count of a single hidden layer. */
export const SWEEPABLE: Readonly<Record<string, ParamSpec>> = Object.fromEntries(
  PARAMETER_NAMES.flatMap((name) => {
    const spec = sweepSpec(name);
    return spec ? [[name, spec]] : [];
  }),
);

/** The sweepable names as help lists them: the article's axes first, then the other numbers, then the choices. */
export const SWEEPABLE_NAMES = Object.keys(SWEEPABLE).sort((a, b) => listRank(a) - listRank(b));

function listRank(name: string): number {
  const first = ['hiddenStd', 'outputStd', 'lr', 'epochs', 'hidden'].indexOf(name);
  if (first >= 0) return first;
  return (
    (SWEEPABLE[name].kind === 'numeric' ? 100 : 200) + PARAMETER_NAMES.indexOf(name as (typeof PARAMETER_NAMES)[number])
  );
}

export function isSweepable(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(SWEEPABLE, name);
}

/** The schema input of `base` with one swept value put in (hidden=n means one hidden layer of n units). */
export function withValue(base: Record<string, unknown>, param: string, value: ParamValue): Record<string, unknown> {
  return { ...base, [param]: param === 'hidden' ? [value] : value };
}
