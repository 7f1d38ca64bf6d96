// xorlab/core runs anywhere JavaScript does, a browser included: no Node API, no files. Train on a truth table
// given as text (what a file input or fetch() would give), then use the network.
import { parseCsvDataset, predict, train } from 'xorlab/core';

const table = parseCsvDataset('or.csv', 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n');
const run = train({ epochs: 3000, hiddenStd: 0.7071 }, { seed: 2, dataset: table });
console.log(`${run.config.dataset}: learned ${run.metrics.success}, final loss ${run.metrics.finalLoss?.toFixed(4)}`);
console.log(`loss every 500 epochs: ${run.trace.map((t) => t.loss.toFixed(3)).join(' ')}`);
console.log(`1 OR 0 = ${predict(run.finalParameters, [[1, 0]], run.config)[0][0].toFixed(3)}`);
