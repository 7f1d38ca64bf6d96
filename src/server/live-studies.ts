// Live studies: what changed while a sweep (in another process) writes, pushed to the pages as Server-Sent Events.
// The store has no change notification (SQLite in another process, PostgreSQL over the network), so the server
// polls listStudies() — per study a count over its aggregate blocks, never a scan of the trials — and only while
// a page listens. A study that a page watches is also read for its content (its per-point aggregates, O(points)):
// `xorlab recheck` replaces trials without changing their count, and the page must see that too. A study whose
// content changed gets its view (summary, fitted minima, charts) rebuilt and sent to the pages that watch it, at
// most once per REFIT_MS (see there: the fitted minimum's bootstrap is what costs); the counts go out every poll.
//
// Memory stays flat whatever the pages do: a page that stops reading (its socket's buffer over BUFFER_BOUND) gets
// nothing more until the buffer drains, then the current state (never the backlog); one that does not drain for
// STALL_MS is closed (a real page reconnects by itself). At most `maxStreams` streams are open at once.
import type { ServerResponse } from 'node:http';
import type { PointSummary, Store, StudyRecord } from '../store/types.js';
import { HttpError, securityHeaders, withoutLocation } from './http.js';
import { contentKey } from '../study/views/live-minimum.js';
import { listing, studyView, type StudyListing, type StudyView } from '../study/views/view.js';

/** How often the store is polled while a page listens (ms). */
export const DEFAULT_POLL_MS = 500;
/** The least time between two rebuilds of one study's view (ms), whatever the rate its trials arrive at. A view fits
 * the minimum of each curve twice (the summary's and the chart's), each a 2,000-redraw bootstrap: measured on the
 * 2-core machine (AMD EPYC, shared and busy), 32 ms per fit at 60 points, 83 ms at 400 points, so a 400-point study
 * with five categories costs about 0.8 s a view. Once a second keeps the minimum live to the eye; REFIT_COST_FACTOR
 * stretches it for a view that costs more, so that fitting never takes more than a quarter of the server's time. */
export const DEFAULT_REFIT_MS = 1_000;
/** A view is rebuilt no sooner than this many times its last build's cost after it. */
const REFIT_COST_FACTOR = 4;
/** The watched studies whose count did not move are reread for their content (a recheck) no sooner than this many
 * times the last round of such reads cost after it: a few ms for block aggregates (so every poll), but a full scan
 * for a database of the old layout, or many studies watched at once (then less often). */
const CHECK_COST_FACTOR = 10;
/** Event streams open at once; one more is answered 503. */
const DEFAULT_MAX_STREAMS = 128;
/** Bytes a stream may have queued (in this process, beyond what the kernel holds) before it gets no more events
 * until it drains. One event may go over it (a listing is as large as the studies' names), never two. */
export const BUFFER_BOUND = 64 * 1024;
/** A stream whose buffer has not drained for this long is closed (ms). */
const DEFAULT_STALL_MS = 60_000;
/** A comment line this often keeps proxies from closing an idle stream and finds dead connections (ms). */
const HEARTBEAT_MS = 15_000;
/** How long a disconnected page waits before reconnecting (EventSource's retry field, ms). */
const RETRY_MS = 1_000;

interface Known {
  trials: number;
  points: number;
  updatedAt: string | null;
}

interface Client {
  res: ServerResponse;
  /** The study whose view this page watches, or null for the listing only. */
  study: string | null;
  /** Events were skipped while its buffer was full: on 'drain' it gets the current state. */
  behind: boolean;
  /** Closes the stream when the buffer does not drain in time; null while it is not full. */
  stall: NodeJS.Timeout | null;
}

/** The last view built of a study, with the key of the content it was built from, when and at what cost (ms). */
interface BuiltView {
  key: string;
  view: StudyView;
  builtAt: number;
  cost: number;
}

/** A watched study: whether its count moved since its view was built, and the last problem sent about it (said
 * once, not every poll). */
interface Watch {
  dirty: boolean;
  problem: string | null;
}

interface LiveOptions {
  pollMs?: number;
  /** The least time between two rebuilds of a study's view (ms; default DEFAULT_REFIT_MS). */
  refitMs?: number;
  onError?: (error: unknown) => void;
  maxStreams?: number;
  stallMs?: number;
}

export class LiveStudies {
  private readonly known = new Map<string, Known>();
  private readonly clients = new Set<Client>();
  /** The last view built per study, with the key of its content: a page that opens reuses it instead of summarising
   * again, and a poll rebuilds it only when the content changed and REFIT_MS has passed. */
  private readonly views = new Map<string, BuiltView>();
  private readonly watches = new Map<string, Watch>();
  /** When the watched studies whose count did not move are next reread for their content (performance.now()). */
  private nextContentCheck = 0;
  /** The last listing sent, for a page that catches up after its buffer drained. */
  private lastListing: StudyListing[] | null = null;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;
  /** Whether the first listing was read: studies that appear after it are changes. */
  private primed = false;
  private readonly pollMs: number;
  private readonly refitMs: number;
  private readonly onError: (error: unknown) => void;
  readonly maxStreams: number;
  private readonly stallMs: number;

