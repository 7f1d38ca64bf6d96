import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EJSON } from 'bson';
import {
  articleStds,
  fromArticleDocument,
  toArticleDocument,
  toExtendedJsonLine,
} from '../../src/store/article-shape.js';
import { trial } from './fixtures.js';

test("the article's stds come from the point's swept values, else the study's config, else the defaults; none for other inits", () => {
  assert.deepEqual(articleStds({ config: { outputStd: 0.8165 } })({ hiddenStd: 0.5 }), { hidden: 0.5, output: 0.8165 });
  assert.deepEqual(articleStds({ config: { hiddenStd: 2 }, sweep: { outputStd: [1, 2] } })({ outputStd: 2 }), {
    hidden: 2,
    output: 2,
  });
  assert.deepEqual(articleStds({})({}), { hidden: 1, output: 1 });
  assert.deepEqual(articleStds({ config: { init: 'xavier-normal' } })({ hiddenStd: 0.5 }), {
    hidden: null,
    output: null,
  });
  assert.deepEqual(articleStds({})({ init: 'he-normal' }), { hidden: null, output: null });
});

test('a document goes to a line of Extended JSON and back unchanged, numbers with their types', () => {
  const row = trial('s', 2, 7, 6931, {
    finalLoss: 5e-324,
    seed: 2 ** 53 - 1,
    params: { hiddenStd: 3, activation: 'tanh', lr: 0.1 },
  });
  const doc = toArticleDocument(row, articleStds({}));
  assert.deepEqual(fromArticleDocument(doc), row);
  const line = toExtendedJsonLine(doc);
  assert.match(line, /"loss":\{"\$numberDouble":"6931\.0"\}/);
  assert.match(line, /"hidden_std_dev":\{"\$numberDouble":"3\.0"\}/);
  const parsed = EJSON.parse(line) as Record<string, unknown>; // relaxed: plain numbers
  assert.deepEqual({ ...parsed, seed: Number(parsed.seed) }, { ...doc });
  const diverged = toExtendedJsonLine(toArticleDocument(trial('s', 0, 0, null), articleStds({})));
  assert.match(diverged, /"loss":null,.*"finalLoss":null,.*"epochsToThreshold":null,"diverged":true/);
});
