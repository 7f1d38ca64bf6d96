// A study's types, apart from the schema that checks definitions (./definition.ts): what the library's declarations
// refer to, so that a TypeScript user of xorlab does not load zod's types through them.
import type { TrainingConfigInput, ParamValue } from '../../config/parameters.js';
import type { TrainingConfig } from '../../core/config.js';
import { XorlabError } from '../../text/errors.js';
import { nameList, quote } from '../../text/quote.js';

/** A study that cannot be run as given: a bad definition, a name taken by another study, engines that would mix. */
export class StudyError extends XorlabError {}

/** The line for a study name a database does not hold: where was looked, and the names it does hold (quoted, the
 * first ten), so a typo is seen at once. One wording for every command and library call. */
export function noStudyMessage(name: string, where: string, names: readonly string[]): string {
  return `there is no study ${quote(name)} in ${where}${names.length ? `; studies: ${nameList(names)}` : ''}`;
}

/** A study as a caller gives it (a JSON study file, the CLI's flags, code): only `name` is required. */
export interface StudyDefinitionInput {
  /** 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit: the study's key in the store. */
  name: string;
  /** The base training configuration, any subset (defaults fill in the rest); swept parameters take their grid values. */
  config?: TrainingConfigInput;
  /**
   * Swept parameter -> grid: "exp:-3:4:400" (e^linspace), "log:a:b:n" (10^linspace), "lin:a:b:n", a list "0.5,1,2",
   * or an array of values. One parameter makes a curve, two a landscape (points row-major, the first one slowest).
   */
  sweep?: Record<string, string | ParamValue[]>;
  /** Trainings per grid point (default 10). */
  repeats?: number;
  /** Root seed (default 1): every trial's seed derives from (seed, point, repeat), whatever the order or machine. */
  seed?: number;
  /** Dataset file -> "sha256:..." of its truth table: pinned when the study is first stored (the CLI does it), so that
   * a file edited later is refused instead of mixing two tables in one study. */
  datasets?: Record<string, string>;
}

/** The canonical, stored form: full config, canonical grid specs. */
export interface StudyDefinition {
  name: string;
  config: TrainingConfig;
  sweep: Record<string, string | ParamValue[]>;
  repeats: number;
  seed: number;
  /** The dataset files' pins (see StudyDefinitionInput.datasets); absent without dataset files. */
  datasets?: Record<string, string>;
}

export interface Axis {
  param: string;
  values: ParamValue[];
}

/** A validated study, ready to run: its definition and every point's parameters and configuration. */
export interface Study {
  definition: StudyDefinition;
  axes: Axis[];
  pointCount: number;
  /** Swept values at a point (point index = row-major over the axes). */
  pointParams(point: number): Record<string, ParamValue>;
  pointConfig(point: number): TrainingConfig;
}
