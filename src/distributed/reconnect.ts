// Riding out a database that goes away for a while (a restart, a network blip): a long-running worker or
// coordinator retries what failed with StoreUnavailableError, says so once, says when it is back, and gives up
// (rethrowing) when the server stays unreachable for `limitMs`.
import { isRetryableTransaction } from '../store/postgres/errors.js';
import { StoreUnavailableError } from '../store/types.js';

const RECONNECT_LIMIT_MS = 5 * 60_000;
const BACKOFF_MS = [250, 500, 1000, 2000];

function isUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}

/** Sleeps `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

export class Reconnector {
  private since: number | null = null;
  private attempts = 0;

  constructor(
    private readonly location: string,
    private readonly log: (line: string) => void,
    private readonly limitMs = RECONNECT_LIMIT_MS,
  ) {}

  get down(): boolean {
    return this.since !== null;
  }

  /** After a StoreUnavailableError: waits a little before the caller tries again, or rethrows when the server has
   * been unreachable for too long. Any other error is rethrown at once. */
  async failed(error: unknown, signal?: AbortSignal): Promise<void> {
    if (!isUnavailable(error)) throw error;
    // A transaction rolled back as a deadlock victim: the server is there, the request simply runs again.
    if (isRetryableTransaction(error)) return sleep(BACKOFF_MS[0] * (1 + Math.random()), signal);
    const now = Date.now();
    if (this.since === null) {
      this.since = now;
      this.attempts = 0;
      this.log(
        `lost the connection to PostgreSQL at ${this.location}; retrying for up to ${Math.round(this.limitMs / 60_000)} minutes`,
      );
    } else if (now - this.since > this.limitMs) {
      throw new StoreUnavailableError(
        `${error.message} (unreachable for ${Math.round((now - this.since) / 1000)} s; gave up)`,
      );
    }
    await sleep(BACKOFF_MS[Math.min(this.attempts++, BACKOFF_MS.length - 1)], signal);
  }

  /** After a request succeeded. */
  succeeded(): void {
    if (this.since === null) return;
    this.log(`reconnected to PostgreSQL at ${this.location} after ${((Date.now() - this.since) / 1000).toFixed(1)} s`);
    this.since = null;
  }
}
