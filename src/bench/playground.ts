// Bench section "browser", the playground's part: the in-page study (Web Workers running the WebAssembly kernel in
// Chromium) beside the same study run by Node's worker threads (runPlan without a store), in alternating rounds of
// one run: trainings/s of each and their ratio (goal: Chromium >= 0.8x Node). Same definition, seeds, workers and
// f32 kernel on both sides. Skipped, with a line that says so, when Chromium is not installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinDataset } from '../core/index.js';
import { startServer } from '../server/server.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { resolveStudy } from '../study/definition/definition.js';
import { planMissing } from '../study/run/browser/plan.js';
import { defaultWorkers, runPlan } from '../study/run/run-plan.js';
import { CHROMIUM, hasChromium, launchChromium } from './chromium.js';

interface PlaygroundBenchOptions {
  /** Grid points of hiddenStd = exp(linspace(-3, 4, points)); default 400 (the article's grid). */
  points?: number;
  /** Repeats per point; default 10 (4,000 trainings). */
  repeats?: number;
  /** Epochs per training; default 10,000. */
  epochs?: number;
  /** Workers on both sides; default one per core. */
  workers?: number;
  /** Timed rounds (each: one Node run, one Chromium run), after one untimed run of each; default 3. */
  rounds?: number;
}

type PlaygroundBenchResult =
  | { skipped: string }
  | {
      trainings: number;
      points: number;
      repeats: number;
      epochs: number;
      workers: number;
      /** trainings/s of each round. */
      chromium: { best: number; median: number; all: number[] };
      node: { best: number; median: number; all: number[] };
      /** Chromium / Node: of the best rates, and the median of each round's own ratio. */
      ratio: { best: number; medianOfRounds: number };
    };

function summary(all: number[]): { best: number; median: number; all: number[] } {
  const sorted = [...all].sort((a, b) => b - a);
  return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)], all };
}

export async function benchPlayground(options: PlaygroundBenchOptions = {}): Promise<PlaygroundBenchResult> {
  if (!hasChromium()) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
  const points = options.points ?? 400;
  const repeats = options.repeats ?? 10;
  const epochs = options.epochs ?? 10_000;
  const workers = options.workers ?? defaultWorkers();
  const rounds = options.rounds ?? 3;
  const trainings = points * repeats;

  // Node: the sweep's own runner, without a store (as the sweep section's engine-only run).
  const study = resolveStudy({
    name: 'playground',
    config: { epochs },
    sweep: { hiddenStd: `exp:-3:4:${points}` },
    repeats,
    seed: 1,
  });
  const plan = planMissing(study.pointCount, repeats, new Map());
  const node = async (): Promise<number> => {
    const outcome = await runPlan({
      study,
      plan,
      store: null,
      datasets: { xor: builtinDataset('xor') },
      workers,
      engine: { engine: 'fast', precision: 'f32' },
    });
    if (outcome.completed !== trainings) throw new Error(`Node ran ${outcome.completed} of ${trainings} trainings`);
    return outcome.completed / outcome.seconds;
  };

  // Chromium: the playground page served by xorlab serve's server, its study run by its Run study button; the page
  // reports its own rate (trainings / seconds from the first chunk sent to the last result in).
  const dir = mkdtempSync(join(tmpdir(), 'xorlab-bench-playground-'));
  try {
    const path = join(dir, 'empty.db');
    await openSqliteStore(path).close();
    const store = openSqliteStore(path, { readonly: true });
    const server = await startServer({ store, port: 0 });
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(
        `${server.url}playground?seed=1&epochs=${epochs}&studyPoints=${points}&repeats=${repeats}&studySeed=1&workers=${workers}`,
      );
      const chromium = async (): Promise<number> => {
        await page.click('[data-testid=run-study-button]');
        const progress = page.locator('[data-testid=study-progress]');
        await page.locator('[data-testid=study-progress]:not([data-state=running])').waitFor({ timeout: 600_000 });
        const state = await progress.getAttribute('data-state');
        const done = Number(await progress.getAttribute('data-done'));
        if (state !== 'done' || done !== trainings)
          throw new Error(
            `the page's study ended ${state} after ${done} of ${trainings} trainings: ${await progress.textContent()}`,
          );
        return Number(await progress.getAttribute('data-rate'));
      };
      // One untimed run of each: worker start-up, the kernel's compilation, the page's first parse.
      await node();
      await chromium();
      const nodeRates: number[] = [];
      const chromiumRates: number[] = [];
      for (let round = 0; round < rounds; round++) {
        nodeRates.push(await node());
        chromiumRates.push(await chromium());
      }
      const ratios = chromiumRates.map((c, k) => c / nodeRates[k]).sort((a, b) => a - b);
      const c = summary(chromiumRates);
      const n = summary(nodeRates);
      return {
        trainings,
        points,
        repeats,
        epochs,
        workers,
        chromium: c,
        node: n,
        ratio: { best: c.best / n.best, medianOfRounds: ratios[Math.floor(ratios.length / 2)] },
      };
    } finally {
      await browser.close();
      await server.close();
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatPlaygroundBench(r: PlaygroundBenchResult): string {
  if ('skipped' in r) return `browser (playground): skipped: ${r.skipped}`;
  const rate = (x: number): string => `${Math.round(x).toLocaleString('en-US')} trainings/s`;
  return [
    `browser (playground): the in-page study, ${r.points} points x ${r.repeats} repeats = ${r.trainings.toLocaleString('en-US')} trainings of ${r.epochs.toLocaleString('en-US')} epochs (f32 kernel, ${r.workers} workers), ${r.chromium.all.length} rounds`,
    `  Chromium (Web Workers): ${rate(r.chromium.best)} best, ${rate(r.chromium.median)} median`,
    `  Node (worker threads):  ${rate(r.node.best)} best, ${rate(r.node.median)} median`,
    `  Chromium / Node: ${r.ratio.best.toFixed(2)}x of the best rates, ${r.ratio.medianOfRounds.toFixed(2)}x median of the rounds' own ratios (goal >= 0.8x)`,
  ].join('\n');
}
