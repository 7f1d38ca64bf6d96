// The in-page study: `xorlab sweep`'s plan (every (point, repeat) of the grid, seeds from (root seed, point,
// repeat), chunks sized as the CLI sizes them) trained by Web Workers that share the kernel the page compiled
// once. Results are summarised exactly as the store summarises them (store/moments.ts), so the page's point means
// are the CLI's to the bit. Nothing is stored: the page keeps the trials for its CSV downloads.
import { summarizeRows } from '../../store/moments.js';
import type { PointSummary, TrialRow } from '../../store/types.js';
import { planMissing, chooseChunkSize, chunksOf, secondsPerTrial } from '../../study/run/browser/plan.js';
import { chunkRows, type ChunkResult, type ChunkTask, type WorkerInit } from '../../study/run/browser/protocol.js';
import type { TrainingConfig } from '../../core/config.js';
import type { StudySetup } from './state.js';
import type { StudyReply, StudyRequest } from './protocol.js';

/** Each worker holds two chunks at most (one running, one queued), as the CLI's pool does. */
const IN_FLIGHT_PER_WORKER = 2;
/** How often the page hears about progress. */
const UPDATE_MS = 200;

export interface StudyProgress {
  done: number;
  total: number;
  /** The points with at least one trial, in point order. */
  points: PointSummary[];
  seconds: number;
  fallbackReasons: string[];
}

export interface StudyOutcome extends StudyProgress {
  cancelled: boolean;
  /** Every finished trial, ordered by (point, repeat). */
  trials: TrialRow[];
}

export function studyWorkerCount(): number {
  return Math.max(1, Math.min(16, navigator.hardwareConcurrency || 1));
}

export class PageStudy {
  private workers: Worker[] = [];
  private finish: ((cancelled: boolean) => void) | null = null;
  private fail: ((error: Error) => void) | null = null;
  private readonly trialsByPoint = new Map<number, TrialRow[]>();
  private readonly summaries = new Map<number, PointSummary>();
  private readonly dirty = new Set<number>();
  private readonly reasons: string[] = [];
  private done = 0;
  private total = 0;
  private started = 0;
  private ended = 0;

  constructor(
    private readonly setup: StudySetup,
    private readonly module: WebAssembly.Module,
    private readonly workerCount: number,
    private readonly onProgress: (progress: StudyProgress) => void,
  ) {}

  /** Runs every trial; resolves when all are in or the run is cancelled (with what finished). */
  async run(): Promise<StudyOutcome> {
    const { study, datasets } = this.setup;
    const plan = planMissing(study.pointCount, study.definition.repeats, new Map());
    this.total = plan.size;
    this.started = performance.now();
    const size = chooseChunkSize(this.total, this.workerCount, secondsPerTrial(study, plan, datasets, 'fast'));
    const workers = Math.min(this.workerCount, Math.ceil(this.total / size));
    let last: { point: number; config: TrainingConfig } | null = null;
    const configFor = (point: number): TrainingConfig => {
      if (last?.point !== point) last = { point, config: study.pointConfig(point) };
      return last.config;
    };
    const chunks = chunksOf(plan, size, study.definition.seed, configFor);
    const init: WorkerInit = { datasets, engine: { engine: 'fast', precision: 'f32' } };
    const inFlight = new Map<Worker, Map<number, ChunkTask>>();
    let exhausted = false;
    const ticker = setInterval(() => this.report(), UPDATE_MS);

    const cancelled = await new Promise<boolean>((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
      const feed = (worker: Worker): void => {
        const mine = inFlight.get(worker)!;
        while (!exhausted && mine.size < IN_FLIGHT_PER_WORKER) {
          const next = chunks.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          mine.set(next.value.id, next.value);
          const message: StudyRequest = { type: 'chunk', task: next.value };
          worker.postMessage(message);
        }
        if (exhausted && [...inFlight.values()].every((m) => m.size === 0)) this.finish?.(false);
      };
      for (let w = 0; w < workers; w++) {
        const worker = new Worker(new URL('./playground-study.worker.js', import.meta.url), {
          type: 'module',
          name: `study-${w}`,
        });
        this.workers.push(worker);
        inFlight.set(worker, new Map());
        worker.onmessage = (event: MessageEvent<StudyReply>) => {
          const reply = event.data;
          if (reply.type === 'error') {
            this.fail?.(new Error(`a study worker failed: ${reply.message}`));
            return;
          }
          const task = inFlight.get(worker)!.get(reply.result.id);
          if (!task) return;
          inFlight.get(worker)!.delete(reply.result.id);
          this.take(task, reply.result);
          feed(worker);
        };
        worker.onerror = (event) => {
          event.preventDefault();
          this.fail?.(new Error(`a study worker could not run: ${event.message || 'it failed to load'}`));
        };
        const hello: StudyRequest = { type: 'init', module: this.module, init };
        worker.postMessage(hello);
        feed(worker);
      }
    }).finally(() => {
      clearInterval(ticker);
      this.stopWorkers();
      this.ended = performance.now();
    });
    this.report();
    const trials = [...this.trialsByPoint.keys()]
      .sort((a, b) => a - b)
      .flatMap((p) => this.trialsByPoint.get(p)!.sort((a, b) => a.repeat - b.repeat));
    return { ...this.progress(), cancelled, trials };
  }

  /** Stops the workers at once; run() resolves with the trials that finished. */
  cancel(): void {
    this.stopWorkers();
    this.finish?.(true);
  }

  private stopWorkers(): void {
    for (const worker of this.workers) worker.terminate();
    this.workers = [];
  }

  private take(task: ChunkTask, result: ChunkResult): void {
    const { study } = this.setup;
    for (const reason of result.fallbackReasons) if (!this.reasons.includes(reason)) this.reasons.push(reason);
    for (const row of chunkRows(study.definition.name, task, result, (point) => study.pointParams(point))) {
      let list = this.trialsByPoint.get(row.point);
      if (!list) this.trialsByPoint.set(row.point, (list = []));
      list.push(row);
      this.dirty.add(row.point);
    }
    this.done += task.points.length;
  }

  private progress(): StudyProgress {
    for (const point of this.dirty) {
      const [summary] = summarizeRows(this.trialsByPoint.get(point)!, (p) => this.setup.study.pointParams(p));
      this.summaries.set(point, summary);
    }
    this.dirty.clear();
    const points = [...this.summaries.keys()].sort((a, b) => a - b).map((p) => this.summaries.get(p)!);
    const end = this.ended || performance.now();
    return {
      done: this.done,
      total: this.total,
      points,
      seconds: (end - this.started) / 1000,
      fallbackReasons: [...this.reasons],
    };
  }

  private report(): void {
    this.onProgress(this.progress());
  }
}
