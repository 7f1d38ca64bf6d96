// xorlab as a library: train one network and use it, then run a small study of the initial weight std, summarise
// it and draw its curve. It writes quickstart.db and quickstart-curve.svg in the working directory; run it again
// and the study is found stored, so nothing is trained twice.
import { writeFileSync } from 'node:fs';
import { openStore, predict, renderChart, runStudy, studyCurveSpec, summarizeStudy, train } from 'xorlab';

// One network: the article's 2-2-1 sigmoid network learning XOR, from seed 1 (the same seed, the same bits).
const run = train({ hiddenStd: 0.7071, outputStd: 0.8165, updateOrder: 'seed' }, { seed: 1 });
console.log(`learned XOR: ${run.metrics.success}, total loss ${run.metrics.totalLoss?.toFixed(1)}`);
const inputs = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const outputs = predict(run.finalParameters, inputs, run.config);
console.log(`outputs: ${outputs.map(([y]) => y.toFixed(3)).join(' ')}`);

// A study: 8 initial stds of the hidden layer, 32 trainings each on all cores, every trial stored in SQLite.
const store = await openStore('quickstart.db');
try {
  const study = await runStudy(
    {
      name: 'std',
      config: { outputStd: 0.8165, updateOrder: 'seed' },
      sweep: { hiddenStd: [0.1, 0.25, 0.5, 0.7071, 1, 2, 4, 8] },
      repeats: 32,
    },
    {
      store,
      onProgress: ({ done, total, seconds }) =>
        done === total && console.log(`${total} trainings in ${seconds.toFixed(1)} s`),
    },
  );
  console.log(`study ${study.study}: ${study.stored} trials stored now, ${study.alreadyStored} before`);

  const summary = await summarizeStudy(store, 'std', { compare: [1, 0.7071] });
  const best = summary.minimum;
  if (best) console.log(`lowest mean total loss: ${best.mean.toFixed(1)} at hiddenStd ${best.params.hiddenStd}`);
  const change = summary.comparison;
  if (change && 'percent' in change) {
    const [percent, low, high] = [change.percent, change.low, change.high].map((v) => v.toFixed(1));
    console.log(`std 0.7071 instead of 1 changes the total loss by ${percent}% [${low}%, ${high}%]`);
  }

  writeFileSync('quickstart-curve.svg', await renderChart(await studyCurveSpec(store, 'std'), 'svg'));
} finally {
  await store.close();
}
