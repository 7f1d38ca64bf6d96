// The report folder of a reproduction: the claims computed from the stored studies, the figures of the article
// redrawn from our own trainings, report.md and summary.csv. The caller (xorlab reproduce) has run the studies.
import { writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { join } from 'node:path';
import {
  builtinDataset,
  trainFromSeed,
  type TrainingConfig,
  type TrainingOptions,
  type TrainingResult,
} from '../core/index.js';
import { defaultConfig } from '../config/index.js';
import { boundaryChart, lossChart, weightsChart } from '../plot/charts.js';
import { comparedNetworksChart } from '../plot/neuron-charts.js';
import { curveSpec } from '../plot/curve.js';
import { ChartFileError, writeChart } from '../plot/render.js';
import type { PointSummary, PointValues, Store, StudyRecord } from '../store/types.js';
import { curvePoints, curveSpecOf, type CurveOptions } from '../study/views/charts.js';
import { bestPoint } from '../study/analysis/curves.js';
import type { Study } from '../study/definition/definition.js';
import { lowestMeanRule } from '../study/analysis/minimum.js';
import { XAVIER, articleConfig } from './config.js';
import { articleClaims, reportMarkdown, summaryCsv } from './report.js';
import { ReproduceError, type ReproductionStudyMap, type Scale } from './reproduce.js';
import {
  NEXT_SETTINGS,
  activationQuestion,
  lossQuestion,
  mergeSettings,
  pairedDifferences,
  scheduleQuestion,
  type PairedByName,
  type Question,
} from './next.js';
import { nextMarkdown, nextSummaryCsv } from './next-report.js';
import { goalSectionMarkdown, readGoalSection } from './goal-section.js';

/**
 * The first seed from 1 up whose training learns XOR (the article shows trainings that learned), with that
 * training (traced with `options`, so the figures reuse it); when none of 100 does, seed 1 with learned false.
 */
function learningRun(
  config: TrainingConfig,
  options: TrainingOptions,
): { seed: number; run: TrainingResult; learned: boolean } {
  const xor = builtinDataset('xor');
  let first: TrainingResult | null = null;
  for (let seed = 1; seed <= 100; seed++) {
    const run = trainFromSeed(config, xor, seed, options);
    if (run.metrics.success) return { seed, run, learned: true };
    first ??= run;
  }
  return { seed: 1, run: first!, learned: false };
}

/** A network stuck at the ln 2 saddle: its mean loss ends within this of ln 2 (every output near 0.5). */
const SADDLE_TOLERANCE = 0.01;

/**
 * The first seed from 1 up whose training ends at the ln 2 saddle (final mean loss within SADDLE_TOLERANCE of
 * ln 2), with that training; null when none of 100 does.
 */
function stuckRun(config: TrainingConfig): { seed: number; run: TrainingResult } | null {
  const xor = builtinDataset('xor');
  for (let seed = 1; seed <= 100; seed++) {
    const run = trainFromSeed(config, xor, seed);
    if (
      !run.metrics.success &&
      run.metrics.finalLoss !== null &&
      Math.abs(run.metrics.finalLoss - Math.LN2) < SADDLE_TOLERANCE
    )
      return { seed, run };
  }
  return null;
}

/** Draws one figure of the report into `dir` as `file` and returns the file name (a test may only look at the spec). */
type FigureWriter = (spec: TopLevelSpec, dir: string, file: string) => Promise<string>;

async function chart(spec: TopLevelSpec, dir: string, file: string): Promise<string> {
  try {
    await writeChart(spec, join(dir, file));
  } catch (error) {
    if (error instanceof ChartFileError) throw new ReproduceError(`--out: ${error.message}`);
    throw error;
  }
  return file;
}

/** The share of the stored trainings that learned XOR at the point nearest `std` (on a log scale), and that point's
 * std and count; null when no point is stored. The loss figure shows trainings that learned: this says how often one does. */
function learnedShare(
  points: readonly PointSummary[],
  std: number,
): { share: number; count: number; std: number } | null {
  const distance = (p: PointSummary) => Math.abs(Math.log((p.params.hiddenStd as number) / std));
  const stored = points.filter((p) => typeof p.params.hiddenStd === 'number' && p.count > 0);
  if (stored.length === 0) return null;
  const nearest = stored.reduce((a, b) => (distance(b) < distance(a) ? b : a));
  return { share: nearest.successes / nearest.count, count: nearest.count, std: nearest.params.hiddenStd as number };
}

/** A loss figure's line: its std and seed, whether it learned, and how many of the stored trainings at that std learn. */
function lossLineLabel(
  std: string,
  seed: number,
  learned: boolean,
  stored: { share: number; count: number } | null,
): string {
  const share = stored
    ? `${Math.round(stored.share * 100)}% of ${stored.count.toLocaleString('en-US')} trainings learn`
    : 'no stored trainings';
  return `hidden std ${std}, seed ${seed}${learned ? '' : ' (did not learn)'}: ${share}`;
}

/** How the reproduction ran, for the report's own account of itself. */
interface ReportContext {
  /** e.g. "fast (f32)". */
  engine: string;
  workers: number;
  /** Where the trials are stored, as the user named it (passwords already hidden). */
  database: string;
  /** The command that reruns (and so resumes) this reproduction. */
  command: string;
  /** Seconds the trainings took. */
  seconds: number;
  /** Seconds of training per study in this invocation (the comparison of designs shows them; absent: none ran). */
  studySeconds?: Readonly<Record<string, number>>;
}

/** A point's total losses and successes by repeat (empty when the point has no trials). */
async function pointValues(
  store: Store,
  study: string,
  point: number,
): Promise<{ loss: PointValues; success: PointValues }> {
  const empty: PointValues = { repeats: new Int32Array(0), values: new Float64Array(0) };
  const loss = (await store.metricValues(study, 'totalLoss', { point })).get(point) ?? empty;
  const success = (await store.metricValues(study, 'success', { point })).get(point) ?? empty;
  return { loss, success };
}

/** One question's studies read back: their names, their points merged with the setting as a parameter, a study
 * record of the merged set for the figure, and each setting against the baseline at the baseline's best point,
 * paired by seed (the same point index and repeat in studies of one root seed and grid). */
async function readQuestion(
  store: Store,
  studies: readonly Study[],
  key: keyof typeof NEXT_SETTINGS,
  sweep: Record<string, unknown>,
  ask: (points: readonly PointSummary[], paired?: PairedByName) => Question,
) {
  const { axis, values } = NEXT_SETTINGS[key];
  const names = studies.map((s) => s.definition.name);
  // Each setting's points with the setting as a parameter; the first setting is the question's baseline.
  const bySetting: PointSummary[][] = [];
  for (const [i, name] of names.entries())
    bySetting.push(mergeSettings(axis, [values[i]], [await store.summarize(name)]));
  const points = bySetting.flat();
  // The baseline's best grid point, as the question finds it (its lowest mean total loss).
  const base = bestPoint(bySetting[0], 'totalLoss')?.point;
  const paired: PairedByName = {};
  if (base) {
    const a = await pointValues(store, names[0], base.point);
    for (const [i, name] of values.entries())
      if (i > 0) paired[name] = pairedDifferences(a, await pointValues(store, names[i], base.point));
  }
  const label = `${names[0].slice(0, -values[0].length)}<name>`;
  const record: StudyRecord = {
    name: label,
    definition: { ...studies[0].definition, name: label, sweep: { [axis]: [...values], ...sweep } },
    createdAt: '',
    trialCount: points.reduce((n, p) => n + p.count, 0),
    pointCount: points.length,
  };
  return {
    label,
    points,
    record,
    perStudy: names.map((name, i) => ({ name, points: bySetting[i] })),
    question: ask(points, paired),
  };
}

/** The second part of the report, "What the article asks next": its figures, next-summary.csv, and its markdown. */
async function writeNextPart(
  store: Store,
  dir: string,
  scale: Scale,
  studies: ReproductionStudyMap,
  database: string,
  draw: FigureWriter,
): Promise<string> {
  const next = scale.next;
  const activation = await readQuestion(
    store,
    studies.activations,
    'activation',
    { hiddenStd: next.activationStds },
    activationQuestion,
  );
  const loss = await readQuestion(
    store,
    studies.losses,
    'loss',
    { lr: [...next.lossLrs], hiddenStd: next.lossStds },
    lossQuestion,
  );
  const schedule = await readQuestion(store, studies.schedules, 'schedule', { lr: next.scheduleLrs }, scheduleQuestion);
  const figure = (q: { record: StudyRecord; points: PointSummary[] }, file: string, options: CurveOptions) =>
    draw(curveSpecOf(q.record, q.points, options), dir, file);
  const epochs = `${scale.epochs.toLocaleString('en-US')} epochs`;
  const figures = {
    activation: await figure(activation, 'next-activation.png', {
      param: 'hiddenStd',
      series: 'activation',
      title: 'Total loss against the hidden init std, by hidden activation',
      subtitle: `XOR 2-2-1, output sigmoid, BCE, lr 0.1, ${epochs}; mean ± standard error; the strip below the curves: each activation's fitted minimum with its 95% interval`,
    }),
    loss: await figure(loss, 'next-loss.png', {
      param: 'hiddenStd',
      series: 'loss',
      facet: 'lr',
      metric: 'success',
      title: 'Share of trainings that learned XOR: BCE against MSE',
      subtitle: `XOR 2-2-1 sigmoid, ${epochs}; 95% Wilson intervals; a panel per learning rate`,
    }),
    schedule: await figure(schedule, 'next-schedule.png', {
      param: 'lr',
      series: 'schedule',
      title: 'Total loss against the initial learning rate, by schedule',
      subtitle: `XOR 2-2-1 sigmoid, BCE, hidden std 1, ${epochs}; mean ± standard error; the strip below the curves: each schedule's fitted minimum with its 95% interval`,
    }),
  };
  writeFileSync(
    join(dir, 'next-summary.csv'),
    nextSummaryCsv([...activation.perStudy, ...loss.perStudy, ...schedule.perStudy]),
  );
  return nextMarkdown({
    scaleName: scale.name,
    epochs: scale.epochs,
    next,
    questions: { activation: activation.question, loss: loss.question, schedule: schedule.question },
    studyNames: { activation: activation.label, loss: loss.label, schedule: schedule.label },
    figures,
    database,
  });
}

/**
 * Writes the report folder from the stored studies: report.md (the claims table with confidence intervals and
 * verdicts, then "What the article asks next"), summary.csv (the first part's studies), next-summary.csv (the second
 * part's), and the figures (PNG, the seed-order curve also as SVG). A figure that cannot be written is a
 * ReproduceError naming --out.
 */
export async function writeReport(
  store: Store,
  dir: string,
  scale: Scale,
  studies: ReproductionStudyMap,
  context: ReportContext,
  draw: FigureWriter = chart,
): Promise<void> {
  const names = {
    curve: studies.curve.definition.name,
    claims: studies.claims.definition.name,
    textbookCurve: studies.textbookCurve.definition.name,
    textbookClaims: studies.textbookClaims.definition.name,
  };
  const summaries = {
    curve: await store.summarize(names.curve),
    claims: await store.summarize(names.claims),
    textbookCurve: await store.summarize(names.textbookCurve),
    textbookClaims: await store.summarize(names.textbookClaims),
  };
  const count = (s: { count: number }[]) => s.reduce((n, p) => n + p.count, 0);
  const claims = articleClaims(
    { curve: summaries.curve, claims: summaries.claims },
    { curve: summaries.textbookCurve, claims: summaries.textbookClaims },
    scale.epochs,
  );

  const curveFigure = (points: typeof summaries.curve, order: string, fit: typeof claims.minimum.seed) =>
    curveSpec({
      parameter: 'hiddenStd',
      points: curvePoints(points, 'hiddenStd'),
      logX: true,
      xavier: XAVIER,
      minimum: fit
        ? { x: fit.x, label: `minimum ${fit.x.toPrecision(3)} [${fit.low.toPrecision(2)}, ${fit.high.toPrecision(2)}]` }
        : lowestMeanRule(curvePoints(points, 'hiddenStd')),
      title: `Total loss against the hidden-layer init std (${order} order)`,
      subtitle: `XOR 2-2-1 sigmoid, BCE, lr 0.1, ${scale.epochs.toLocaleString('en-US')} epochs, output std 0.8165; mean ± standard error of ${count(points).toLocaleString('en-US')} trainings`,
    });
  const seedConfig = (hiddenStd: number) => defaultConfig({ ...articleConfig('seed', scale.epochs), hiddenStd });
  const xor = builtinDataset('xor');
  const small = seedConfig(0.05);
  const large = seedConfig(10);
  const xavier = seedConfig(XAVIER);
  const every = Math.max(1, Math.round(scale.epochs / 500));
  const found = {
    small: learningRun(small, { snapshotEvery: every, traceEvery: every }),
    large: learningRun(large, { snapshotEvery: every, traceEvery: every }),
    boundary: learningRun(xavier, { traceEvery: every }),
  };
  const seeds = { small: found.small.seed, large: found.large.seed, boundary: found.boundary.seed };
  const notLearned = [
    found.small.learned ? '' : 'hidden std 0.05',
    found.large.learned ? '' : 'hidden std 10',
    found.boundary.learned ? '' : 'hidden std 1/√2',
  ].filter(Boolean);
  const [smallRun, largeRun, xavierRun] = [found.small.run, found.large.run, found.boundary.run];
  const seedCurve = curveFigure(summaries.curve, 'seed', claims.minimum.seed);
  // The loss figure's trainings all learned (they were picked so): its legend says how often one does at each std, from
  // the stored trainings nearest that std (the claims study holds 1/√2 exactly).
  const shares = {
    small: learnedShare(summaries.curve, 0.05),
    xavier: learnedShare(summaries.claims, XAVIER),
    large: learnedShare(summaries.curve, 10),
  };
  const at = (s: { std: number } | null) => (s ? s.std.toPrecision(3) : '–');
  const sharesFrom = `std 0.05 and 10: the curve study's nearest points, ${at(shares.small)} and ${at(shares.large)}; 1/√2: the claims study`;

  const figures = {
    curve: await draw(seedCurve, dir, 'curve.png'),
    textbookCurve: await draw(
      curveFigure(summaries.textbookCurve, 'textbook', claims.minimum.textbook),
      dir,
      'curve-textbook.png',
    ),
    weightsSmall: await draw(weightsChart(small, xor, smallRun, seeds.small), dir, 'weights-std0.05.png'),
    weightsLarge: await draw(weightsChart(large, xor, largeRun, seeds.large), dir, 'weights-std10.png'),
    loss: await draw(
      lossChart(
        [
          { label: lossLineLabel('0.05', seeds.small, found.small.learned, shares.small), result: smallRun },
          { label: lossLineLabel('1/√2', seeds.boundary, found.boundary.learned, shares.xavier), result: xavierRun },
          { label: lossLineLabel('10', seeds.large, found.large.learned, shares.large), result: largeRun },
        ],
        [
          'one training per std, the first seed that learned; mean loss over the 4 samples, seed order',
          `the legend: how many of the stored trainings at that std learn (${sharesFrom})`,
        ],
        'Loss of one training that learned per hidden std, and how many trainings learn',
      ),
      dir,
      'loss.png',
    ),
    boundary: await draw(
      boundaryChart(xavier, xor, xavierRun.finalParameters, seeds.boundary, xavierRun.metrics.totalLoss),
      dir,
      'boundary.png',
    ),
  };
  // How the learned network solves XOR, beside one that learned nothing: small weights (std 0.05) leave the most
  // trainings at the ln 2 saddle, where both hidden units stay alike and every output stays near 0.5.
  const stuck = stuckRun(small);
  const neurons = await draw(
    comparedNetworksChart(
      [
        {
          config: xavier,
          parameters: xavierRun.finalParameters,
          title: `Learned XOR: hidden std 1/√2, seed ${seeds.boundary}`,
        },
        ...(stuck
          ? [
              {
                config: small,
                parameters: stuck.run.finalParameters,
                title: `Stuck at the ln 2 saddle: hidden std 0.05, seed ${stuck.seed}`,
              },
            ]
          : []),
      ],
      xor,
      "How the network solves XOR: each hidden neuron's line, and the hidden space",
      [
        `XOR 2-2-1 sigmoid, BCE, lr 0.1, ${scale.epochs.toLocaleString('en-US')} epochs, seed order; dashed: a unit's line w.x + b = 0, labelled on the side where its output is above 0.5`,
      ],
    ),
    dir,
    'neurons.png',
  );
  await draw(seedCurve, dir, 'curve.svg');

  writeFileSync(
    join(dir, 'summary.csv'),
    summaryCsv([
      { name: names.curve, order: 'seed', points: summaries.curve },
      { name: names.claims, order: 'seed', points: summaries.claims },
      { name: names.textbookCurve, order: 'textbook', points: summaries.textbookCurve },
      { name: names.textbookClaims, order: 'textbook', points: summaries.textbookClaims },
    ]),
  );
  const next = await writeNextPart(store, dir, scale, studies, context.database, draw);
  // What the database holds for this report, counted there: every study of the reproduction, both parts.
  const ours = new Set(
    Object.values(studies).flatMap((group: Study | Study[]) => [group].flat().map((st) => st.definition.name)),
  );
  const listed = (await store.listStudies()).filter((record) => ours.has(record.name));
  const stored = { trainings: listed.reduce((n, record) => n + record.trialCount, 0), studies: listed.length };
  const goalNames = new Set(studies.goal.map((st) => st.definition.name));
  const goalTrainings = listed.filter((r) => goalNames.has(r.name)).reduce((n, r) => n + r.trialCount, 0);
  const goal = goalSectionMarkdown(await readGoalSection(store, scale, studies, context.studySeconds ?? {}));
  writeFileSync(
    join(dir, 'report.md'),
    // The first part as it was before the second existed, then the second.
    reportMarkdown({
      scale,
      claims,
      studyNames: names,
      trials: {
        curve: count(summaries.curve),
        claims: count(summaries.claims),
        textbookCurve: count(summaries.textbookCurve),
        textbookClaims: count(summaries.textbookClaims),
      },
      seconds: context.seconds,
      stored,
      goalTrainings,
      goalSection: goal,
      lossNote: `Each line is one training that learned (the first seed from 1 up at that std); the legend says how many of the stored trainings at that std learn (${sharesFrom}), ${[shares.small, shares.xavier, shares.large].map((x, k) => `${['0.05', '1/√2', '10'][k]}: ${x ? `${Math.round(x.share * 100)}%` : '–'}`).join(', ')}, so the lines alone make the stds look alike when they are not.`,
      engine: context.engine,
      workers: context.workers,
      database: context.database,
      figures: { ...figures, neurons },
      trajectorySeeds: seeds,
      stuckSeed: stuck?.seed ?? null,
      notLearned,
      command: context.command,
    }) + `\n${next}`,
  );
}
