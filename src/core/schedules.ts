// Learning-rate schedules: the learning rate used at each epoch (0-based).

export const SCHEDULE_NAMES = ['constant', 'step', 'exponential', 'cosine'] as const;
/** A learning-rate schedule: constant, step (stepEvery, stepGamma), exponential (expGamma) or cosine (minLr). */
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

interface ScheduleSettings {
  schedule: ScheduleName;
  lr: number;
  epochs: number;
  /** step: multiply by stepGamma every stepEvery epochs. */
  stepEvery: number;
  stepGamma: number;
  /** exponential: multiply by expGamma every epoch. */
  expGamma: number;
  /** cosine: anneal from lr down to minLr over the run. */
  minLr: number;
}

export function learningRateAt(s: ScheduleSettings, epoch: number): number {
  switch (s.schedule) {
    case 'constant':
      return s.lr;
    case 'step':
      return s.lr * Math.pow(s.stepGamma, Math.floor(epoch / s.stepEvery));
    case 'exponential':
      return s.lr * Math.pow(s.expGamma, epoch);
    case 'cosine': {
      const progress = s.epochs > 1 ? epoch / (s.epochs - 1) : 0;
      return s.minLr + 0.5 * (s.lr - s.minLr) * (1 + Math.cos(Math.PI * progress));
    }
  }
}
