// The playground page: settings (in the URL), a live training in a Web Worker, and an in-page study.
import { ParameterFileError, fromParameterFile, toParameterFile } from '../../core/network.js';
import { shapeFor } from '../../core/train.js';
import { CUSTOM_DATASET } from '../playground/fields.js';
import { buildForm, showProblems, writeForm, type FieldControl } from '../playground/form.js';
import { byId, download, el, readTextFile } from '../playground/dom.js';
import { LiveTraining } from '../playground/live-training.js';
import {
  formatLrChanges,
  formatWeights,
  resolveConfig,
  resolveDataset,
  resolveStudySetup,
  resolveTraining,
  stateFromQuery,
  stateToQuery,
  trainCommand,
  type Problem,
  type TrainingSetup,
} from '../playground/state.js';
import { StudyView } from '../playground/study-view.js';
import { NetworkDiagramView } from '../playground/diagram.js';
import { EpochPanelView } from '../playground/epoch-panel.js';
import { HiddenSpaceView } from '../playground/hidden-space.js';
import { NeuronMapsView } from '../playground/neuron-maps.js';
import { UnitLinesView } from '../playground/unit-lines.js';

/** Text fields are read this long after the last keystroke (and at once on Enter or leaving the field). */
const TYPING_MS = 350;
/** The settings of the article's study, at the std it recommends. */
const ARTICLE = {
  dataset: 'xor',
  hidden: '2',
  activation: 'sigmoid',
  outputActivation: 'sigmoid',
  loss: 'bce',
  bceClip: '1e-15',
  optimizer: 'gd',
  lr: '0.1',
  epochs: '10000',
  init: 'normal',
  hiddenStd: '0.7071',
  outputStd: '0.8165',
  updateOrder: 'seed',
  schedule: 'constant',
};

const parsed = stateFromQuery(location.search);
const state = parsed.state;
/** What the link had wrong; shown until the user changes something (the URL is rewritten from the fields by then). */
let linkProblems: Problem[] = parsed.problems;
let otherProblems: Problem[] = [];
if (state.values.seed === '') state.values.seed = String(randomSeed());

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] & 0x7fffffff;
}

const controls = buildForm(
  {
    main: byId('settings'),
    advanced: byId('settings-advanced'),
    study: byId('study-settings'),
    run: byId('speed-field'),
  },
  state,
);
const dataText = byId<HTMLTextAreaElement>('data-text');
dataText.value = state.data;

let loadedKey = '';
let setup: TrainingSetup | null = null;

const live = new LiveTraining({
  onLrChanges(changes) {
    state.lrAt = formatLrChanges(changes);
    // The loaded run now holds these changes: a later apply() (the same rate entered again, another field) must not
    // take them for new settings and reload the run from epoch 0.
    const training = resolveTraining(state);
    if (training.ok && loadedKey !== '') loadedKey = runKey(training.value);
    writeUrl();
  },
  onState() {
    updateButtons();
    const lr = controls.get('lr')!.input;
    // The rate the run is using, unless the user is typing one.
    if (live.frame && document.activeElement !== lr && live.epoch > 0) lr.value = String(live.frame.baseLr);
  },
});
const study = new StudyView(() => resolveStudySetup(state));
// The views of how the network computes: each is drawn only while it is shown.
const redraw = () => live.requestDraw();
const viewsChanged = () => {
  live.showViews({ maps: maps.shown(), arithmetic: epochPanel.shown() });
  redraw();
};
const maps = new NeuronMapsView(redraw, viewsChanged);
const epochPanel = new EpochPanelView(viewsChanged);
live.setViews([
  new UnitLinesView(redraw),
  maps,
  new HiddenSpaceView(redraw),
  new NetworkDiagramView(redraw),
  epochPanel,
]);
live.showViews({ maps: maps.shown(), arithmetic: epochPanel.shown() });

function writeUrl(): void {
  const query = stateToQuery(state);
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
}

function epochsPerSecond(): number {
  const speed = state.values.speed;
  return speed === 'max' ? Infinity : Number(speed) > 0 ? Number(speed) : 1000;
}

/** What identifies a loaded run: a setup with another key is another run (loaded from epoch 0). */
function runKey(training: TrainingSetup): string {
  return JSON.stringify({
    config: training.config,
    seed: training.seed,
    initial: Array.from(training.initial),
    data: state.data,
    lrChanges: training.lrChanges,
  });
}

/** Validates the settings, shows every problem, writes the URL, and starts a new run when the training changed. */
function apply(): void {
  const training = resolveTraining(state);
  const studySetup = resolveStudySetup(state);
  const studyKeys = new Set(['studyPoints', 'studyFrom', 'studyTo', 'repeats', 'studySeed', 'workers']);
  const problems = [
    ...linkProblems,
    ...otherProblems,
    ...(training.ok ? [] : training.problems),
    ...(studySetup.ok ? [] : studySetup.problems.filter((p) => p.key !== null && studyKeys.has(p.key))),
  ];
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.message === p.message) === i);
  showProblems(controls, state, unique);
  const box = byId('problems');
  box.replaceChildren(...unique.map((p) => el('p', {}, p.message)));
  box.hidden = unique.length === 0;
  byId('custom-data').hidden = state.values.dataset !== CUSTOM_DATASET;
  writeUrl();
  study.describe();
  if (!training.ok) {
    setup = null;
    loadedKey = '';
    byId('cli-train').textContent = '(fix the settings above first)';
    live.unload('Fix the settings above to train.');
    return;
  }
  setup = training.value;
  byId('cli-train').textContent = trainCommand(setup);
  const key = runKey(setup);
  if (key !== loadedKey) {
    loadedKey = key;
    live.load(setup);
  }
  updateButtons();
}

