// Progress of a run on stderr: a live bar on a terminal (cli-progress), plain log lines every few seconds
// otherwise (logs, CI, tests).
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number): void;
  update(done: number): void;
  stop(): void;
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
  return stream.isTTY ? new BarProgress(label, stream) : new LineProgress(label, stream, intervalMs);
}

class BarProgress implements Progress {
  private readonly bar: cliProgress.SingleBar;
  private startedAt = 0;
  private total = 0;

  constructor(label: string, stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} {bar} {value}/{total} | {rate} trainings/s | elapsed {elapsedText} | ETA {etaText}`,
        hideCursor: true,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  start(total: number): void {
    this.total = total;
    this.startedAt = performance.now();
    this.bar.start(total, 0, { rate: '0', elapsedText: '0.0s', etaText: '?' });
  }

  update(done: number): void {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const rate = done / elapsed;
    this.bar.update(done, { rate: formatRate(rate), elapsedText: formatDuration(elapsed), etaText: formatDuration((this.total - done) / rate) });
  }

  stop(): void {
    this.bar.stop();
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
}

/** No output (benchmarks, library use). */
export const silentProgress: Progress = { start() {}, update() {}, stop() {} };
