// The playground's views of how the network computes, in Chromium, against core run here in Node: each hidden
// unit's line, every neuron's map, the hidden space, the network diagram and one epoch's arithmetic; keyboard-only
// use, a phone's width, nothing sent anywhere, and what each view costs a frame (a hidden one nothing).
//
// Chromium's Math.exp differs from Node's in the last bit for a few inputs (see playground.test.ts), so the page's
// numbers equal Node's to ~1e-12 relative after a few hundred epochs, not to the bit.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  Trainer,
  builtinDataset,
  epochQuantities,
  seededInitialParameters,
  sigmoid,
  traceEpoch,
} from '../../src/core/index.js';
import { defaultConfig, type TrainingConfigInput } from '../../src/config/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { skipWithoutChromium, withBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { openPlayground } from '../helpers/playground.js';
import { startServe, type Served } from '../helpers/serve.js';

const skip = skipWithoutChromium();
let dir: string;
let served: Served;

before(async () => {
  dir = tempDir('xorlab-playground-views-');
  await openSqliteStore(join(dir, 'x.db')).close();
  served = await startServe(['--db', join(dir, 'x.db')]);
});

after(async () => {
  await served?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Point = [number, number];

/** The trainer after `epochs` epochs of the seed's run, as the CLI and the page run it. */
function trainedHere(input: TrainingConfigInput, seed: number, epochs: number): Trainer {
  const config = defaultConfig(input);
  const dataset = builtinDataset(config.dataset);
  const trainer = new Trainer(config, dataset, seededInitialParameters(config, dataset, seed));
  while (trainer.epoch < epochs) trainer.step();
  return trainer;
}

/** Where w0 x + w1 y + b = 0 crosses the rectangle's edges: this test's own transcription (sorted by x, then y). */
function crossings(w0: number, w1: number, b: number, [x0, x1]: Point, [y0, y1]: Point): Point[] | null {
  const found: Point[] = [];
  for (const x of [x0, x1]) {
    const y = -(b + w0 * x) / w1;
    if (y >= y0 && y <= y1) found.push([x, y]);
  }
  for (const y of [y0, y1]) {
    const x = -(b + w1 * y) / w0;
    if (x >= x0 && x <= x1) found.push([x, y]);
  }
  const unique = found.filter((p, k) => found.findIndex((q) => Math.hypot(p[0] - q[0], p[1] - q[1]) < 1e-9) === k);
  return unique.length === 2 ? unique.sort((p, q) => p[0] - q[0] || p[1] - q[1]) : null;
}

function sortPoints(points: Point[]): Point[] {
  return [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

/** The first layer's weights of unit j: [w from x1, w from x2, bias] (core's flat layout). */
function unitWeights(params: Float64Array, units: number, j: number): [number, number, number] {
  return [params[j], params[units + j], params[2 * units + j]];
}

async function stepTimes(page: Page, times: number): Promise<void> {
  await page.focus('[data-testid=step-button]');
  for (let k = 1; k <= times; k++) {
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=epoch]')?.getAttribute('data-value') === String(n),
      k,
    );
  }
}

async function trainTo(page: Page): Promise<void> {
  await page.click('[data-testid=train-button]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=run-status]')?.textContent?.startsWith('Done') === true,
    null,
    { timeout: 120_000 },
  );
}

test(
  "each hidden unit's line: its crossings of the square equal those of the weights (to a pixel where drawn); the toggle hides them; a line that misses says so",
  { skip },
  async () => {
    await withBrowser(async (browser) => {
      const { page, foreign } = await openPlayground(browser, served.url, 'seed=7&epochs=600&speed=max');
      await trainTo(page);
      const here = trainedHere({ epochs: 600 }, 7, 600);
      const view = page.locator('[data-testid=unit-lines-view]');
      const lines = JSON.parse((await view.getAttribute('data-lines'))!) as (Point[] | null)[];
      const plot = JSON.parse((await view.getAttribute('data-plot'))!) as {
        left: number;
        top: number;
        size: number;
        x: Point;
        y: Point;
      };
      assert.deepEqual(plot.x, [-0.1, 1.1]);
      assert.equal(lines.length, 2);
      const box = (await page.locator('[data-testid=boundary]').boundingBox())!;
      for (let j = 0; j < 2; j++) {
        const expected = crossings(...unitWeights(here.params, 2, j), plot.x, plot.y);
        assert.ok(expected, `unit ${j} crosses the square`);
        sortPoints(lines[j]!).forEach((p, k) =>
          p.forEach((v, c) =>
            assert.ok(
              Math.abs(v - expected[k][c]) < 1e-9,
              `unit ${j}: ${JSON.stringify(lines[j])} vs ${JSON.stringify(expected)}`,
            ),
          ),
        );
        // Where the line is drawn on the screen: its ends, through the SVG's own transform, at the expected pixels.
        const drawn = await page.$eval(
          `[data-testid=unit-lines-view] g.unit-line[data-unit="${j}"] line.stroke`,
          (line) => {
            const l = line as SVGLineElement;
            const m = l.getScreenCTM()!;
            return [
              [l.x1.baseVal.value, l.y1.baseVal.value],
              [l.x2.baseVal.value, l.y2.baseVal.value],
            ].map(([x, y]): [number, number] => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
          },
        );
        const pixel = ([x, y]: Point): Point => [
          box.x + plot.left + ((x - plot.x[0]) / (plot.x[1] - plot.x[0])) * plot.size,
          box.y + plot.top + plot.size - ((y - plot.y[0]) / (plot.y[1] - plot.y[0])) * plot.size,
        ];
        const want = sortPoints(expected.map(pixel));
        sortPoints(drawn).forEach((p, k) =>
          assert.ok(
            Math.hypot(p[0] - want[k][0], p[1] - want[k][1]) <= 1,
            `unit ${j} drawn at ${JSON.stringify(drawn)}, expected ${JSON.stringify(want)}`,
          ),
        );
      }
      // The toggle, by keyboard: Space hides the lines (and the notes), Space shows them again.
      await page.focus('[data-testid=unit-lines]');
      await page.keyboard.press('Space');
      assert.equal(await view.getAttribute('visibility'), 'hidden');
      assert.ok(!(await view.isVisible()));
      await page.keyboard.press('Space');
      assert.ok(await view.isVisible());

      // Weights from a link whose second unit's line misses the square: named, and null in data-lines.
      const weights = [2, 0.1, 2, 0.1, -1, 5, 1, 1, 0].join('%2C');
      const missing = await openPlayground(browser, served.url, `seed=1&init=file&weights=${weights}`);
      await missing.page.waitForFunction(
        () =>
          document.querySelector('[data-testid=unit-lines-view]')?.getAttribute('data-lines')?.startsWith('[[') ===
          true,
      );
      const missed = JSON.parse(
        (await missing.page.getAttribute('[data-testid=unit-lines-view]', 'data-lines'))!,
      ) as unknown[];
      assert.equal(missed[1], null);
      assert.match(
        (await missing.page.textContent('[data-testid=unit-lines-notes]'))!,
        /h2: its line misses the square/,
      );
      assert.deepEqual([...foreign, ...missing.foreign], []);
      assert.deepEqual(browser.errors, []);
    });
  },
);

test(
  "the hidden space: the points are the engine's hidden outputs, for the two units chosen (hidden=4,4, by keyboard); the maps and the diagram follow the weights",
  { skip },
  async () => {
    await withBrowser(async (browser) => {
      const input = { hidden: [4, 4], epochs: 400 };
      const { page, foreign } = await openPlayground(browser, served.url, 'seed=3&hidden=4%2C4&epochs=400&speed=max');
      await trainTo(page);
      const here = trainedHere(input, 3, 400);
      const shape = here.net.shape;
      // Layer 2's outputs of every sample, transcribed: sigmoid(sigmoid(x W1 + b1) W2 + b2).
      const layer = (inputs: number[], l: number) => {
        const { inputs: m, units, weightOffset, biasOffset } = shape.layers[l];
        return Array.from({ length: units }, (_, j) =>
          sigmoid(
            here.params[biasOffset + j] +
              inputs.reduce((sum, x, i) => sum + x * here.params[weightOffset + i * units + j], 0) +
              0 * m,
          ),
        );
      };
      const samples = [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ];
      const h2 = samples.map((x) => layer(layer(x, 0), 1));
      // Keyboard only: the second unit chooser gets h2.3.
      await page.focus('[data-testid=hidden-b]');
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=hidden-space]')?.getAttribute('data-units') === '[0,2]',
      );
      const points = JSON.parse((await page.getAttribute('[data-testid=hidden-space]', 'data-points'))!) as Point[];
      points.forEach((p, s) => {
        assert.ok(Math.abs(p[0] - h2[s][0]) < 1e-9, `sample ${s}: ${p[0]} vs ${h2[s][0]}`);
        assert.ok(Math.abs(p[1] - h2[s][2]) < 1e-9, `sample ${s}: ${p[1]} vs ${h2[s][2]}`);
      });
      assert.match((await page.textContent('#hidden-caption'))!, /drawn are h2\.1 and h2\.3/);

      // The diagram: one edge per weight, each with its weight's sign; every unit's bias.
      const edges = await page.$$eval('[data-testid=network-diagram] line.edge', (lines) =>
        lines.map((l) => ({
          layer: Number(l.getAttribute('data-layer')),
          from: Number(l.getAttribute('data-from')),
          to: Number(l.getAttribute('data-to')),
          sign: Number(l.getAttribute('data-sign')),
          weight: Number(l.getAttribute('data-weight')),
        })),
      );
      assert.equal(edges.length, 2 * 4 + 4 * 4 + 4 * 1);
      for (const edge of edges) {
        const { units, weightOffset } = shape.layers[edge.layer - 1];
        const w = here.params[weightOffset + edge.from * units + edge.to];
        assert.equal(edge.sign, Math.sign(w), `edge ${JSON.stringify(edge)} vs ${w}`);
        assert.ok(Math.abs(edge.weight - w) <= 1e-10 * Math.max(1, Math.abs(w)));
      }
      const biases = await page.$$eval('[data-testid=network-diagram] circle[data-bias]', (circles) => circles.length);
      assert.equal(biases, 4 + 4 + 1);
      // Hover an edge: its number; the arrow keys move the focus through units and edges, each giving its numbers.
      // (A pointer over crossing edges finds the top one; the event goes to the edge itself here.)
      await page.dispatchEvent(
        '[data-testid=network-diagram] line.edge[data-layer="2"][data-from="1"][data-to="3"]',
        'mouseover',
      );
      const w2 = here.params[shape.layers[1].weightOffset + 1 * 4 + 3];
      const info = /^Weight from h1\.2 to h2\.4 \(L2\.w\[1\]\[3\]\): (\S+)$/.exec(
        (await page.textContent('[data-testid=network-info]'))!,
      );
      assert.ok(info && Math.abs(Number(info[1]) - w2) <= 1e-10 * Math.max(1, Math.abs(w2)), `${info?.[0]} vs ${w2}`);

      // The maps: one per unit of every layer; Enter on one shows it large with its weights.
      assert.equal(await page.locator('[data-testid=neuron-map]').count(), 4 + 4 + 1);
      await page.focus('[data-testid=neuron-map][data-layer="2"][data-unit="1"]');
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () =>
          document
            .querySelector('[data-testid=neuron-map][data-layer="2"][data-unit="1"]')
            ?.getAttribute('aria-pressed') === 'true',
      );
      assert.match(
        (await page.textContent('[data-testid=neuron-weights]'))!,
        /^h2\.2 = sigmoid\(.*·h1\.1 .*·h1\.4 [+−] [\d.]+\)$/,
      );
      assert.deepEqual(foreign, []);
      assert.deepEqual(browser.errors, []);
    });
  },
);

