// A Server-Sent Events stream of `xorlab serve` read over a real socket, for the server's tests: its events are
// parsed as they come, its reading can be paused and resumed, and a test waits on a condition over what it read.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface Event {
  event: string;
  data: any;
  /** When it was read (performance.now()). */
  at: number;
}

/** An event stream read over HTTP, whose reading can be paused and resumed; its events are parsed as they come. */
export class Stream {
  readonly events: Event[] = [];
  response!: IncomingMessage;
  private req!: ClientRequest;
  private buffer = '';
  private waiters: (() => void)[] = [];
  readonly opened: Promise<IncomingMessage>;

  constructor(port: number, query: string) {
    this.opened = new Promise((resolve, reject) => {
      this.req = request({ host: '127.0.0.1', port, path: `/api/events${query}`, agent: false }, (res) => {
        this.response = res;
        res.setEncoding('utf8').on('data', (d: string) => this.take(d));
        resolve(res);
      });
      this.req.on('error', (error) => {
        if (!this.req.destroyed) reject(error);
      });
      this.req.end();
    });
  }

  private take(text: string): void {
    this.buffer += text;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === undefined || data === undefined) continue;
      // A listing keeps only each study's trials (and its name's first 10 characters): the test process must not hold
      // 1 MiB per event it read.
      const parsed = JSON.parse(data) as unknown;
      this.events.push({
        event,
        data:
          event === 'studies'
            ? (parsed as { name: string; trials: number }[]).map((s) => ({
                name: s.name.slice(0, 10),
                trials: s.trials,
              }))
            : parsed,
        at: performance.now(),
      });
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves when `done` holds for the events read so far (checked on each arrival). */
  async until(done: (events: Event[]) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.events)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${this.events.length} events`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  close(): void {
    this.req.destroy();
  }
}