function updateButtons(): void {
  const loaded = live.loaded !== null;
  const train = byId<HTMLButtonElement>('train-button');
  train.textContent = live.running ? 'Pause' : live.epoch > 0 && !live.done ? 'Resume' : 'Train';
  train.disabled = !loaded || live.done;
  byId<HTMLButtonElement>('step-button').disabled = !loaded || live.done;
  byId<HTMLButtonElement>('reset-button').disabled = !loaded || (live.epoch === 0 && !live.running);
  byId<HTMLButtonElement>('export-weights').disabled = !loaded || live.parameters === null;
}

/** A field's new value. The learning rate of a run in progress changes the run (kept in the link as lrAt);
 * anything else about the training starts a new run. */
function changed(control: FieldControl): void {
  linkProblems = [];
  const key = control.field.key;
  const text = control.input.value;
  if (key === 'lr' && live.loaded && live.epoch > 0 && !live.done) {
    const lr = Number(text.trim());
    if (text.trim() !== '' && Number.isFinite(lr) && lr > 0) {
      otherProblems = otherProblems.filter((p) => p.key !== 'lr');
      live.setLearningRate(lr);
    } else {
      otherProblems = [
        ...otherProblems.filter((p) => p.key !== 'lr'),
        { key: 'lr', message: `Learning rate must be a number > 0, got "${text}"` },
      ];
    }
    apply();
    return;
  }
  if (state.values[key] === text) return;
  state.values[key] = text;
  otherProblems = otherProblems.filter((p) => p.key !== 'lr');
  if (key === 'speed') {
    live.setSpeed(epochsPerSecond());
    writeUrl();
    return;
  }
  if (control.field.group === 'main' || control.field.group === 'advanced') state.lrAt = ''; // a new run
  apply();
}

for (const control of controls.values()) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const now = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    changed(control);
  };
  control.input.addEventListener('change', now);
  if (control.input instanceof HTMLInputElement) {
    control.input.addEventListener('input', () => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(now, TYPING_MS);
    });
  }
}
byId('settings').addEventListener('submit', (event) => event.preventDefault());

// The custom truth table: typed, pasted, dropped or opened.
let dataTimer: ReturnType<typeof setTimeout> | null = null;
function setData(text: string): void {
  if (dataTimer !== null) clearTimeout(dataTimer);
  dataTimer = null;
  dataText.value = text;
  if (state.data === text) return;
  linkProblems = [];
  state.data = text;
  state.lrAt = '';
  apply();
}
dataText.addEventListener('input', () => {
  if (dataTimer !== null) clearTimeout(dataTimer);
  dataTimer = setTimeout(() => setData(dataText.value), TYPING_MS);
});
dataText.addEventListener('change', () => setData(dataText.value));
async function openFile(file: File | undefined, use: (text: string, name: string) => void): Promise<void> {
  if (!file) return;
  try {
    use(await readTextFile(file), file.name);
  } catch (error) {
    otherProblems = [
      { key: null, message: `cannot read ${file.name}: ${error instanceof Error ? error.message : String(error)}` },
    ];
    apply();
  }
}
const dropZone = byId('custom-data');
dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('dragging');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('dragging');
  void openFile(event.dataTransfer?.files[0], (text) => setData(text));
});
const dataFile = byId<HTMLInputElement>('data-file');
dataFile.addEventListener('change', () => {
  void openFile(dataFile.files?.[0], (text) => setData(text));
  dataFile.value = '';
});

// Training controls.
byId('train-button').addEventListener('click', () => {
  if (live.running) live.pause();
  else live.play(epochsPerSecond());
});
byId('step-button').addEventListener('click', () => live.step());
byId('reset-button').addEventListener('click', () => {
  if (setup) live.load(setup);
  controls.get('lr')!.input.value = state.values.lr;
});
byId('article-button').addEventListener('click', () => {
  Object.assign(state.values, ARTICLE);
  state.lrAt = '';
  writeForm(controls, state);
  apply();
});
byId('new-seed-button').addEventListener('click', () => {
  state.values.seed = String(randomSeed());
  state.lrAt = '';
  writeForm(controls, state);
  apply();
});

// Weights: the CLI's parameter file (xorlab train --save-weights / --init-weights).
byId('export-weights').addEventListener('click', () => {
  const params = live.parameters;
  const loaded = live.loaded;
  if (!params || !loaded) return;
  download(
    'xorlab-weights.json',
    `${JSON.stringify(toParameterFile(loaded.shape, params), null, 2)}\n`,
    'application/json',
  );
});
const importInput = byId<HTMLInputElement>('import-weights');
importInput.addEventListener('change', () => {
  void openFile(importInput.files?.[0], (text, name) => {
    const config = resolveConfig(state);
    const dataset = resolveDataset(state);
    let problem: string | null = null;
    if (!config.ok || !dataset.ok) problem = `fix the settings above before importing ${name}`;
    else {
      try {
        const params = fromParameterFile(shapeFor(config.value, dataset.value), JSON.parse(text));
        state.values.init = 'file';
        state.weights = formatWeights(params);
        state.lrAt = '';
        writeForm(controls, state);
      } catch (error) {
        if (error instanceof SyntaxError) problem = `${name} is not valid JSON`;
        else if (error instanceof ParameterFileError) problem = `${name}: ${error.message}`;
        else throw error;
      }
    }
    otherProblems = problem ? [{ key: null, message: problem }] : [];
    apply();
  });
  importInput.value = '';
});

apply();