for (const updateOrder of ['seed', 'textbook'] as const) {
  test(
    `one epoch, step by step (${updateOrder} order): after Step, every array is core's own for that epoch`,
    { skip },
    async () => {
      await withBrowser(async (browser) => {
        const { page, foreign } = await openPlayground(
          browser,
          served.url,
          `seed=11&updateOrder=${updateOrder}&hiddenStd=0.7071&outputStd=0.8165&bceClip=1e-15`,
        );
        await stepTimes(page, 3);
        await page.waitForSelector('[data-testid=epoch-panel] [data-quantity=hidden_bias_updated]');
        const config = defaultConfig({ updateOrder, hiddenStd: 0.7071, outputStd: 0.8165, bceClip: 1e-15 });
        const trainer = trainedHere(config, 11, 2);
        const expected = epochQuantities(traceEpoch(trainer), config);
        const shown = await page.$$eval('[data-testid=epoch-panel] [data-quantity]', (cells) =>
          cells.map((c) => ({
            key: c.getAttribute('data-quantity')!,
            values: JSON.parse(c.getAttribute('data-values')!) as number[][],
          })),
        );
        assert.deepEqual(
          shown.map((q) => q.key),
          expected.map((q) => q.key),
        );
        for (const [k, q] of expected.entries()) {
          assert.equal(shown[k].values.length, q.shape[0], q.key);
          q.rows.flat().forEach((v, i) => {
            const got = shown[k].values.flat()[i];
            assert.ok(
              Math.abs(got - v) <= 1e-12 * Math.max(1e-300, Math.abs(v)) || got === v,
              `${q.key}[${i}]: ${got} vs ${v}`,
            );
          });
        }
        for (const key of [
          'hidden_input',
          'hidden_output',
          'final_input',
          'predicted_output',
          'loss',
          'd_predicted_output',
          'error_hidden',
          'd_hidden',
        ])
          assert.ok(
            shown.some((q) => q.key === key),
            key,
          );
        const text = (await page.textContent('[data-testid=epoch-panel]'))!;
        assert.match(text, /Epoch 2 /);
        assert.match(
          text,
          updateOrder === 'seed'
            ? /output_weights as already updated above/
            : /output_weights as at the start of the epoch/,
        );
        assert.deepEqual(foreign, []);
        assert.deepEqual(browser.errors, []);
      });
    },
  );
}

