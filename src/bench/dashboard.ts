// Bench section "browser", the dashboard's part: a study of the article's size (400 points x 10,000 trials =
// 4,000,000, generated straight into a temporary SQLite store) served by `xorlab serve`'s server, and the time from
// opening its page in Chromium to its curve drawn (goal <= 1 s), best and median of several fresh page loads.
// Skipped, with a line that says so, when Chromium is not installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../server/server.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import type { TrialRow } from '../store/types.js';
import { CHROMIUM, hasChromium, launchChromium } from './chromium.js';

interface DashboardBenchOptions {
  points?: number;
  repeats?: number;
  /** Page loads timed (a fresh page each). */
  loads?: number;
}

type DashboardBenchResult =
  | { skipped: string }
  | {
      points: number;
      trials: number;
      /** Opening the study page until its curve is drawn (s): best and median over the loads. */
      curveSeconds: { best: number; median: number; all: number[] };
      /** Opening the dashboard until the study's row shows (s), best. */
      listSeconds: number;
      /** Filling the database (s): not part of the figure, reported so a slow run can be explained. */
      generateSeconds: number;
    };

/** The article's study shape: hiddenStd = exp(linspace(-3, 4, points)), losses random around a bowl. */
async function generate(path: string, points: number, repeats: number): Promise<void> {
  const store = openSqliteStore(path);
  try {
    await store.ensureStudy('article', {
      name: 'article',
      sweep: { hiddenStd: `exp:-3:4:${points}` },
      repeats,
      seed: 1,
    });
    const batch = 20_000;
    const rows: TrialRow[] = [];
    let state = 0x2545f491;
    const random = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    for (let point = 0; point < points; point++) {
      const std = Math.exp(-3 + (7 * point) / Math.max(1, points - 1));
      const params = { hiddenStd: std };
      const base = 800 + 400 * Math.abs(Math.log(std / 0.63));
      for (let repeat = 0; repeat < repeats; repeat++) {
        rows.push({
          study: 'article',
          point,
          repeat,
          params,
          seed: point * repeats + repeat,
          totalLoss: base * (0.5 + random()),
          finalLoss: 0.01,
          success: random() < 0.9,
          epochsToThreshold: 1000,
          diverged: false,
          engine: 'fast',
          precision: 'f32',
        });
        if (rows.length === batch) await store.insertTrials(rows.splice(0));
      }
    }
    if (rows.length) await store.insertTrials(rows);
  } finally {
    await store.close();
  }
}

export async function benchDashboard(options: DashboardBenchOptions = {}): Promise<DashboardBenchResult> {
  if (!hasChromium()) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
  const points = options.points ?? 400;
  const repeats = options.repeats ?? 10_000;
  const loads = options.loads ?? 7;
  const dir = mkdtempSync(join(tmpdir(), 'xorlab-bench-dashboard-'));
  try {
    const path = join(dir, 'bench.db');
    let started = performance.now();
    await generate(path, points, repeats);
    const generateSeconds = (performance.now() - started) / 1000;
    const store = openSqliteStore(path, { readonly: true });
    const server = await startServer({ store, port: 0 });
    const browser = await launchChromium();
    try {
      const times: number[] = [];
      let listSeconds = Infinity;
      // One load first, untimed: Chromium's own start-up (and the bundle's first parse) is not the dashboard's.
      for (let k = 0; k <= loads; k++) {
        const page = await browser.context.newPage();
        started = performance.now();
        await page.goto(server.url);
        await page.locator('[data-testid=study-row][data-name=article]').waitFor({ timeout: 60_000 });
        const listed = (performance.now() - started) / 1000;
        started = performance.now();
        await page.goto(`${server.url}studies/article`);
        await page.locator('[data-testid=study-curve][data-state=drawn]').waitFor({ timeout: 60_000 });
        const drawn = (performance.now() - started) / 1000;
        const marks = await page.locator('[data-testid=study-curve] g.mean_points_marks path').count();
        if (marks !== points) throw new Error(`the curve has ${marks} points, expected ${points}`);
        await page.close();
        if (k === 0) continue;
        times.push(drawn);
        listSeconds = Math.min(listSeconds, listed);
      }
      const sorted = [...times].sort((a, b) => a - b);
      return {
        points,
        trials: points * repeats,
        curveSeconds: { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)], all: times },
        listSeconds,
        generateSeconds,
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

export function formatDashboardBench(r: DashboardBenchResult): string {
  if ('skipped' in r) return `browser (dashboard): skipped: ${r.skipped}`;
  const s = (x: number): string => `${x.toFixed(3)} s`;
  return [
    `browser (dashboard): a ${r.points}-point, ${r.trials.toLocaleString('en-US')}-trial study served by xorlab serve, opened in Chromium`,
    `  study page opened -> curve drawn: ${s(r.curveSeconds.best)} best, ${s(r.curveSeconds.median)} median of ${r.curveSeconds.all.length} loads (goal <= 1 s)`,
    `  dashboard opened -> study listed: ${s(r.listSeconds)} best`,
    `  (generating the database took ${r.generateSeconds.toFixed(1)} s, not counted)`,
  ].join('\n');
}
