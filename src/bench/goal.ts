// Bench section "goal": the article's curve (10,000 epochs, 400 stds x 10 to start) refined toward its minimum
// (`refine --goal minimum --target-width 0.022`, the paper run's width) against the brute-force refine of the
// article's design (re-sampling where each mean's relative error is largest) given the same number of trainings,
// both in one run on this machine, in temporary SQLite stores. The paper run itself (4,000,000 trainings, 0.596
// [0.590, 0.612]) is quoted, not rerun. Then the article's 1.1% claim (0.6 against 1/√2) by `refine --goal compare`
// until resolved or within ±0.5 points, against the 200,000 trainings the paper scale spends on the two stds.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOAL_COMPARED, SCALES, reproductionStudies } from '../article/reproduce.js';
import { XAVIER } from '../article/config.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { fitMinimum } from '../study/analysis/minimum.js';
import { refineToGoal } from '../study/goal/refine-goal.js';
import { refineStudy } from '../study/run/refine.js';
import { runStudy } from '../study/run/run-study.js';

/** The paper run's answer (docs/benchmarks.md): 4,000,000 trainings, re-sampled where the relative error was largest. */
const PAPER_RUN = { trainings: 4_000_000, minimum: 0.596, low: 0.59, high: 0.612, minutes: 6.8 } as const;
const GOAL_TARGET_WIDTH = 0.022;
const GOAL_CAP = 600_000;

interface GoalDesignFigures {
  /** Trainings in all (the study's 4,000 included) and seconds of training. */
  trainings: number;
  seconds: number;
  minimum: number | null;
  low: number | null;
  high: number | null;
  width: number | null;
  level: number | null;
}

/** The 1.1% claim: trainings beyond the goal study's start at most (twice what the paper scale spends on the two). */
const COMPARE_CAP = 400_000;
/** What the paper scale's claims study spends on 0.6 and 1/√2: 100,000 each. */
const PAPER_CLAIM_TRAININGS = 2 * SCALES.paper.claimRepeats;

/** The goal-directed 1.1% claim: 0.6 against 1/√2, seed order, toward ±0.5 points or resolved. */
interface CompareBenchFigures {
  /** Trainings in all (the goal study's start included) and seconds of training. */
  trainings: number;
  seconds: number;
  start: number;
  explored: number;
  batch: number;
  /** How much lower the loss is at 0.6 than at 1/√2, in %, with its interval. */
  estimate: number | null;
  low: number | null;
  high: number | null;
  resolved: boolean;
  note: string | null;
}

interface GoalBenchResult {
  epochs: number;
  start: number;
  compare: CompareBenchFigures;
  compareCap: number;
  goal: GoalDesignFigures & {
    explored: number;
    confirmed: number;
    looks: number;
    /** The confirmatory cubic's chi² check over the design's 7 points, and the design's x range. */
    chi2: number | null;
    dof: number | null;
    designFrom: number | null;
    designTo: number | null;
    note: string | null;
  };
  bruteForce: GoalDesignFigures;
  /** The 1-, 5- and 15-minute load averages before and after (2 shared cores). */
  loadBefore: number[];
  loadAfter: number[];
}

function figures(
  trainings: number,
  seconds: number,
  fit: { x: number; low: number; high: number; level: number } | null,
): GoalDesignFigures {
  return {
    trainings,
    seconds,
    minimum: fit?.x ?? null,
    low: fit?.low ?? null,
    high: fit?.high ?? null,
    width: fit ? fit.high - fit.low : null,
    level: fit?.level ?? null,
  };
}

