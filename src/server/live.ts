// Live studies: what changed while a sweep (in another process) writes, pushed to the pages as Server-Sent Events.
// The store has no change notification (SQLite in another process, PostgreSQL over the network), so the server
// polls listStudies() — per study a count over its aggregate blocks, never a scan of the trials — and only while
// a page listens. A study whose trial count moved gets its view (summary and charts, O(points)) recomputed once and
// sent to the pages that watch it.
import type { ServerResponse } from 'node:http';
import type { Store, StudyRecord } from '../store/types.js';
import { securityHeaders } from './http.js';
import { divergedTotal, listing, studyView, type StudyListing, type StudyView } from '../study/view.js';

/** How often the store is polled while a page listens (ms). */
export const DEFAULT_POLL_MS = 500;
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
}

export class LiveStudies {
  private readonly known = new Map<string, Known>();
  private readonly clients = new Set<Client>();
  /** The last view built per study, with the counts it was built from: trials are only ever added, so the same
   * counts mean the same trials, and a page that opens reuses it instead of summarising again. */
  private readonly views = new Map<string, { key: string; view: StudyView }>();
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;
  /** Whether the first listing was read: studies that appear after it are changes. */
  private primed = false;

  constructor(
    private readonly store: Store,
    private readonly pollMs = DEFAULT_POLL_MS,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

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
    return {
      lines: records.map((r) => listing(r, this.known.get(r.name)?.updatedAt ?? null)),
      records: new Map(records.map((r) => [r.name, r])),
      changed,
    };
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
    if (cached?.key === key) return { ...cached.view, study: { ...cached.view.study, updatedAt: this.updatedAt(record.name) } };
    const view = await studyView(this.store, record, this.updatedAt(record.name), points);
    this.views.set(record.name, { key, view });
    return view;
  }

  /** Turns `res` into an event stream: `studies` (the listing) now and on every change, and `study` (the view of
   * `study`) now and whenever its trials change. */
  async subscribe(res: ServerResponse, study: string | null): Promise<void> {
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const client: Client = { res, study };
    this.clients.add(client);
    res.on('close', () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stop();
    });
    const { lines, records } = await this.refresh();
    send(res, 'studies', lines);
    const record = study === null ? undefined : records.get(study);
    if (record) send(res, 'study', await this.view(record));
    this.start();
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
      for (const c of this.clients) c.res.write(': ping\n\n');
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
    for (const c of this.clients) send(c.res, 'studies', lines);
    for (const name of changed) {
      const watchers = [...this.clients].filter((c) => c.study === name);
      if (watchers.length === 0) continue;
      const record = records.get(name);
      const event = record ? await this.view(record) : { gone: name };
      for (const c of watchers) send(c.res, record ? 'study' : 'gone', event);
    }
  }

  /** Ends every stream and stops polling. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    await this.polling;
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  // JSON has no raw newlines, so the data is one `data:` line.
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
