// Reader-facing names for the swept parameters and metrics shown on axes.

const PARAMETER_TITLES: Record<string, string> = {
  hiddenStd: 'Initial std of the hidden-layer weights',
  outputStd: 'Initial std of the output-layer weights',
  lr: 'Learning rate',
  epochs: 'Epochs',
  hidden: 'Hidden units',
  momentum: 'Momentum',
  bceClip: 'BCE clipping epsilon',
  threshold: 'Loss threshold',
  activation: 'Hidden activation',
  outputActivation: 'Output activation',
  loss: 'Loss function',
  optimizer: 'Optimiser',
  updateOrder: 'Update order',
  dataset: 'Dataset',
  schedule: 'Learning-rate schedule',
  init: 'Initialisation',
};

/** An axis title for a configuration key, e.g. hiddenStd -> "Initial std of the hidden-layer weights (hiddenStd)". */
export function parameterTitle(key: string): string {
  const title = PARAMETER_TITLES[key];
  return title ? `${title} (${key})` : key;
}

/** Whether a parameter is the std of an initial weight distribution (where Xavier/Glorot predicts 1/sqrt(2)). */
export function isInitStd(key: string): boolean {
  return /Std$/.test(key);
}