test(
  "keyboard only at a phone's width: Tab reaches every new control, nothing is wider than the screen",
  { skip },
  async () => {
    await withBrowser(async (browser) => {
      const { page, foreign } = await openPlayground(browser, served.url, 'seed=2&hidden=4%2C4&epochs=200&speed=max', {
        width: 390,
        height: 844,
      });
      await stepTimes(page, 1);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const reached = new Set<string>();
      for (let k = 0; k < 200; k++) {
        await page.keyboard.press('Tab');
        const name = await page.evaluate(() => {
          const a = document.activeElement as HTMLElement | null;
          if (!a) return '';
          const testid = a.getAttribute('data-testid');
          if (testid === 'neuron-map')
            return `neuron-map ${a.getAttribute('data-layer')}.${a.getAttribute('data-unit')}`;
          if (a.closest('[data-testid=network-diagram]')) return 'network-diagram';
          if (a.tagName === 'SUMMARY') return `summary ${a.parentElement?.id}`;
          if (a.closest('[data-testid=epoch-panel]')) return 'epoch-panel';
          return testid ?? a.id;
        });
        reached.add(name);
        if (name === 'export-weights') break;
      }
      const wanted = [
        'unit-lines',
        'summary maps-details',
        'summary hidden-details',
        'summary diagram-details',
        'summary epoch-details',
        'hidden-a',
        'hidden-b',
        'network-diagram',
        'epoch-panel',
      ];
      for (let l = 1; l <= 2; l++) for (let j = 0; j < 4; j++) wanted.push(`neuron-map ${l}.${j}`);
      wanted.push('neuron-map 3.0');
      assert.deepEqual(
        wanted.filter((w) => !reached.has(w)),
        [],
        `reached: ${[...reached].join(', ')}`,
      );
      // In the diagram the arrow keys move between units and edges; each one's numbers are read out.
      await page.focus('[data-testid=network-diagram] [tabindex="0"]');
      const first = await page.textContent('[data-testid=network-info]');
      await page.keyboard.press('ArrowRight');
      assert.notEqual(await page.textContent('[data-testid=network-info]'), first);
      await page.keyboard.press('End');
      assert.match((await page.textContent('[data-testid=network-info]'))!, /^Weight from h2\.4 to out/);
      // Collapsing a view by keyboard.
      await page.focus('#hidden-details summary');
      await page.keyboard.press('Enter');
      assert.equal(
        await page.evaluate(() => (document.getElementById('hidden-details') as HTMLDetailsElement).open),
        false,
      );
      assert.ok(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
        'the page scrolls sideways',
      );
      assert.deepEqual(foreign, []);
      assert.deepEqual(browser.errors, []);
    });
  },
);

