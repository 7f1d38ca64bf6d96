// One epoch, step by step: when the run is paused (and after Step), the epoch just computed as the article computes
// it, each quantity as its array with its shape beside the article's NumPy line. The numbers are the engine's own
// (recorded by core's training step in the worker), not recomputed here.
import { byId, el } from './dom.js';
import { short, type DrawContext, type FrameView } from './views.js';
import type { EpochQuantity } from '../../core/epoch-quantities.js';
import type { EpochArithmetic } from './protocol.js';
import type { TrainingSetup } from './state.js';

/** Rows shown per array; a longer one (parity8 has 256 samples) says how many more there are. */
const MAX_ROWS = 16;

/** NumPy's look: one bracketed row per line, numbers right-aligned. */
function formatArray(q: EpochQuantity): string {
  const shown = q.rows.slice(0, MAX_ROWS);
  const cells = shown.map((row) => row.map((v) => short(v, 6).replace('−', '-')));
  const width = Math.max(1, ...cells.flat().map((c) => c.length));
  const lines = cells.map((row) => `[${row.map((c) => c.padStart(width)).join(' ')}]`);
  const more = q.rows.length > shown.length ? `\n … ${q.rows.length - shown.length} more rows` : '';
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
      if (this.shownKey !== 'running')
        this.panel.replaceChildren(
          el('p', { class: 'hint' }, 'Pause, or Step one epoch, to see the epoch just computed.'),
        );
      this.shownKey = 'running';
      return;
    }
    const arithmetic = frame.arithmetic?.epoch === frame.epoch - 1 ? frame.arithmetic : null;
    const key = arithmetic ? `epoch ${arithmetic.epoch}` : `none ${frame.epoch}`;
    if (key === this.shownKey) return;
    this.shownKey = key;
    if (!arithmetic) {
      this.panel.replaceChildren(
        el(
          'p',
          { class: 'hint' },
          frame.done
            ? "The training is done: Reset, then Step, to see an epoch's arithmetic."
            : frame.epoch === 0
              ? 'Step one epoch to see its arithmetic here.'
              : "Step one epoch to see the next epoch's arithmetic here.",
        ),
      );
      return;
    }
    this.panel.replaceChildren(...this.render(arithmetic));
  }

  private render(arithmetic: EpochArithmetic): HTMLElement[] {
    const order =
      arithmetic.updateOrder === 'seed'
        ? "Update order seed (the article's code): each layer is updated as soon as its gradient is known, so the error passed back to the layer below (error_hidden) uses the already updated weights."
        : 'Update order textbook: every gradient comes from the weights at the start of the epoch, so the error passed back (error_hidden) uses the weights before the update.';
    const rows = arithmetic.quantities.map((q) => {
      const values = el(
        'pre',
        { 'data-quantity': q.key, 'data-values': JSON.stringify(q.rows), 'data-shape': JSON.stringify(q.shape) },
        formatArray(q),
      );
      const code = el(
        'td',
        {},
        el('code', {}, q.code),
        ...(q.note ? [el('p', { class: 'quantity-note' }, q.note)] : []),
      );
      return el(
        'tr',
        {},
        code,
        el('th', { scope: 'row' }, el('code', {}, q.name), el('br'), `shape (${q.shape.join(', ')})`),
        el('td', {}, values),
      );
    });
    const table = el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, "The article's NumPy"),
          el('th', { scope: 'col' }, 'Quantity'),
          el('th', { scope: 'col' }, 'Its values this epoch'),
        ),
      ),
      el('tbody', {}, ...rows),
    );
    return [
      el(
        'p',
        {},
        `Epoch ${arithmetic.epoch.toLocaleString('en-US')} (learning rate ${short(arithmetic.learningRate, 6)}), as the engine computed it. ${order}`,
      ),
      el(
        'div',
        { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': `Epoch ${arithmetic.epoch}'s arrays` },
        table,
      ),
    ];
  }
}
