// What every goal's rounds share: when to stop, one round as printed, what the next round needs, the state.

/** When to stop: a target width of the reported interval (axis units, or % / points for a comparison), a budget of
 * trainings beyond the study's own repeats, or (a comparison) until its interval excludes 0; maxTrials caps the
 * first and the last. */
export interface GoalStop {
  targetWidth?: number;
  budget?: number;
  untilResolved?: boolean;
  maxTrials: number;
  /** The reported intervals' confidence (default 0.95). */
  level?: number;
}

/** One round as printed: trainings added, in all, and the estimate with its interval after it. */
export interface GoalRound {
  round: number;
  /** 'explore': the estimate over every training so far (summary's fit), for watching only; 'confirm': the reported
   * interval, from the confirmatory batches alone. */
  phase: 'explore' | 'confirm';
  added: number;
  /** Trainings beyond the study's own repeats, in all rounds up to this one. */
  spent: number;
  estimate: number | null;
  low: number | null;
  high: number | null;
  /** The interval's confidence (a confirmatory look k reports at its share of the error rate). */
  level: number;
}

/** Per point of the goal: repeats [from, to) the next round needs (some may be stored already). */
export interface GoalNeed {
  points: number[];
  from: number[];
  to: number[];
}

export interface GoalState<R> {
  rounds: GoalRound[];
  /** The round to run next (null when finished). */
  need: GoalNeed | null;
  /** The finished answer (null while rounds remain). */
  result: R | null;
  /** Why it stopped short of the target, if it did. */
  note: string | null;
}

/** Rounds at most (a goal that has not converged by then stops with a note). */
export const MAX_ROUNDS = 40;

/** Whether the source holds every repeat of the ranges. */
export function complete(
  source: { moments(point: number, from: number, to: number): { present: number } },
  points: readonly number[],
  from: readonly number[],
  to: readonly number[],
): boolean {
  return points.every((p, i) => to[i] <= from[i] || source.moments(p, from[i], to[i]).present === to[i] - from[i]);
}

export const count = (n: number): string => n.toLocaleString('en-US');
