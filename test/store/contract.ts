// The store contract: what every Store (SQLite, PostgreSQL, MongoDB) must do, run against each of them by
// ./contract.test.ts. Each test gets a fresh, empty store from `fresh()`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError, type PointSummary, type Store, type TrialRow } from '../../src/store/index.js';
import { collect } from '../helpers/cli.js';
import { trial } from './fixtures.js';

export interface StoreUnderTest {
  /** A new empty store, open for writing. */
  fresh(): Promise<Store>;
  /** The same database opened again, for reading only. */
  reopenReadonly(store: Store): Promise<Store>;
}

const DEF = { name: 'unit', sweep: { hiddenStd: [0.5, 1] }, repeats: 4, seed: 7 };

function close(actual: number | null, expected: number, tolerance = 1e-12): void {
  assert.ok(
    actual !== null && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `expected ${expected}, got ${actual}`,
  );
}

/** A deterministic pseudo-random sequence (the same in every store's run). */
export function lcg(seed = 12345): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** 3 points x 700 repeats (three blocks each), some diverged, losses with full 53-bit mantissas. */
export function sampleRows(study = 'unit'): ReturnType<typeof trial>[] {
  const random = lcg();
  return Array.from({ length: 3 * 700 }, (_, i) =>
    trial(study, i % 3, Math.floor(i / 3), random() < 0.02 ? null : 1000 * random() + 1 / 3, {
      success: random() < 0.8,
      epochsToThreshold: random() < 0.1 ? null : Math.floor(random() * 10000),
    }),
  );
}

