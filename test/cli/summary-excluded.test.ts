// A mean over a subset says so: a study whose point near the minimum lost 3 of 40 trials to divergence (7.5%, past
// the 1% limit) shows the count beside the mean in xorlab summary's text, --json and --csv and in the dashboard's
// API, marks the point, and the fitted minimum and the lowest grid mean say they rest on it; the diverged trials
// were stored by the fast engine in f32, so summary names the recheck command. A point with 0 or few diverged
// trials is not marked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { openSqliteStore, type TrialRow } from '../../src/store/index.js';
import { EXCLUDED_SHARE_LIMIT } from '../../src/study/analysis/metrics.js';
import { summarizeStudy } from '../../src/study/analysis/summary.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startServe, type Served } from '../helpers/serve.js';

const STDS = [0.25, 0.35, 0.5, 0.7, 1, 1.4, 2, 2.8, 4];
const REPEATS = 40;
/** Point 4 (std 1, the minimum) has 3 diverged trials of 40; point 6 has none... and point 0 has none either. */
const DIVERGED = new Set(['4:3', '4:17', '4:30']);

let db: string;
let served: Served;

before(async () => {
  db = join(tempDir(), 'excluded.db');
  const store = openSqliteStore(db);
  await store.ensureStudy('curve', { name: 'curve', sweep: { hiddenStd: STDS }, repeats: REPEATS, seed: 1 });
  const rows: TrialRow[] = [];
  STDS.forEach((std, point) => {
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const diverged = DIVERGED.has(`${point}:${repeat}`);
      const noise = ((repeat * 37 + point * 11) % 19) - 9;
      rows.push({
        study: 'curve',
        point,
        repeat,
        params: { hiddenStd: std },
        seed: point * 100 + repeat,
        totalLoss: diverged ? null : 1000 + 400 * Math.log(std) ** 2 + 10 * noise,
        finalLoss: diverged ? null : 0.01,
        success: !diverged,
        epochsToThreshold: diverged ? null : 500,
        diverged,
        engine: 'fast',
        precision: 'f32',
      });
    }
  });
  await store.insertTrials(rows);
  await store.close();
  served = await startServe(['--db', db]);
});
after(() => served?.stop());

function getJson(path: string): Promise<unknown> {
  const { port } = new URL(served.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the threshold is 1%: 3 of 40 trials left out is past it', () => {
  assert.equal(EXCLUDED_SHARE_LIMIT, 0.01);
});

test('summary --json and the API: the excluded count beside each mean, the point marked, the minimum and the fit say so', async () => {
  // summarizeStudy's document, in process: `summary --json` prints it (test/cli/summary.test.ts).
  const store = openSqliteStore(db, { readonly: true });
  const report = JSON.parse(JSON.stringify(await summarizeStudy(store, 'curve', { compare: ['point=0', 'point=4'] })));
  await store.close();
  assert.deepEqual(
    [report.points[4].value.excluded, report.points[4].value.marked, report.points[4].value.n],
    [3, true, 37],
  );
  assert.deepEqual([report.points[0].value.excluded, report.points[0].value.marked], [0, false]);
  assert.equal(report.excluded, 3);
  assert.deepEqual(report.markedPoints, [{ point: 4, params: { hiddenStd: 1 }, excluded: 3, count: 40 }]);
  assert.equal(report.minimum.point, 4);
  assert.deepEqual([report.minimum.excluded, report.minimum.marked], [3, true]);
  assert.equal(report.fitted.length, 1);
  assert.deepEqual(
    report.fitted[0].marked.map((p: { point: number }) => p.point),
    [4],
  );
  assert.deepEqual(
    [report.comparison.b.excluded, report.comparison.b.marked, report.comparison.a.excluded],
    [3, true, 0],
  );
  assert.equal(report.staleDiverged, 3);
  // The API sends the same document.
  assert.deepEqual(await getJson('/api/studies/curve/summary?compare=point%3D0&compare=point%3D4'), report);
  // And the dashboard's view carries it.
  const view = (await getJson('/api/studies/curve')) as { summary: { staleDiverged: number; markedPoints: unknown[] } };
  assert.equal(view.summary.staleDiverged, 3);
  assert.equal(view.summary.markedPoints.length, 1);
});

test('summary text: the mark, the count left out, the minimum and the fit resting on the marked point, the recheck line', () => {
  const r = runCli(['summary', 'curve', '--db', db, '--compare', 'point=0', 'point=4']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[6], /^\s*4\s+1\s+[\d.]+ †\s/);
  assert.doesNotMatch(lines[2], /†/);
  assert.match(
    r.stdout,
    /mean, std and count are over the trainings that did not diverge: 3 of 360 trials left out \(the diverged column\); †: more than 1% of its trials diverged/,
  );
  assert.match(
    r.stdout,
    /fitted minimum: hiddenStd ≈ [\d.]+, .*; † it rests on 1 marked point \(more than 1% of its trials diverged and are left out of its mean\): point 4 \(hiddenStd=1: 3 of 40 diverged\)/,
  );
  assert.match(
    r.stdout,
    /lowest grid mean: point 4 \(hiddenStd=1\): .*n=37 \(3 of 40 trials diverged, left out of the mean †\)/,
  );
  assert.match(
    r.stdout,
    /with B = point 4 \(hiddenStd=1\), mean [\d.,]+ ± [\d.]+ \(stderr, n=37; 3 of 40 trials diverged, left out of the mean †\)/,
  );
  assert.match(
    r.stderr,
    /xorlab: warning: study curve: 3 trials are stored as diverged by the fast engine in f32.*recompute them in f64 with: xorlab recheck curve --db /,
  );
});

test('summary --csv: excluded and marked beside the mean', () => {
  const r = runCli(['summary', 'curve', '--db', db, '--csv']);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split(','));
  const column = (name: string) => rows[0].indexOf(name);
  assert.equal(column('excluded'), column('mean') + 1);
  assert.equal(column('marked'), column('mean') + 2);
  assert.deepEqual([rows[5][column('excluded')], rows[5][column('marked')]], ['3', '1']);
  assert.deepEqual([rows[1][column('excluded')], rows[1][column('marked')]], ['0', '0']);
  const success = runCli(['summary', 'curve', '--db', db, '--csv', '--metric', 'success'])
    .stdout.trimEnd()
    .split('\n')
    .map((line) => line.split(','));
  assert.deepEqual([success[5][success[0].indexOf('excluded')], success[5][success[0].indexOf('marked')]], ['0', '0']); // a rate counts every trial
});
