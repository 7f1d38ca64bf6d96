// One epoch, step by step: when the run is paused (and after Step), the epoch just computed as the article computes
// it, each quantity as its array with its shape beside the article's NumPy line. The numbers are the engine's own
// (recorded by core's training step in the worker), not recomputed here.
import { byId, el } from './dom.js';
import { short, type DrawContext, type FrameView } from './views.js';
import type { EpochArithmetic, EpochQuantity } from './protocol.js';
import type { TrainingSetup } from './state.js';

/** Rows shown per array; a longer one (parity8 has 256 samples) says how many more there are. */
const MAX_ROWS = 16;

function formatArray(q: EpochQuantity): string {
  const rows = Math.min(q.rows, MAX_ROWS);
  const lines = Array.from({ length: rows }, (_, r) => `[${q.values.slice(r * q.cols, (r + 1) * q.cols).map((v) => short(v, 6).replace('−', '-').padStart(11)).join(' ')}]`);
  const more = q.rows > rows ? `\n … ${q.rows - rows} more rows` : '';
  return `[${lines.join('\n ')}]${more}`;
}

export class EpochPanelView implements FrameView {
  readonly name = 'epoch-panel';
  private readonly details = byId<HTMLDetailsElement>('epoch-details');
  private readonly panel = byId('epoch-panel');
  private shownKey = '';

  constructor(redraw: () => void) {
    this.details.addEventListener('toggle', redraw);
  }

  shown(): boolean {
    return this.details.open;
  }

  load(_setup: TrainingSetup): void {
    this.shownKey = '';
    this.panel.replaceChildren(el('p', { class: 'hint' }, 'Step one epoch (or pause) to see its arithmetic here.'));
  }

  draw({ frame }: DrawContext): void {
    if (!frame) return;
    if (frame.running) {
      if (this.shownKey !== 'running') this.panel.replaceChildren(el('p', { class: 'hint' }, 'Pause, or Step one epoch, to see the epoch just computed.'));
      this.shownKey = 'running';
      return;
    }
    const arithmetic = frame.arithmetic;
    const key = arithmetic ? `epoch ${arithmetic.epoch}` : `none ${frame.epoch}`;
    if (key === this.shownKey) return;
    this.shownKey = key;
    if (!arithmetic) {
      this.panel.replaceChildren(el('p', { class: 'hint' }, frame.epoch === 0 ? 'Step one epoch to see its arithmetic here.' : 'Step one epoch to see the next epoch\'s arithmetic here.'));
      return;
    }
    this.panel.replaceChildren(...this.render(arithmetic));
  }

  private render(arithmetic: EpochArithmetic): HTMLElement[] {
    const order = arithmetic.updateOrder === 'seed'
      ? 'Update order seed (the article\'s code): the output layer is updated first, so error_hidden uses the already updated output weights.'
      : 'Update order textbook: every layer\'s gradient comes from the weights before the update, so error_hidden uses the output weights as they were.';
    const rows = arithmetic.quantities.map((q) => {
      const values = el('pre', { 'data-quantity': q.name, 'data-values': JSON.stringify(q.values), 'data-shape': JSON.stringify([q.rows, q.cols]) }, formatArray(q));
      return el('tr', {}, el('td', {}, el('code', {}, q.numpy)), el('th', { scope: 'row' }, el('code', {}, q.name), el('br'), `shape (${q.rows}, ${q.cols})`), el('td', {}, values));
    });
    const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'The article\'s NumPy'), el('th', { scope: 'col' }, 'Quantity'), el('th', { scope: 'col' }, 'Its values this epoch'))), el('tbody', {}, ...rows));
    return [el('p', {}, `Epoch ${arithmetic.epoch.toLocaleString('en-US')}, as the engine computed it. ${order}`), el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': `Epoch ${arithmetic.epoch}'s arrays` }, table)];
  }
}