  constructor(
    private readonly store: Store,
    options: LiveOptions = {},
  ) {
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.refitMs = options.refitMs ?? DEFAULT_REFIT_MS;
    this.onError = options.onError ?? (() => {});
    this.maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  }

  /** Event streams open now. */
  get streams(): number {
    return this.clients.size;
  }

  /** Reads the studies, notes which ones changed since the last read, and returns the listing and the changes. */
  async refresh(): Promise<{ lines: StudyListing[]; records: Map<string, StudyRecord>; changed: string[] }> {
    const records = await this.store.listStudies();
    const now = new Date().toISOString();
    const changed: string[] = [];
    const seen = new Set<string>();
    for (const r of records) {
      seen.add(r.name);
      const before = this.known.get(r.name);
      if (before === undefined) {
        this.known.set(r.name, { trials: r.trialCount, points: r.pointCount, updatedAt: this.primed ? now : null });
        if (this.primed) changed.push(r.name);
      } else if (before.trials !== r.trialCount || before.points !== r.pointCount) {
        this.known.set(r.name, { trials: r.trialCount, points: r.pointCount, updatedAt: now });
        changed.push(r.name);
        const watch = this.watches.get(r.name);
        if (watch) watch.dirty = true;
      }
    }
    for (const name of [...this.known.keys()]) {
      if (!seen.has(name)) {
        this.known.delete(name);
        this.views.delete(name);
        this.watches.delete(name);
        changed.push(name);
      }
    }
    this.primed = true;
    const lines = records.map((r) => listing(r, this.known.get(r.name)?.updatedAt ?? null));
    this.lastListing = lines;
    return { lines, records: new Map(records.map((r) => [r.name, r])), changed };
  }

  updatedAt(name: string): string | null {
    return this.known.get(name)?.updatedAt ?? null;
  }

  /** The study's view (line, summary, fitted minima, charts), built once per content of its trials; while one built
   * less than the refit interval ago is at hand, that one (a poll sends the newer one to the pages that watch). */
  async view(record: StudyRecord): Promise<StudyView> {
    const cached = this.views.get(record.name);
    if (cached && !this.due(cached)) return this.stamped(record.name, cached.view);
    const points = await this.store.summarize(record.name);
    const key = contentKey(record, points);
    if (cached?.key === key) return this.stamped(record.name, cached.view);
    return this.build(record, points, key);
  }

  private watchOf(name: string): Watch {
    let watch = this.watches.get(name);
    if (!watch) this.watches.set(name, (watch = { dirty: true, problem: null }));
    return watch;
  }

  /** The view with the time this server last saw the study's trials change. */
  private stamped(name: string, view: StudyView): StudyView {
    return { ...view, study: { ...view.study, updatedAt: this.updatedAt(name) } };
  }

  /** Whether a view built then may be rebuilt now (REFIT_MS, or REFIT_COST_FACTOR times what it cost). */
  private due(built: BuiltView): boolean {
    return performance.now() - built.builtAt >= Math.max(this.refitMs, REFIT_COST_FACTOR * built.cost);
  }

  private async build(record: StudyRecord, points: readonly PointSummary[], key: string): Promise<StudyView> {
    const started = performance.now();
    const view = await studyView(this.store, record, this.updatedAt(record.name), points);
    const builtAt = performance.now();
    this.views.set(record.name, { key, view, builtAt, cost: builtAt - started });
    const watch = this.watches.get(record.name);
    if (watch) {
      watch.dirty = false;
      watch.problem = null;
    }
    return view;
  }

  /** A watched study's new view as an event, when its content changed and a rebuild is due; '' otherwise. Its
   * content is read where its count moved, or where `checkContent` (a round of content reads is due). A study
   * that cannot be read: its problem, once. */
  private async changedViewText(record: StudyRecord, checkContent: boolean): Promise<string> {
    const watch = this.watchOf(record.name);
    const cached = this.views.get(record.name);
    if (cached && !this.due(cached)) return '';
    if (!watch.dirty && !checkContent) return '';
    try {
      const points = await this.store.summarize(record.name);
      const key = contentKey(record, points);
      if (cached?.key === key) {
        watch.dirty = false;
        return '';
      }
      return eventText('study', await this.build(record, points, key));
    } catch (error) {
      const problem = this.problem(record.name, error);
      if (watch.problem === problem) return '';
      watch.problem = problem;
      return eventText('problem', { error: problem });
    }
  }

