// Progress of a run on stderr: a live bar on a terminal, plain log lines every few seconds otherwise (logs, CI,
// tests). The count is of the trials stored, the one figure that survives an interruption.
import { QUOTE_MAX, printable } from '../text/quote.js';

export interface Progress {
  start(total: number): void;
  /** `done`: trials stored so far. */
  update(done: number): void;
  /** Ends the display (a bar leaves its last state on its own line); later calls to update and stop do nothing. */
  stop(): void;
  /** Prints a line without garbling the display (the bar is redrawn below it). */
  note(line: string): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(rest).padStart(2, '0')}s`;
}

export function formatRate(perSecond: number): string {
  return Number.isFinite(perSecond) ? Math.round(perSecond).toLocaleString('en-US') : '?';
}

/** A bar when `stream` is a terminal, else a line every `intervalMs`. `label` names the run (e.g. the study). */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr, intervalMs = 5000): Progress {
  // The label names a study, which a database may hold with any character: printed escaped, never as controls.
  const shown = printable(label, QUOTE_MAX);
  return stream.isTTY ? new BarProgress(shown, stream) : new LineProgress(shown, stream, intervalMs);
}

/** Redraws at most this often. */
const BAR_REDRAW_MS = 200;
const BAR_MIN = 5;
const BAR_MAX = 30;

/**
 * The bar's line, at most `width` columns: the count, the rate and the ETA are always there; the elapsed time goes
 * first, then the bar shrinks (down to 5 cells, then it goes too), then the label is cut. No terminal control
 * sequences but the ones the caller adds, so nothing here can move the cursor elsewhere.
 */
export function barLine(label: string, done: number, total: number, seconds: number, width: number): string {
  const rate = done / seconds;
  const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
  const essential = `${count} | ${formatRate(rate)}/s | ETA ${formatDuration((total - done) / rate)}`;
  const elapsed = ` | elapsed ${formatDuration(seconds)}`;
  const cells = (room: number): string => {
    const full = total > 0 ? Math.round((Math.min(done, total) / total) * room) : room;
    return `${'█'.repeat(full)}${'░'.repeat(room - full)}`;
  };
  for (const tail of [elapsed, '']) {
    const room = width - label.length - 2 - essential.length - tail.length;
    if (room >= BAR_MIN) return `${label} ${cells(Math.min(BAR_MAX, room))} ${essential}${tail}`;
  }
  if (label.length + 1 + essential.length <= width) return `${label} ${essential}`;
  const keep = width - essential.length - 2;
  return keep >= 4 ? `${label.slice(0, keep)}… ${essential}` : essential.slice(0, Math.max(0, width));
}

class BarProgress implements Progress {
  private startedAt = 0;
  private total = 0;
  private done = 0;
  private drawnAt = 0;
  private active = false;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream,
  ) {}

  start(total: number): void {
    this.total = total;
    this.startedAt = performance.now();
    this.active = true;
    this.draw();
  }

  update(done: number): void {
    if (!this.active) return;
    this.done = done;
    if (performance.now() - this.drawnAt >= BAR_REDRAW_MS) this.draw();
  }

  stop(): void {
    if (!this.active) return;
    this.draw();
    this.active = false;
    this.stream.write('\n');
  }

  note(line: string): void {
    if (!this.active) {
      this.stream.write(`${printable(line)}\n`);
      return;
    }
    // Over the bar's line, then the bar again below.
    this.stream.write(`\r\x1b[K${printable(line)}\n`);
    this.draw();
  }

  private draw(): void {
    this.drawnAt = performance.now();
    const seconds = Math.max(1e-3, (this.drawnAt - this.startedAt) / 1000);
    // One column to spare: a line that fills the last column makes some terminals wrap.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r${barLine(this.label, this.done, this.total, seconds, width)}\x1b[K`);
  }
}

class LineProgress implements Progress {
  private startedAt = 0;
  private lastLine = 0;
  private total = 0;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream,
    private readonly intervalMs: number,
  ) {}

  start(total: number): void {
    this.total = total;
    this.startedAt = this.lastLine = performance.now();
    this.stream.write(`${this.label}: ${total.toLocaleString('en-US')} trials to run\n`);
  }

  update(done: number): void {
    const now = performance.now();
    if (now - this.lastLine < this.intervalMs) return;
    this.lastLine = now;
    const elapsed = (now - this.startedAt) / 1000;
    const rate = done / elapsed;
    const pct = this.total ? ((100 * done) / this.total).toFixed(1) : '100.0';
    this.stream.write(
      `${this.label}: ${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} (${pct}%), ${formatRate(rate)} trainings/s, ` +
        `elapsed ${formatDuration(elapsed)}, ETA ${formatDuration((this.total - done) / rate)}\n`,
    );
  }

  stop(): void {}

  note(line: string): void {
    this.stream.write(`${printable(line)}\n`);
  }
}

/** No output (benchmarks, library use). */
export const silentProgress: Progress = { start() {}, update() {}, stop() {}, note() {} };
