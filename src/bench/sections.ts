// The bench's sections. A section is a name and an async function returning its figures (for --json) and their
// text form; add new sections to SECTIONS (each in its own file, like engine.ts).
import { benchEngine, formatEngineBench } from './engine.js';

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
];
