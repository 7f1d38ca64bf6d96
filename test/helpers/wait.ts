// Waiting on a condition instead of for a fixed while: checked at once, then every few milliseconds, failing with
// what was awaited when the deadline passes (a loaded machine is slow, never wrong).

/** Resolves when `condition` holds; rejects naming `what` (a function: what it says at the deadline) after
 * `timeoutMs`. */
export async function until(
  condition: () => boolean,
  what: string | (() => string),
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