export async function benchGoal(): Promise<GoalBenchResult> {
  const loadBefore = loadavg();
  const scale = SCALES.paper;
  const dir = mkdtempSync(join(tmpdir(), 'xorlab-bench-goal-'));
  try {
    const store = openSqliteStore(join(dir, 'bench.db'));
    try {
      const goalDef = reproductionStudies(scale, 'bench-goal').curve;
      const bruteDef = { ...goalDef, name: 'bench-brute-curve' };
      const start = scale.curvePoints * scale.curveRepeats;
      const goalStart = await runStudy(goalDef, { store });
      const goal = await refineToGoal(goalDef.name, {
        store,
        goal: 'minimum',
        targetWidth: GOAL_TARGET_WIDTH,
        maxTrials: GOAL_CAP,
      });
      const answer = goal.answers[0];
      const m = answer.minimum;
      const spent = m?.spent ?? goal.trained;
      // The article's design given the same trainings: one refine by relative error, then summary's fitted minimum.
      const bruteStart = await runStudy(bruteDef, { store });
      const brute = await refineStudy(bruteDef.name, { store, budget: spent });
      const points = await store.summarize(bruteDef.name);
      const bruteFit = fitMinimum(
        points.map((p) => ({ x: p.params.hiddenStd as number, mean: p.mean, stderr: p.stderr })),
      );
      const compare = await benchCompare(store);
      return {
        epochs: scale.epochs,
        start,
        compare,
        compareCap: COMPARE_CAP,
        goal: {
          ...figures(start + goal.trained, goalStart.seconds + goal.seconds, m?.fit ?? null),
          explored: m?.explored ?? 0,
          confirmed: m?.confirmed ?? 0,
          looks: m?.looks ?? 0,
          chi2: m?.fit?.chi2 ?? null,
          dof: m?.fit?.dof ?? null,
          designFrom: m?.design.from ?? null,
          designTo: m?.design.to ?? null,
          note: answer.note,
        },
        bruteForce: figures(
          start + (brute.run?.completed ?? 0),
          bruteStart.seconds + (brute.run?.seconds ?? 0),
          bruteFit,
        ),
        loadBefore,
        loadAfter: loadavg(),
      };
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The 1.1% claim as `xorlab reproduce --scale paper` asks it: its goal study (0.6 and 1/√2 x 1,000), then
 * `refine --goal compare 0.7071 0.6 --target-width 1 --until-resolved` under `cap` (COMPARE_CAP; a test runs it
 * small). */
export async function benchCompare(
  store: Parameters<typeof runStudy>[1]['store'],
  cap = COMPARE_CAP,
): Promise<CompareBenchFigures> {
  const def = reproductionStudies(SCALES.paper, 'bench-goal').goal[1];
  const goal = SCALES.paper.goal!;
  const start = await runStudy(def, { store });
  const refined = await refineToGoal(def.name, {
    store,
    goal: 'compare',
    compare: [XAVIER, GOAL_COMPARED],
    targetWidth: goal.compare.targetWidth,
    untilResolved: true,
    maxTrials: cap,
  });
  const c = refined.answers[0].compare;
  return {
    trainings: start.completed + refined.trained,
    seconds: start.seconds + refined.seconds,
    start: start.completed,
    explored: c?.explored ?? 0,
    batch: c ? c.batch.a + c.batch.b : 0,
    // The goal reports 0.6's difference from 1/√2's; the article's 1.1% is how much lower 0.6's loss is.
    estimate: c ? -c.estimate : null,
    low: c ? -c.high : null,
    high: c ? -c.low : null,
    resolved: c?.resolved ?? false,
    note: refined.answers[0].note,
  };
}

export function formatGoalBench(r: GoalBenchResult): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const answer = (f: GoalDesignFigures) =>
    f.minimum === null
      ? 'no minimum'
      : `${f.minimum.toFixed(3)} [${f.low!.toFixed(3)}, ${f.high!.toFixed(3)}] width ${f.width!.toFixed(3)} (${+(100 * f.level!).toFixed(2)}%)`;
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(' ');
  return [
    `goal: the article's curve (${n(r.epochs)} epochs, 400 stds x 10 = ${n(r.start)} to start), minimum to width <= ${GOAL_TARGET_WIDTH} (cap ${n(GOAL_CAP)} beyond the start)`,
    `  goal-directed (--goal minimum): ${n(r.goal.trainings)} trainings, ${r.goal.seconds.toFixed(1)} s: ${answer(r.goal)}` +
      `; ${n(r.goal.explored)} exploring, ${n(r.goal.confirmed)} in ${r.goal.looks} confirmatory batch${r.goal.looks === 1 ? '' : 'es'}` +
      (r.goal.designFrom === null
        ? ''
        : ` at 7 stds from ${r.goal.designFrom.toFixed(3)} to ${r.goal.designTo!.toFixed(3)}`) +
      (r.goal.chi2 === null ? '' : `, chi² ${r.goal.chi2.toFixed(1)} on ${r.goal.dof} dof`) +
      (r.goal.note ? `; note: ${r.goal.note}` : ''),
    `  brute force (refine --budget, same trainings): ${n(r.bruteForce.trainings)} trainings, ${r.bruteForce.seconds.toFixed(1)} s: ${answer(r.bruteForce)}`,
    `  the paper run (quoted, not rerun): ${n(PAPER_RUN.trainings)} trainings, ${PAPER_RUN.minutes} min: ${PAPER_RUN.minimum} [${PAPER_RUN.low}, ${PAPER_RUN.high}] width ${(PAPER_RUN.high - PAPER_RUN.low).toFixed(3)}`,
    `goal: the 1.1% claim (std 0.6 against 1/sqrt 2, seed order, the article's config), until resolved or within ±0.5 points (cap ${n(r.compareCap)} beyond the start)`,
    `  goal-directed (--goal compare --target-width 1 --until-resolved): ${n(r.compare.trainings)} trainings (${n(r.compare.start)} to start, ${n(r.compare.explored)} exploring, ${n(r.compare.batch)} in the confirmatory batch), ${r.compare.seconds.toFixed(1)} s: ` +
      (r.compare.estimate === null
        ? 'no estimate'
        : `0.6's loss lower by ${r.compare.estimate.toFixed(2)}% [${r.compare.low!.toFixed(2)}%, ${r.compare.high!.toFixed(2)}%] (95%), ${r.compare.resolved ? 'resolved' : 'not resolved'}`) +
      `; the paper scale spends ${n(PAPER_CLAIM_TRAININGS)} on the two stds (${(r.compare.trainings / PAPER_CLAIM_TRAININGS).toFixed(2)}x)` +
      (r.compare.note ? `; note: ${r.compare.note}` : ''),
    `  load average before ${load(r.loadBefore)}, after ${load(r.loadAfter)} (2 shared cores)`,
  ].join('\n');
}
