// Writing to standard output and files, for every command: a reader that went away (`xorlab summary s | head -1`)
// ends the program quietly, a full disk or another write failure is one line (exit 2), never a stack trace.
import { EXIT_USAGE } from './errors.js';

/** Why a write failed, in a few words. */
export function writeFailureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC') return 'no space left on device';
  if (code === 'EDQUOT') return 'disk quota exceeded';
  if (code === 'EIO') return 'input/output error';
  if (code === 'EFBIG') return 'file too large';
  return ((error as Error | null)?.message ?? String(error)).replace(/^[A-Z]+: /, '');
}

/** Whether a write failed because the reader closed its end (a pipe into `head`): not an error of ours. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/**
 * What to do when writing `where` failed: a broken pipe ends the program quietly with 0 (the reader has what it
 * wanted); anything else prints one line and exits with 2.
 */
export function exitOnWriteFailure(error: unknown, where: string): never {
  if (isBrokenPipe(error)) process.exit(0);
  try {
    process.stderr.write(`xorlab: cannot write ${where} (${writeFailureReason(error)})\n`);
  } catch {
    // stderr is gone too: the exit code is all that is left to say it.
  }
  process.exit(EXIT_USAGE);
}

let installed = false;

/**
 * Makes every write to stdout and stderr fail like exitOnWriteFailure says, wherever it is made. Node reports a
 * failed write to these streams as an 'error' event (an uncaught exception with a stack trace when nobody listens).
 */
export function guardStandardStreams(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (error) => exitOnWriteFailure(error, 'standard output'));
  process.stderr.on('error', (error) => {
    // Nowhere to say anything: a closed stderr is quiet, any other failure is exit 2.
    process.exit(isBrokenPipe(error) ? 0 : EXIT_USAGE);
  });
}