test(
  "drawing cost: every view's frame time at top speed is measured in the page; a collapsed view is not drawn at all",
  { skip },
  async (t) => {
    await withBrowser(async (browser) => {
      const { page } = await openPlayground(browser, served.url, 'seed=4&epochs=1000000&speed=max');
      const measure = async () => {
        if (await page.isEnabled('[data-testid=reset-button]')) await page.click('[data-testid=reset-button]');
        await page.waitForFunction(
          () => document.querySelector('[data-testid=epoch]')?.getAttribute('data-value') === '0',
        );
        await page.evaluate(() => performance.clearMeasures());
        await page.click('[data-testid=train-button]');
        // Ten frames of the always-drawn boundary: enough for each shown view's cost and for a hidden view, if it
        // were drawn, to show up (every frame draws every shown view); more frames only burn CPU at top speed.
        await page.waitForFunction(
          () =>
            performance.getEntriesByName('view:boundary').length >= 10 ||
            document.querySelector('[data-testid=run-status]')?.textContent?.startsWith('Done') === true,
          null,
          { timeout: 60_000 },
        );
        // Pause unless the run has just ended (read and clicked in one go: the button is disabled once it is done).
        await page.evaluate(() => {
          const button = document.querySelector<HTMLButtonElement>('[data-testid=train-button]')!;
          if (button.textContent === 'Pause' && !button.disabled) button.click();
        });
        return page.evaluate(() => {
          const by: Record<string, number[]> = {};
          for (const m of performance.getEntriesByType('measure'))
            if (m.name.startsWith('view:')) (by[m.name.slice(5)] ??= []).push(m.duration);
          return Object.fromEntries(
            Object.entries(by).map(([k, v]) => [
              k,
              { frames: v.length, meanMs: v.reduce((a, b) => a + b, 0) / v.length, maxMs: Math.max(...v) },
            ]),
          );
        });
      };
      const all = await measure();
      for (const name of ['unit-lines', 'neuron-maps', 'hidden-space', 'network-diagram', 'epoch-panel'])
        assert.ok(all[name]?.frames > 0, `${name} was drawn`);
      t.diagnostic(`every view on: ${JSON.stringify(all)}`);
      // Every new view off: none of them is drawn.
      await page.click('[data-testid=unit-lines]');
      for (const id of ['maps-details', 'hidden-details', 'diagram-details', 'epoch-details'])
        await page.click(`#${id} > summary`);
      const none = await measure();
      for (const name of ['unit-lines', 'neuron-maps', 'hidden-space', 'network-diagram', 'epoch-panel'])
        assert.equal(none[name], undefined, `${name} is hidden but was drawn`);
      t.diagnostic(`every view off: ${JSON.stringify(none)}`);
      assert.deepEqual(browser.errors, []);
    });
  },
);
