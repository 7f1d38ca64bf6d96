// Progress of a run on stderr: a live bar on a terminal, plain log lines every few seconds otherwise (logs, CI,
// tests). The count is of the trials stored, the one figure that survives an interruption.
//
// The rate and the ETA come from recent progress only (RecentRate): a run whose workers stop (a distributed study
// whose workers died, a stalled server) shows its rate falling to 0 and no ETA, not the average of better times.
import { QUOTE_MAX, printable } from '../../text/quote.js';

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

/** Milliseconds, monotonic (tests pass their own). */
type Clock = () => number;
const monotonic: Clock = () => performance.now();

/** The rate is measured over about this much of the recent past. */
const RATE_WINDOW_MS = 20_000;
/** Samples closer than this are merged (a bar is updated after every chunk). */
const SAMPLE_MS = 250;

/**
 * Trials per second over the last `windowMs`: (done now - done at the window's start) / the time between. With no
 * progress the rate falls as time passes and is 0 once the window holds no progress; at the start it is the
 * average since the start.
 */
export class RecentRate {
  /** samples[0] is the latest sample at or before the window's start (or the first one). */
  private samples: { t: number; done: number }[] = [];
  private movedAt = 0;

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  add(t: number, done: number): void {
    const last = this.samples.at(-1);
    if (!last || done !== last.done) this.movedAt = t;
    if (last && this.samples.length > 1 && t - this.samples.at(-2)!.t < SAMPLE_MS)
      this.samples[this.samples.length - 1] = { t, done };
    else this.samples.push({ t, done });
    while (this.samples.length > 2 && this.samples[1].t <= t - this.windowMs) this.samples.shift();
  }

  perSecond(t: number): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.done <= first.done) return 0;
    return (last.done - first.done) / (Math.max(1, t - first.t) / 1000);
  }

  /** Seconds since the count last changed. */
  stillSeconds(t: number): number {
    return (t - this.movedAt) / 1000;
  }
}

/** "ETA 1m05s", or "no ETA" when nothing moves. */
function eta(remaining: number, rate: number): string {
  if (remaining <= 0) return 'ETA 0.0s';
  return rate > 0 ? `ETA ${formatDuration(remaining / rate)}` : 'no ETA';
}

/** A bar when `stream` is a terminal, else a line every `intervalMs`. `label` names the run (e.g. the study). */
export function createProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  intervalMs = 5000,
  clock: Clock = monotonic,
): Progress {
  // The label names a study, which a database may hold with any character: printed escaped, never as controls.
  const shown = printable(label, QUOTE_MAX);
  return stream.isTTY ? new BarProgress(shown, stream, clock) : new LineProgress(shown, stream, intervalMs, clock);
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
export function barLine(bar: {
  label: string;
  done: number;
  total: number;
  seconds: number;
  width: number;
  /** Trainings per second (default: done / seconds). */
  rate?: number;
}): string {
  const { label, done, total, seconds, width } = bar;
  const rate = bar.rate ?? done / seconds;
  const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
  const essential = `${count} | ${formatRate(rate)}/s | ${eta(total - done, rate)}`;
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
  private readonly rate = new RecentRate();

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream,
    private readonly clock: Clock,
  ) {}

  start(total: number): void {
    this.total = total;
    this.startedAt = this.clock();
    this.rate.add(this.startedAt, 0);
    this.active = true;
    this.draw();
  }

  update(done: number): void {
    if (!this.active) return;
    this.done = done;
    this.rate.add(this.clock(), done);
    if (this.clock() - this.drawnAt >= BAR_REDRAW_MS) this.draw();
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
    this.drawnAt = this.clock();
    const seconds = Math.max(1e-3, (this.drawnAt - this.startedAt) / 1000);
    // One column to spare: a line that fills the last column makes some terminals wrap.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(
      `\r${barLine({ label: this.label, done: this.done, total: this.total, seconds, width, rate: this.rate.perSecond(this.drawnAt) })}\x1b[K`,
    );
  }
}

class LineProgress implements Progress {
  private startedAt = 0;
  private lastLine = 0;
  private total = 0;
  private readonly rate = new RecentRate();

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream,
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  start(total: number): void {
    this.total = total;
    this.startedAt = this.lastLine = this.clock();
    this.rate.add(this.startedAt, 0);
    this.stream.write(`${this.label}: ${total.toLocaleString('en-US')} trials to run\n`);
  }

  update(done: number): void {
    const now = this.clock();
    this.rate.add(now, done);
    if (now - this.lastLine < this.intervalMs) return;
    this.lastLine = now;
    const elapsed = (now - this.startedAt) / 1000;
    const rate = this.rate.perSecond(now);
    const pct = this.total ? ((100 * done) / this.total).toFixed(1) : '100.0';
    const still = this.rate.stillSeconds(now);
    const stalled =
      rate === 0 && done < this.total && still >= 1 ? `: nothing stored for ${formatDuration(still)}` : '';
    this.stream.write(
      `${this.label}: ${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} (${pct}%), ${formatRate(rate)} trainings/s, ` +
        `elapsed ${formatDuration(elapsed)}, ${eta(this.total - done, rate)}${stalled}\n`,
    );
  }

  stop(): void {}

  note(line: string): void {
    this.stream.write(`${printable(line)}\n`);
  }
}

/** No output (benchmarks, library use). */
export const silentProgress: Progress = { start() {}, update() {}, stop() {}, note() {} };
