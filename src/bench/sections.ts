// The bench's sections. A section is a name and an async function returning its figures (for --json) and their
// text form; add new sections to SECTIONS (each in its own file, like engine.ts).
import { benchEngine, formatEngineBench } from './engine.js';
import { benchSweep, formatSweepBench } from './sweep.js';

export interface BenchSection {
  name: string;
  description: string;
  run(): Promise<{ figures: object; text: string }>;
}

export const SECTIONS: BenchSection[] = [
  {
    name: 'engine',
    description: 'ms per training: reference, fast f64/f32 one core, fast f32 all cores, NumPy; agreement; exp/log accuracy',
    run: async () => {
      const r = await benchEngine();
      return { figures: r, text: formatEngineBench(r) };
    },
  },
  {
    name: 'sweep',
    description: 'a 100,000-trial sweep end to end on all cores (hiddenStd exp:-3:4:400 x 250): trainings/s with storage and engine only',
    run: async () => {
      const r = await benchSweep();
      return { figures: r, text: formatSweepBench(r) };
    },
  },
];