export function storeContract(name: string, subject: StoreUnderTest): void {
  const t = (title: string, fn: (store: Store) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const store = await subject.fresh();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });
  };

  t(
    'totals near the top of f64 (an unclipped loss at a huge learning rate) are stored: a finite mean, an infinite spread',
    async (store) => {
      // Their squares and their sum overflow: m2 was Infinity - Infinity = NaN, which a database refuses as NULL, so the
      // whole chunk was lost ("NOT NULL constraint failed: blocks.loss_m2").
      await store.ensureStudy('unit', DEF);
      assert.equal(
        await store.insertTrials([
          trial('unit', 0, 0, 4.8e301),
          trial('unit', 0, 1, 2.4e301),
          trial('unit', 1, 0, 1.7e308),
          trial('unit', 1, 1, 1.7e308),
        ]),
        4,
      );
      const [a, b] = await store.summarize('unit');
      close(a.mean, 3.6e301);
      assert.equal(a.std, Infinity);
      assert.equal(b.mean, 1.7e308);
      assert.equal(b.std, 0);
      const again = await subject.reopenReadonly(store);
      try {
        assert.deepEqual(await again.summarize('unit'), await store.summarize('unit'));
      } finally {
        await again.close();
      }
    },
  );

  t(
    'insertTrials stores rows once: duplicates of (study, point, repeat) are ignored and not counted',
    async (store) => {
      assert.equal(await store.ensureStudy('unit', DEF), 'created');
      assert.equal(await store.ensureStudy('unit', JSON.parse(JSON.stringify(DEF))), 'exists'); // the same text
      assert.equal(await store.insertTrials([trial('unit', 0, 0, 10), trial('unit', 0, 1, 12)]), 2);
      // Same keys again (different values): ignored; the first stored values stay.
      assert.equal(await store.insertTrials([trial('unit', 0, 0, 999), trial('unit', 0, 2, 14)]), 1);
      // A batch with the same key twice: stored once.
      assert.equal(await store.insertTrials([trial('unit', 0, 3, 16), trial('unit', 0, 3, 17)]), 1);
      const rows = await collect(store.iterateTrials('unit'));
      assert.deepEqual(
        rows.map((r) => [r.point, r.repeat, r.totalLoss]),
        [
          [0, 0, 10],
          [0, 1, 12],
          [0, 2, 14],
          [0, 3, 16],
        ],
      );
      const s = await store.summarize('unit');
      assert.equal(s.length, 1);
      assert.equal(s[0].count, 4);
      close(s[0].mean, 13);
      // The full scan agrees (finalLoss's sums of squares of 0.001..0.004 may differ in the last bit: the scan's
      // variance is the database's own, the kept one is two-pass per block).
      const [kept, scanned] = [await store.summarize('unit'), await store.recomputeSummary('unit')];
      assert.deepEqual({ ...kept[0], finalLoss: null }, { ...scanned[0], finalLoss: null });
      close(kept[0].finalLoss.std, scanned[0].finalLoss.std!, 1e-12);
      assert.equal((await store.getStudy('unit'))?.trialCount, 4);
    },
  );

  t('ensureStudy refuses a different definition under the same name, and compares the text exactly', async (store) => {
    await store.ensureStudy('unit', DEF);
    await assert.rejects(
      store.ensureStudy('unit', { ...DEF, repeats: 5 }),
      (e: unknown) => e instanceof StoreError && /different definition.*repeats/.test(e.message),
    );
    const xy = { name: 'xy', sweep: { hiddenStd: [0.5, 1], lr: [0.1, 1] }, repeats: 2, seed: 1 };
    const yx = { name: 'xy', sweep: { lr: [0.1, 1], hiddenStd: [0.5, 1] }, repeats: 2, seed: 1 };
    assert.equal(await store.ensureStudy('xy', xy), 'created');
    await assert.rejects(
      store.ensureStudy('xy', yx),
      (e: unknown) => e instanceof StoreError && /different definition \(it differs in sweep\)/.test(e.message),
    );
    await assert.rejects(
      store.ensureStudy('xy', { seed: 1, repeats: 2, sweep: xy.sweep, name: 'xy' }),
      (e: unknown) => e instanceof StoreError && /another order/.test(e.message),
    );
    assert.equal(await store.ensureStudy('xy', xy), 'exists');
    assert.deepEqual((await store.getStudy('xy'))?.definition, xy);
    assert.equal(await store.getStudy('nope'), null);
  });

  t(
    'summarize matches a hand computation, with a diverged trial and a single-trial point (std null)',
    async (store) => {
      await store.ensureStudy('unit', DEF);
      await store.insertTrials([
        trial('unit', 0, 0, 1),
        trial('unit', 0, 1, 2),
        trial('unit', 1, 0, 10, { success: false, epochsToThreshold: null }),
      ]);
      await store.insertTrials([trial('unit', 0, 2, 4), trial('unit', 0, 3, null)]);
      for (const summary of [await store.summarize('unit'), await store.recomputeSummary('unit')]) {
        const [p0, p1] = summary;
        assert.equal(p0.point, 0);
        assert.deepEqual(p0.params, { hiddenStd: 0.5 });
        assert.equal(p0.count, 4);
        assert.equal(p0.lossCount, 3);
        close(p0.mean, 7 / 3);
        close(p0.std, Math.sqrt(7 / 3));
        close(p0.stderr, Math.sqrt(7) / 3);
        close(p0.successRate, 0.75);
        assert.equal(p0.diverged, 1);
        close(p0.meanEpochsToThreshold, (100 + 101 + 102) / 3);
        assert.equal(p1.count, 1);
        close(p1.mean, 10);
        assert.equal(p1.std, null);
        assert.equal(p1.stderr, null);
        assert.equal(p1.successRate, 0);
        assert.equal(p1.meanEpochsToThreshold, null);
      }
    },
  );

  t('the variance survives a mean that dwarfs the spread (no sum-of-squares cancellation)', async (store) => {
    await store.ensureStudy('unit', DEF);
    const xs = Array.from({ length: 1000 }, (_, k) => 1e6 + k * 0.001);
    for (let start = 0; start < xs.length; start += 100) {
      await store.insertTrials(xs.slice(start, start + 100).map((x, i) => trial('unit', 0, start + i, x)));
    }
    const expectedStd = 0.001 * Math.sqrt((1000 * 1001) / 12);
    for (const [p] of [await store.summarize('unit'), await store.recomputeSummary('unit')]) {
      close(p.mean, 1e6 + 0.4995);
      close(p.std, expectedStd, 1e-9);
    }
  });

  t(
    'storedRuns lists the repeats stored at each point as sorted disjoint runs [start, end), with gaps',
    async (store) => {
      await store.ensureStudy('unit', DEF);
      await store.insertTrials([0, 1, 2, 3].map((r) => trial('unit', 0, r, r)));
      await store.insertTrials([
        trial('unit', 1, 0, 1),
        trial('unit', 1, 2, 1),
        trial('unit', 1, 5, 1),
        trial('unit', 1, 600, 1),
      ]);
      const first = await store.storedRuns('unit');
      assert.deepEqual(
        [...first.entries()].map(([p, r]) => [p, [...r]]),
        [
          [0, [0, 4]],
          [1, [0, 1, 2, 3, 5, 6, 600, 601]],
        ],
      );
      await store.insertTrials([trial('unit', 1, 1, 1), trial('unit', 1, 601, 1), trial('unit', 2, 7, 1)]);
      const runs = await store.storedRuns('unit');
      assert.deepEqual(
        [...runs.entries()].map(([p, r]) => [p, [...r]]),
        [
          [0, [0, 4]],
          [1, [0, 3, 5, 6, 600, 602]],
          [2, [7, 8]],
        ],
      );
    },
  );

  t(
    'a point, repeat or count beyond 2^31 - 1 (the int4 columns of PostgreSQL) is refused by every store, and nothing is stored',
    async (store) => {
      await store.ensureStudy('unit', DEF);
      await assert.rejects(
        store.insertTrials([trial('unit', 0, 0, 1), trial('unit', 0, 2 ** 31, 1)]),
        (e: unknown) => e instanceof StoreError && /integers >= 0 and < 2\^31/.test(e.message),
      );
      await assert.rejects(store.insertTrials([trial('unit', 2 ** 31, 0, 1)]), StoreError);
      await assert.rejects(
        store.reserveRepeats('unit', new Map([[2 ** 31, 1]])),
        (e: unknown) => e instanceof StoreError && /< 2\^31/.test(e.message),
      );
      await assert.rejects(store.reserveRepeats('unit', new Map([[0, 2 ** 31]])), StoreError);
      assert.equal((await store.getStudy('unit'))?.trialCount, 0);
      assert.deepEqual(await store.summarize('unit'), []);
    },
  );

  t('a batch with stored rows recounts its blocks from the rows (aggregates stay exact)', async (store) => {
    await store.ensureStudy('unit', DEF);
    const first = Array.from({ length: 150 }, (_, r) => trial('unit', r % 3, Math.floor(r / 3), 100 + (r % 7)));
    assert.equal(await store.insertTrials(first), 150);
    const second = Array.from({ length: 250 }, (_, r) => trial('unit', r % 3, Math.floor(r / 3), 100 + (r % 7)));
    assert.equal(await store.insertTrials(second), 100);
    const summary = await store.summarize('unit');
    assert.deepEqual(
      summary.map((p) => p.count),
      [84, 83, 83],
    );
    const recomputed = await store.recomputeSummary('unit');
    summary.forEach((p: PointSummary, i) => {
      close(p.mean, recomputed[i].mean!);
      close(p.std, recomputed[i].std!, 1e-9);
    });
    assert.equal((await collect(store.iterateTrials('unit'))).length, 250);
  });

  t(
    'iterateTrials returns every field as stored, ordered by (point, repeat), across studies and pages',
    async (store) => {
      await store.ensureStudy('unit', DEF);
      await store.ensureStudy('other', { other: true });
      const rows = [
        trial('unit', 1, 0, 5, { engine: 'reference', precision: 'f32', seed: 2 ** 53 - 1 }),
        trial('unit', 0, 1, null),
        trial('other', 0, 0, 3),
        trial('unit', 0, 0, 4, { totalLoss: 0.1 + 0.2, finalLoss: 5e-324 }),
      ];
      assert.equal(await store.insertTrials(rows), 4);
      assert.deepEqual(await collect(store.iterateTrials('unit')), [rows[3], rows[1], rows[0]]);
      assert.deepEqual(
        (await store.listStudies()).map((s) => [s.name, s.pointCount, s.trialCount]),
        [
          ['unit', 2, 3],
          ['other', 1, 1],
        ],
      );
      // More rows than one page (10,000), ending exactly on a page boundary too.
      const many = Array.from({ length: 20_000 }, (_, i) => trial('other', 1 + (i % 2), Math.floor(i / 2), i));
      assert.equal(await store.insertTrials(many), 20_000);
      const back = await collect(store.iterateTrials('other'));
      assert.equal(back.length, 20_001);
      assert.deepEqual(
        back.slice(1, 3).map((r) => [r.point, r.repeat]),
        [
          [1, 0],
          [1, 1],
        ],
      );
      assert.deepEqual(back.at(-1), many.at(-1));
      const iterator = store.iterateTrials('other')[Symbol.asyncIterator]();
      await iterator.next();
      await iterator.return?.(); // an abandoned iteration holds nothing: the store goes on
      assert.equal(await store.insertTrials([trial('other', 0, 1, 1)]), 1);
    },
  );

  t('unknown studies are StoreErrors that name the studies there', async (store) => {
    await store.ensureStudy('unit', DEF);
    await assert.rejects(
      store.summarize('nope'),
      (e: unknown) => e instanceof StoreError && /unknown study "nope".*unit/.test(e.message),
    );
    await assert.rejects(store.recomputeSummary('nope'), StoreError);
    await assert.rejects(store.storedRuns('nope'), StoreError);
    await assert.rejects(store.insertTrials([trial('nope', 0, 0, 1)]), StoreError);
    await assert.rejects(collect(store.iterateTrials('nope')), StoreError);
    await assert.rejects(store.insertTrials([trial('unit', -1, 0, 1)]), /integers >= 0/);
  });

  t('opened for reading: reads what was written, refuses to write', async (store) => {
    await store.ensureStudy('unit', DEF);
    await store.insertTrials([trial('unit', 0, 0, 1)]);
    const reader = await subject.reopenReadonly(store);
    try {
      assert.deepEqual(
        (await reader.listStudies()).map((s) => s.name),
        ['unit'],
      );
      assert.deepEqual(await reader.summarize('unit'), await store.summarize('unit'));
      await assert.rejects(reader.insertTrials([trial('unit', 0, 1, 1)]), StoreError);
      await assert.rejects(reader.ensureStudy('other', {}), StoreError);
    } finally {
      await reader.close();
    }
    assert.equal((await store.getStudy('unit'))?.trialCount, 1);
  });

  t('summarize depends only on the stored rows, not on batching, order or duplicates (bit for bit)', async (store) => {
    const rows = sampleRows();
    await store.ensureStudy('unit', DEF);
    await store.ensureStudy('pieces', DEF);
    await store.ensureStudy('reversed', DEF);
    await store.insertTrials(rows);
    const whole = await store.summarize('unit');
    const random = lcg(777);
    const shuffled = [...rows].sort(() => random() - 0.5).map((r) => ({ ...r, study: 'pieces' }));
    for (let at = 0; at < shuffled.length;) {
      const size = 1 + Math.floor(random() * 300);
      await store.insertTrials(shuffled.slice(at, at + size));
      if (random() < 0.3) await store.insertTrials(shuffled.slice(Math.max(0, at - 50), at + 10)); // resent rows
      at += size;
    }
    assert.deepEqual(await store.summarize('pieces'), whole);
    for (let point = 2; point >= 0; point--) {
      for (let block = 2; block >= 0; block--) {
        await store.insertTrials(
          rows
            .filter((r) => r.point === point && Math.floor(r.repeat / 256) === block)
            .reverse()
            .map((r) => ({ ...r, study: 'reversed' })),
        );
      }
    }
    assert.deepEqual(await store.summarize('reversed'), whole);
    const recomputed = await store.recomputeSummary('unit');
    whole.forEach((p, i) => {
      assert.equal(p.count, recomputed[i].count);
      close(p.mean, recomputed[i].mean!, 1e-13);
      close(p.std, recomputed[i].std!, 1e-10);
    });
  });

  t('reserveRepeats hands out new repeat indices after everything stored or reserved there', async (store) => {
    await store.ensureStudy('unit', DEF);
    await store.insertTrials([trial('unit', 0, 0, 1), trial('unit', 0, 1, 2), trial('unit', 1, 0, 3)]);
    // Point 0 holds repeats 0-1, point 1 repeat 0, point 2 nothing; a count of 0 reserves nothing.
    assert.deepEqual(
      await store.reserveRepeats(
        'unit',
        new Map([
          [0, 3],
          [1, 2],
          [2, 1],
          [3, 0],
        ]),
      ),
      new Map([
        [0, 2],
        [1, 1],
        [2, 0],
      ]),
    );
    // The next reservation continues after the last one, not after the stored rows.
    assert.deepEqual(
      await store.reserveRepeats(
        'unit',
        new Map([
          [0, 1],
          [2, 2],
        ]),
      ),
      new Map([
        [0, 5],
        [2, 1],
      ]),
    );
    // Rows stored beyond a reservation move the next one on.
    await store.insertTrials([trial('unit', 1, 9, 4)]);
    assert.deepEqual(await store.reserveRepeats('unit', new Map([[1, 1]])), new Map([[1, 10]]));
    await assert.rejects(
      store.reserveRepeats('nope', new Map([[0, 1]])),
      (e: unknown) => e instanceof StoreError && /unknown study "nope"/.test(e.message),
    );
  });

  t(
    'deleteStudy removes a study and all it holds; renameStudy moves it to a new name with its new definition',
    async (store) => {
      await store.ensureStudy('unit', DEF);
      await store.ensureStudy('other', { ...DEF, name: 'other' });
      await store.insertTrials([trial('unit', 0, 0, 1), trial('unit', 1, 0, 2), trial('other', 0, 0, 5)]);
      await store.reserveRepeats('unit', new Map([[0, 4]]));
      await store.renameStudy('unit', 'renamed', { ...DEF, name: 'renamed' });
      assert.equal(await store.getStudy('unit'), null);
      assert.deepEqual((await store.getStudy('renamed'))?.definition, { ...DEF, name: 'renamed' });
      assert.equal((await collect(store.iterateTrials('renamed'))).length, 2);
      // The reservation (repeats 1-4 at point 0, after the stored repeat 0) went with it.
      assert.deepEqual(await store.reserveRepeats('renamed', new Map([[0, 1]])), new Map([[0, 5]]));
      await assert.rejects(
        async () => await store.renameStudy('renamed', 'other', {}),
        (e: unknown) => e instanceof StoreError && /already a study "other"/.test(e.message),
      );
      assert.equal(await store.deleteStudy('renamed'), 2);
      assert.equal(await store.getStudy('renamed'), null);
      await assert.rejects(
        async () => await store.deleteStudy('renamed'),
        (e: unknown) => e instanceof StoreError && /unknown study "renamed"/.test(e.message),
      );
      // Nothing of it is left: a new study of that name starts empty, at repeat 0.
      await store.ensureStudy('renamed', DEF);
      assert.deepEqual(await store.summarize('renamed'), []);
      assert.deepEqual(await store.reserveRepeats('renamed', new Map([[0, 1]])), new Map([[0, 0]]));
      assert.equal((await collect(store.iterateTrials('other'))).length, 1, 'another study was touched');
    },
  );

  t(
    'summarize: finalLoss and epochsToThreshold moments and the success count match a hand computation',
    async (store) => {
      await store.ensureStudy('unit', DEF);
      // finalLoss 0.1, 0.3, 0.8 (and a diverged trial without one); epochsToThreshold 100, 300 (one never reached it).
      await store.insertTrials([
        trial('unit', 0, 0, 5, { finalLoss: 0.1, epochsToThreshold: 100 }),
        trial('unit', 0, 1, 6, { finalLoss: 0.3, epochsToThreshold: null, success: false }),
        trial('unit', 0, 2, 7, { finalLoss: 0.8, epochsToThreshold: 300 }),
        trial('unit', 0, 3, null),
      ]);
      for (const [p] of [await store.summarize('unit'), await store.recomputeSummary('unit')]) {
        assert.equal(p.successes, 2);
        assert.equal(p.finalLoss.n, 3);
        close(p.finalLoss.mean, 0.4);
        // deviations -0.3, -0.1, 0.4: squares 0.26, / 2 = 0.13
        close(p.finalLoss.std, Math.sqrt(0.13));
        close(p.finalLoss.stderr, Math.sqrt(0.13 / 3));
        assert.equal(p.epochsToThreshold.n, 2);
        close(p.epochsToThreshold.mean, 200);
        close(p.epochsToThreshold.std, Math.sqrt(20000));
        close(p.meanEpochsToThreshold, 200);
      }
    },
  );

  t(
    'metricValues: one metric of every trial per point in repeat order (NaN where a trial has none), or of one point',
    async (store) => {
      await store.ensureStudy('unit', DEF);
      await store.insertTrials([
        trial('unit', 1, 2, 9),
        trial('unit', 0, 1, null),
        trial('unit', 0, 0, 4, { success: false }),
        trial('unit', 1, 0, 8),
      ]);
      const total = await store.metricValues('unit', 'totalLoss');
      assert.deepEqual([...total.keys()], [0, 1]);
      assert.deepEqual([...total.get(0)!.repeats], [0, 1]);
      assert.deepEqual([...total.get(0)!.values], [4, NaN]);
      assert.deepEqual([...total.get(1)!.values], [8, 9]);
      assert.deepEqual([...(await store.metricValues('unit', 'success')).get(0)!.values], [0, 0]);
      assert.deepEqual(
        [...(await store.metricValues('unit', 'epochsToThreshold', { point: 1 })).entries()].map(([p, v]) => [
          p,
          [...v.values],
        ]),
        [[1, [100, 102]]],
      );
      assert.deepEqual([...(await store.metricValues('unit', 'finalLoss', { point: 7 })).keys()], []);
      await assert.rejects(
        async () => await store.metricValues('nope', 'totalLoss'),
        (e: unknown) => e instanceof StoreError && /unknown study "nope"/.test(e.message),
      );
    },
  );

  t(
    'replaceTrials rewrites stored trials and their blocks as if stored so, leaves every other trial as it is, inserts nothing',
    async (store) => {
      const asOld = (row: TrialRow): TrialRow => (row.diverged ? { ...row, precision: 'f32' } : row);
      for (const study of ['unit', 'other', 'expected']) await store.ensureStudy(study, { ...DEF, name: study });
      const rows = sampleRows().map(asOld);
      await store.insertTrials(rows);
      await store.insertTrials(sampleRows('other').map(asOld));
      const otherBefore = await collect(store.iterateTrials('other'));
      // Every diverged trial of 'unit' gets numbers (engine fast/f64); one in three stays diverged.
      const random = lcg(99);
      const replacements = rows
        .filter((r) => r.diverged)
        .map((r, i) =>
          i % 3 === 0
            ? { ...r, precision: 'f64' as const }
            : {
                ...r,
                totalLoss: 1e4 * random() + 1 / 7,
                finalLoss: random(),
                success: false,
                epochsToThreshold: null,
                diverged: false,
                precision: 'f64' as const,
              },
        );
      assert.ok(replacements.length > 20);
      const expected = rows
        .map((r) => replacements.find((x) => x.point === r.point && x.repeat === r.repeat) ?? r)
        .sort((a, b) => a.point - b.point || a.repeat - b.repeat);
      await store.insertTrials(expected.map((r) => ({ ...r, study: 'expected' })));
      // A key that is not stored is not inserted.
      assert.equal(await store.replaceTrials([...replacements, trial('unit', 0, 5000, 1)]), replacements.length);
      assert.equal(await store.replaceTrials([]), 0);
      assert.deepEqual(await collect(store.iterateTrials('unit')), expected);
      assert.deepEqual(await collect(store.iterateTrials('other')), otherBefore);
      // The blocks hold what a study stored with these rows from the start holds, to the bit.
      assert.deepEqual(await store.summarize('unit'), await store.summarize('expected'));
      const counts = (points: PointSummary[]) => points.map((p) => [p.count, p.lossCount, p.diverged, p.successes]);
      assert.deepEqual(counts(await store.summarize('unit')), counts(await store.recomputeSummary('unit')));
      assert.equal((await store.getStudy('unit'))?.trialCount, rows.length);
      await assert.rejects(async () => await store.replaceTrials([trial('nope', 0, 0, 1)]), StoreError);
    },
  );
}
