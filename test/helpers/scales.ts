// The report's second part at its smallest: two grid points per question, two repeats each (tests of the article
// layer that run a whole reproduction in process and only need the next questions to exist).
import type { Scale } from '../../src/article/reproduce.js';

export const TINY_NEXT: Scale['next'] = {
  activationStds: 'exp:-1:0:2',
  activationRepeats: 2,
  lossLrs: [0.5],
  lossStds: 'exp:-1:0:2',
  lossRepeats: 2,
  scheduleLrs: 'log:-1:0:2',
  scheduleRepeats: 2,
};
