// The report's section "The same answers for a fraction of the trainings": the article's two quantitative answers
// (the fitted minimum of the curve, and std 0.6 against 1/√2) from the article's design, beside the same answers from
// the goal-directed designs (`xorlab refine --goal`, src/study/goal/), with the trainings and seconds of each. Every
// number is read from the store: the goal's rounds are replayed from the stored values (nothing is run here).
import type { PointSummary, Store } from '../store/types.js';
import { fitMinimum, type MinimumFit } from '../study/analysis/minimum.js';
import { refineToGoal, type GoalAnswer } from '../study/goal/refine-goal.js';
import { short } from '../text/format.js';
import { XAVIER } from './config.js';
import { improvement } from './report.js';
import { GOAL_COMPARED, type ReproductionStudyMap, type Scale } from './reproduce.js';

/** One design's answer to one question. */
interface DesignAnswer {
  /** Trainings the answer rests on (all the design spent on it), and the seconds they took in this invocation (null:
   * stored by an earlier run). */
  trainings: number;
  seconds: number | null;
  estimate: number | null;
  low: number | null;
  high: number | null;
  level: number;
  /** Diverged trainings left out of the means behind the answer. */
  excluded: number;
}

interface GoalSectionData {
  scale: Scale;
  names: { curve: string; claims: string; goalCurve: string; goalClaims: string };
  minimum: {
    article: DesignAnswer;
    goal: DesignAnswer & {
      start: number;
      explored: number;
      confirmed: number;
      /** The design's std range (its points). */
      from: number | null;
      to: number | null;
      note: string | null;
    };
  };
  /** The % by which 0.6's loss is lower than 1/√2's (positive: 0.6 better). */
  compare: {
    article: DesignAnswer;
    goal: DesignAnswer & { start: number; explored: number; batch: number; resolved: boolean; note: string | null };
  };
  /** How each goal's interval keeps its coverage (the goal's own words). */
  methods: { minimum: string; compare: string };
  /** Whether the goal studies hold every round (false after an interrupted run). */
  complete: boolean;
}

const sum = (points: readonly PointSummary[], f: (p: PointSummary) => number) => points.reduce((n, p) => n + f(p), 0);

/** An answer's estimate and interval, as each kind of question reports it. */
interface Interval {
  estimate: number;
  low: number;
  high: number;
  level: number;
}

/** A design's answer: the trainings of its points, and (by default) their diverged ones left out of the means. */
function designAnswer(
  points: readonly PointSummary[],
  seconds: number | null,
  interval: Interval | null,
  excluded = sum(points, (p) => p.diverged),
): DesignAnswer {
  return {
    trainings: sum(points, (p) => p.count),
    seconds,
    estimate: interval?.estimate ?? null,
    low: interval?.low ?? null,
    high: interval?.high ?? null,
    level: interval?.level ?? 0.95,
    excluded,
  };
}

/** A fitted minimum's interval (the brute-force curve's MinimumFit, or a goal design's DesignFit). */
const fitInterval = (fit: Pick<MinimumFit, 'x' | 'low' | 'high' | 'level'> | null | undefined): Interval | null =>
  fit ? { estimate: fit.x, low: fit.low, high: fit.high, level: fit.level } : null;

/** A goal's answer replayed from the store: every round is stored, so nothing runs (an interrupted reproduction
 * leaves rounds missing: then the answer is incomplete). */
async function replayed(
  name: string,
  options: Parameters<typeof refineToGoal>[1],
): Promise<{ answer: GoalAnswer; method: string; complete: boolean }> {
  const refined = await refineToGoal(name, options, async () => ({ completed: 0, seconds: 0, interrupted: true }));
  return { answer: refined.answers[0], method: refined.method, complete: !refined.interrupted };
}

/** The section's figures, read from the store after a reproduction ran its goal studies; null when the scale runs
 * none. `seconds`: training seconds per study in this invocation (absent: stored by an earlier run). */
