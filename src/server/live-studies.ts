// Live studies: what changed while a sweep (in another process) writes, pushed to the pages as Server-Sent Events.
// The store has no change notification (SQLite in another process, PostgreSQL over the network), so the server
// polls listStudies() — per study a count over its aggregate blocks, never a scan of the trials — and only while
// a page listens. A study whose trial count moved gets its view (summary and charts, O(points)) recomputed once and
// sent to the pages that watch it.
//
// Memory stays flat whatever the pages do: a page that stops reading (its socket's buffer over BUFFER_BOUND) gets
// nothing more until the buffer drains, then the current state (never the backlog); one that does not drain for
// STALL_MS is closed (a real page reconnects by itself). At most `maxStreams` streams are open at once.
import type { ServerResponse } from 'node:http';
import type { Store, StudyRecord } from '../store/types.js';
import { HttpError, securityHeaders, withoutLocation } from './http.js';
import { divergedTotal, listing, studyView, type StudyListing, type StudyView } from '../study/views/view.js';

/** How often the store is polled while a page listens (ms). */
export const DEFAULT_POLL_MS = 500;
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

interface LiveOptions {
  pollMs?: number;
  onError?: (error: unknown) => void;
  maxStreams?: number;
  stallMs?: number;
}

export class LiveStudies {
  private readonly known = new Map<string, Known>();
  private readonly clients = new Set<Client>();
  /** The last view built per study, with the counts it was built from: trials are only ever added, so the same
   * counts mean the same trials, and a page that opens reuses it instead of summarising again. */
  private readonly views = new Map<string, { key: string; view: StudyView }>();
  /** The last listing sent, for a page that catches up after its buffer drained. */
  private lastListing: StudyListing[] | null = null;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;
  /** Whether the first listing was read: studies that appear after it are changes. */
  private primed = false;
  private readonly pollMs: number;
  private readonly onError: (error: unknown) => void;
  readonly maxStreams: number;
  private readonly stallMs: number;

  constructor(
    private readonly store: Store,
    options: LiveOptions = {},
  ) {
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
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
      }
    }
    for (const name of [...this.known.keys()]) {
      if (!seen.has(name)) {
        this.known.delete(name);
        this.views.delete(name);
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

  /** The study's view (line, summary, charts), built once per state of its trials. */
  async view(record: StudyRecord): Promise<StudyView> {
    // The diverged total is in the key: `xorlab recheck` rewrites trials in place, leaving their count as it was.
    const points = await this.store.summarize(record.name);
    const key = `${record.createdAt}|${record.trialCount}|${record.pointCount}|${divergedTotal(points)}`;
    const cached = this.views.get(record.name);
    if (cached?.key === key)
      return { ...cached.view, study: { ...cached.view.study, updatedAt: this.updatedAt(record.name) } };
    const view = await studyView(this.store, record, this.updatedAt(record.name), points);
    this.views.set(record.name, { key, view });
    return view;
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
    const view =
      cached && client.study !== null
        ? eventText('study', {
            ...cached.view,
            study: { ...cached.view.study, updatedAt: this.updatedAt(client.study) },
          })
        : '';
    this.send(client, (this.lastListing ? eventText('studies', this.lastListing) : '') + view);
  }

  /** The study's view as an event, or its problem when it cannot be read (one damaged study never ends the stream). */
  private async viewText(record: StudyRecord): Promise<string> {
    try {
      return eventText('study', await this.view(record));
    } catch (error) {
      return eventText('problem', { error: this.problem(record.name, error) });
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
    if (changed.length === 0) return;
    const listingText = eventText('studies', lines); // once for every page, however many
    const studyTexts = new Map<string, string>();
    for (const name of changed) {
      if (![...this.clients].some((c) => c.study === name)) continue;
      const record = records.get(name);
      studyTexts.set(name, record ? await this.viewText(record) : eventText('gone', { gone: name }));
    }
    for (const c of this.clients) this.send(c, listingText + ((c.study !== null && studyTexts.get(c.study)) || ''));
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