  /** Turns `res` into an event stream: `studies` (the listing) now and on every change, and `study` (the view of
   * `study`) now and whenever its trials change. Past `maxStreams` open streams, an HttpError(503). */
  async subscribe(res: ServerResponse, study: string | null): Promise<void> {
    if (this.clients.size >= this.maxStreams) {
      throw new HttpError(
        503,
        `this server already has ${this.clients.size} live event streams open, its cap (${this.maxStreams}); close a dashboard tab or try again later`,
      );
    }
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const client: Client = { res, study, behind: false, stall: null };
    this.clients.add(client);
    res.on('drain', () => this.caughtUp(client));
    res.on('close', () => {
      if (client.stall !== null) clearTimeout(client.stall);
      this.clients.delete(client);
      if (this.clients.size === 0) this.stop();
    });
    const { lines, records } = await this.refresh();
    const record = study === null ? undefined : records.get(study);
    this.send(client, eventText('studies', lines) + (record ? await this.viewText(record) : ''));
    this.start();
  }

  /** Writes the events of one change (the listing, and the view the page watches, in one write) unless the
   * client's buffer is full; then it is marked behind and gets the current state when its buffer drains. */
  private send(client: Client, text: string): void {
    const { res } = client;
    if (res.writableEnded || res.destroyed) return;
    if (client.stall !== null || res.writableLength > BUFFER_BOUND) {
      client.behind = true;
      this.watchStall(client);
      return;
    }
    if (!res.write(text) || res.writableLength > BUFFER_BOUND) this.watchStall(client);
  }

  private watchStall(client: Client): void {
    if (client.stall !== null) return;
    client.stall = setTimeout(() => client.res.destroy(), this.stallMs);
    client.stall.unref();
  }

  /** The client's buffer drained: if it missed events meanwhile, it gets the current listing and view. */
  private caughtUp(client: Client): void {
    if (client.stall !== null) clearTimeout(client.stall);
    client.stall = null;
    if (!client.behind) return;
    client.behind = false;
    const cached = client.study === null ? undefined : this.views.get(client.study);
    const view = cached && client.study !== null ? eventText('study', this.stamped(client.study, cached.view)) : '';
    this.send(client, (this.lastListing ? eventText('studies', this.lastListing) : '') + view);
  }

  /** The study's view as an event, or its problem when it cannot be read (one damaged study never ends the stream). */
  private async viewText(record: StudyRecord): Promise<string> {
    try {
      return eventText('study', await this.view(record));
    } catch (error) {
      const problem = this.problem(record.name, error);
      this.watchOf(record.name).problem = problem; // said now: the polls do not say it again
      return eventText('problem', { error: problem });
    }
  }

  /** One line for a page about a study that cannot be read, without the database's location. */
  problem(name: string, error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return withoutLocation(
      message.startsWith(`study "${name}"`) ? message : `study "${name}" cannot be read: ${message}`,
      this.store.location,
    );
  }

  private start(): void {
    if (this.closed || this.timer !== null) return;
    const tick = (): void => {
      this.polling = this.poll()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          this.polling = null;
          if (this.timer !== null) this.timer = setTimeout(tick, this.pollMs);
        });
    };
    this.timer = setTimeout(tick, this.pollMs);
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) this.send(c, ': ping\n\n');
    }, HEARTBEAT_MS);
  }

  private stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.timer = null;
    this.heartbeat = null;
  }

  private async poll(): Promise<void> {
    if (this.clients.size === 0) return;
    const { lines, records, changed } = await this.refresh();
    const listingText = changed.length === 0 ? '' : eventText('studies', lines); // once for every page, however many
    const watched = new Set<string>();
    for (const c of this.clients) if (c.study !== null) watched.add(c.study);
    for (const name of this.watches.keys()) if (!watched.has(name)) this.watches.delete(name);
    const studyTexts = new Map<string, string>();
    const started = performance.now();
    const checkContent = started >= this.nextContentCheck;
    for (const name of watched) {
      const record = records.get(name);
      if (record) studyTexts.set(name, await this.changedViewText(record, checkContent));
      else if (changed.includes(name)) studyTexts.set(name, eventText('gone', { gone: name }));
    }
    // The round's cost includes any view it rebuilt: a server busy fitting also rereads less often.
    if (checkContent)
      this.nextContentCheck = started + Math.max(this.pollMs, CHECK_COST_FACTOR * (performance.now() - started));
    for (const c of this.clients) {
      const text = listingText + ((c.study !== null && studyTexts.get(c.study)) || '');
      if (text !== '') this.send(c, text);
    }
  }

  /** Ends every stream and stops polling. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    await this.polling;
    for (const c of this.clients) {
      if (c.stall !== null) clearTimeout(c.stall);
      c.res.end();
    }
    this.clients.clear();
  }
}

/** One Server-Sent Event; JSON has no raw newlines, so the data is one `data:` line. */
function eventText(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