export async function readGoalSection(
  store: Store,
  scale: Scale,
  studies: ReproductionStudyMap,
  seconds: Readonly<Record<string, number>>,
): Promise<GoalSectionData | null> {
  if (!scale.goal || studies.goal.length !== 2) return null;
  const names = {
    curve: studies.curve.definition.name,
    claims: studies.claims.definition.name,
    goalCurve: studies.goal[0].definition.name,
    goalClaims: studies.goal[1].definition.name,
  };
  const ran = (name: string) => (seconds[name] === undefined || seconds[name] === 0 ? null : seconds[name]);
  const curve = await store.summarize(names.curve);
  const claims = await store.summarize(names.claims);
  const compared = claims.filter((p) =>
    [XAVIER, GOAL_COMPARED].some((s) => Math.abs(Number(p.params.hiddenStd) - s) < 1e-9),
  );
  const bruteFit = fitMinimum(curve.map((p) => ({ x: p.params.hiddenStd as number, mean: p.mean, stderr: p.stderr })));
  // The claims study's seconds cover its three stds; the two compared are two thirds of its trainings.
  const claimsSeconds = ran(names.claims);
  const improved = improvement(claims, XAVIER, GOAL_COMPARED);
  const article = {
    minimum: designAnswer(curve, ran(names.curve), fitInterval(bruteFit)),
    compare: designAnswer(
      compared,
      claimsSeconds === null ? null : (claimsSeconds * sum(compared, (p) => p.count)) / sum(claims, (p) => p.count),
      improved && { estimate: improved.percent, low: improved.low, high: improved.high, level: 0.95 },
    ),
  };

  const min = await replayed(names.goalCurve, { store, goal: 'minimum', ...scale.goal.minimum });
  const goalCurve = await store.summarize(names.goalCurve);
  const m = min.answer.minimum;
  const cmp = await replayed(names.goalClaims, {
    store,
    goal: 'compare',
    compare: [XAVIER, GOAL_COMPARED],
    ...scale.goal.compare,
  });
  const goalClaims = await store.summarize(names.goalClaims);
  const c = cmp.answer.compare;
  return {
    scale,
    names,
    minimum: {
      article: article.minimum,
      goal: {
        ...designAnswer(goalCurve, ran(names.goalCurve), fitInterval(m?.fit), m?.fit?.excluded ?? 0),
        start: scale.curvePoints * scale.goal.curveRepeats,
        explored: m?.explored ?? 0,
        confirmed: m?.confirmed ?? 0,
        from: m?.design.from ?? null,
        to: m?.design.to ?? null,
        note: min.answer.note,
      },
    },
    compare: {
      article: article.compare,
      goal: {
        ...designAnswer(
          goalClaims,
          ran(names.goalClaims),
          // The goal reports B's (0.6's) difference from A's (1/√2's); an improvement is its negative.
          c ? { estimate: -c.estimate, low: -c.high, high: -c.low, level: c.level } : null,
          c?.excluded ?? 0,
        ),
        start: 2 * scale.goal.claimRepeats,
        explored: c?.explored ?? 0,
        batch: c ? c.batch.a + c.batch.b : 0,
        resolved: c?.resolved ?? false,
        note: cmp.answer.note,
      },
    },
    methods: { minimum: min.method, compare: cmp.method },
    complete: min.complete && cmp.complete,
  };
}

const n = (x: number) => x.toLocaleString('en-US');
const width = (a: DesignAnswer) => (a.low === null || a.high === null ? null : a.high - a.low);
const secondsCell = (s: number | null) => (s === null ? '– (stored by an earlier run)' : s.toFixed(1));
const diverged = (a: DesignAnswer) =>
  a.excluded > 0 ? ` (${n(a.excluded)} diverged trainings left out of the means)` : '';

function minimumCell(a: DesignAnswer): string {
  if (a.estimate === null) return 'no minimum found';
  return `${short(a.estimate, 3)} [${short(a.low!, 3)}, ${short(a.high!, 3)}], width ${short(width(a)!, 3)}${a.level !== 0.95 ? ` (${+(100 * a.level).toFixed(2)}%)` : ''}${diverged(a)}`;
}

function compareCell(a: DesignAnswer): string {
  if (a.estimate === null) return 'no estimate';
  const p = (x: number) => `${x >= 0 ? '' : '−'}${Math.abs(x).toFixed(2)}%`;
  return `${p(a.estimate)} [${p(a.low!)}, ${p(a.high!)}], width ${width(a)!.toFixed(2)} points${diverged(a)}`;
}

