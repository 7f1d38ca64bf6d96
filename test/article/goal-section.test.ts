// The report's section "The same answers for a fraction of the trainings", in process: a small reproduction whose
// scale runs the goal-directed designs (real trainings into a real SQLite file, the fast engine on one worker), the
// section's figures read back from the store, a rerun that runs nothing, and the markdown made from the figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinDataset } from '../../src/core/index.js';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import { SCALES, runReproduction, type Scale } from '../../src/article/reproduce.js';
import { goalSectionMarkdown, readGoalSection } from '../../src/article/goal-section.js';
import type { RunOutcome } from '../../src/study/run/run-plan.js';
import { TINY_NEXT } from '../helpers/scales.js';
import { chunksOf, type TrialPlan } from '../../src/study/run/browser/plan.js';
import { runChunk } from '../../src/study/run/browser/chunk.js';
import { chunkRows } from '../../src/study/run/browser/protocol.js';
import type { Study } from '../../src/study/definition/definition.js';
import type { Store } from '../../src/store/types.js';
import '../../src/engine/node-kernel.js';
import { short } from '../../src/text/format.js';

const small: Scale = {
  ...SCALES.quick,
  name: 'small',
  curvePoints: 24,
  curveRepeats: 10,
  curveTotal: 480,
  claimRepeats: 60,
  textbookPoints: 5,
  textbookRepeats: 2,
  textbookTotal: 10,
  textbookClaimRepeats: 2,
  epochs: 2_000,
  next: TINY_NEXT,
  // The article design's 480 curve trainings, the goal's start included; the comparison capped at 300 beyond its 40.
  goal: {
    curveRepeats: 5,
    minimum: { budget: 480 - 24 * 5 },
    claimRepeats: 20,
    compare: { targetWidth: 1, untilResolved: true, maxTrials: 300 },
  },
};

/** Runs a plan on this thread as a sweep worker would (the same chunks, seeds and rows): a reproduction runs some
 * twenty plans, and a worker thread's start for each would cost more than their trainings. */
async function runInThread(store: Store, study: Study, plan: TrialPlan): Promise<RunOutcome> {
  const started = performance.now();
  const init = {
    datasets: { xor: builtinDataset('xor') },
    engine: { engine: 'fast' as const, precision: 'f32' as const },
  };
  let completed = 0;
  let stored = 0;
  for (const task of chunksOf(plan, 4096, study.definition.seed, (p) => study.pointConfig(p))) {
    const result = runChunk(task, init);
    stored += await store.insertTrials(chunkRows(study.definition.name, task, result, (p) => study.pointParams(p)));
    completed += task.points.length;
  }
  return { planned: plan.size, completed, stored, interrupted: false, seconds: (performance.now() - started) / 1000 };
}

test('the goal-directed designs run beside the article design, resume, and their section is read from the store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorlab-goal-section-'));
  const store = openSqliteStore(join(dir, 'g.db'));
  try {
    const labels: string[] = [];
    const runner = async (label: string, study: Study, plan: TrialPlan): Promise<RunOutcome> => {
      labels.push(label);
      return runInThread(store, study, plan);
    };
    const ran = await runReproduction(store, small, 's', runner);
    // The goal studies beside the others, under their own names, run through the caller's runner (its progress bar
    // and Ctrl-C): the start's sweep, then each round's plan.
    const stored = new Map((await store.listStudies()).map((s) => [s.name, s.trialCount]));
    assert.equal(stored.get('s-goal-curve'), 480);
    assert.ok(stored.get('s-goal-claims')! <= 40 + 300, `goal claims ${stored.get('s-goal-claims')}`);
    assert.ok(labels.includes('sweep s-goal-curve') && labels.includes('minimum s-goal-curve'), labels.join('; '));
    assert.ok(labels.includes('compare s-goal-claims'), labels.join('; '));
    assert.ok(ran.seconds['s-goal-curve'] > 0 && ran.seconds['s-curve'] > 0);
    // A rerun resumes: the rounds are replayed from the store and nothing runs.
    const again = await runReproduction(store, small, 's', () => assert.fail('nothing should run'));
    assert.equal(again.trainings, 0);

    const data = (await readGoalSection(store, small, again.studies, ran.seconds))!;
    assert.equal(data.complete, true);
    // Trainings are the store's: the article design's curve and its two compared stds, each goal study whole.
    assert.equal(data.minimum.article.trainings, 480);
    assert.equal(data.compare.article.trainings, 2 * 60);
    assert.equal(data.minimum.goal.trainings, 480);
    assert.equal(data.minimum.goal.start, 120);
    assert.equal(data.minimum.goal.explored + data.minimum.goal.confirmed, 360);
    assert.equal(data.compare.goal.trainings, stored.get('s-goal-claims'));
    assert.equal(
      data.compare.goal.start + data.compare.goal.explored + data.compare.goal.batch,
      data.compare.goal.trainings,
    );
    // Seconds are this run's; read after a run that ran nothing, they say so (null), never a made-up figure.
    assert.equal(data.minimum.goal.seconds, ran.seconds['s-goal-curve']);
    assert.equal((await readGoalSection(store, small, again.studies, again.seconds))!.minimum.goal.seconds, null);

    const md = goalSectionMarkdown(data).join('\n');
    assert.match(md, /^## The same answers for a fraction of the trainings$/m);
    assert.match(md, /\| the fitted minimum \| the article's: `s-curve`, 24 stds, refined by relative error \| 480 \|/);
    assert.match(md, /goal-directed: `s-goal-curve`, 24 stds × 5, then `--goal minimum` `--budget 360` \| 480 \|/);
    assert.match(md, /`--goal compare` `--target-width 1` `--until-resolved` `--max-trials 300`/);
    assert.match(md, /How it stays honest: exploration rounds/);
    // Each interval as the figures say (the goal's minimum, when it found one, with its width).
    const g = data.minimum.goal;
    if (g.estimate !== null) assert.ok(md.includes(`width ${short(g.high! - g.low!, 3)}`), md);
    else assert.match(md, /no minimum found/);
    // A scale without goal-directed designs has no section.
    assert.equal(await readGoalSection(store, { ...small, goal: null }, again.studies, {}), null);
    assert.deepEqual(goalSectionMarkdown(null), []);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