/** The section as markdown lines (empty without data). */
export function goalSectionMarkdown(d: GoalSectionData | null): string[] {
  if (!d || !d.scale.goal) return [];
  const goal = d.scale.goal;
  const gm = d.minimum.goal;
  const gc = d.compare.goal;
  const [am, ac] = [d.minimum.article, d.compare.article];
  const stopText = (s: object) =>
    'budget' in s
      ? `\`--budget ${(s as { budget: number }).budget}\``
      : Object.entries(s)
          .map(
            ([k, v]) =>
              `\`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${v === true ? '' : ` ${String(v)}`}\``,
          )
          .join(' ');
  const ratio = width(am) !== null && width(gm) !== null ? width(gm)! / width(am)! : null;
  const cratio = width(ac) !== null && width(gc) !== null ? width(gc)! / width(ac)! : null;
  const lines = [
    '## The same answers for a fraction of the trainings',
    '',
    "The article's design spreads its trainings over the whole curve and re-samples wherever a mean's relative error is largest.",
    'The same two answers asked as questions (`xorlab refine --goal`, docs/studies.md): trainings go where the asked-for interval',
    'narrows fastest, and the reported interval comes from fresh confirmatory trainings that no decision looked at, so it keeps',
    'its 95% coverage whatever rule chose where to sample and when to stop. Each goal-directed design is a study of its own',
    "(seeds of its own: its trainings are not the article design's), in the same database.",
    '',
    '| answer | design | trainings | seconds | 95% interval |',
    '| --- | --- | ---: | ---: | --- |',
    `| the fitted minimum | the article's: \`${d.names.curve}\`, ${d.scale.curvePoints} stds, refined by relative error | ${n(am.trainings)} | ${secondsCell(am.seconds)} | ${minimumCell(am)} |`,
    `| | goal-directed: \`${d.names.goalCurve}\`, ${d.scale.curvePoints} stds × ${goal.curveRepeats}, then \`--goal minimum\` ${stopText(goal.minimum)} | ${n(gm.trainings)} | ${secondsCell(gm.seconds)} | ${minimumCell(gm)} |`,
    `| 0.6 against 1/√2: how much lower the loss is at 0.6 | the article's: \`${d.names.claims}\` at both stds | ${n(ac.trainings)} | ${secondsCell(ac.seconds)} | ${compareCell(ac)} |`,
    `| | goal-directed: \`${d.names.goalClaims}\`, ${n(goal.claimRepeats)} at each, then \`--goal compare\` ${stopText(goal.compare)} | ${n(gc.trainings)} | ${secondsCell(gc.seconds)} | ${compareCell(gc)} |`,
    '',
    "Trainings: all each design spent on its answer (the goal-directed ones' start included). Seconds: of training in this",
    "invocation (the claims study's seconds shared out by trainings: two of its three stds).",
    '',
    `**The minimum.** ${n(gm.start)} trainings to start, ${n(gm.explored)} exploring, ${n(gm.confirmed)} in the confirmatory batch` +
      (gm.from !== null ? ` at 7 stds from ${short(gm.from, 3)} to ${short(gm.to!, 3)}` : '') +
      (ratio !== null
        ? `: an interval ${short(ratio, 2)}× as wide as the article design's with ${short(gm.trainings / am.trainings, 2)}× its trainings.`
        : '.') +
      (gm.from !== null && gm.low !== null && (gm.low <= gm.from * (1 + 1e-9) || gm.high! >= gm.to! * (1 - 1e-9))
        ? ` The interval reaches the design's edge (${short(gm.low <= gm.from * (1 + 1e-9) ? gm.from : gm.to!, 3)}): bootstrap fits with no minimum inside the design count there, so the minimum may lie beyond it and the interval is cut short there; exploration centred the design off the minimum.`
        : '') +
      (gm.note ? ` Note: ${gm.note}.` : '') +
      ` How it stays honest: ${d.methods.minimum}.`,
    '',
    `**0.6 against 1/√2.** ${n(gc.start)} trainings to start, ${n(gc.explored)} exploring, ${n(gc.batch)} in the confirmatory batch; ` +
      (gc.estimate === null
        ? 'no estimate.'
        : gc.resolved
          ? `resolved: the interval excludes 0.`
          : `not resolved: the interval includes 0.`) +
      (cratio !== null
        ? ` Its interval is ${short(cratio, 2)}× as wide as the article design's with ${short(gc.trainings / ac.trainings, 2)}× its trainings.`
        : '') +
      (gc.note ? ` Note: ${gc.note}.` : '') +
      ` How it stays honest: ${d.methods.compare}.`,
    '',
  ];
  if (!d.complete) lines.push('*The goal-directed runs were interrupted: rerun the same command to finish them.*', '');
  return lines;
}
