// Writing to standard output and files, for every command: a reader that went away (`xorlab summary s | head -1`)
// ends the program quietly, a full disk or another write failure is one line (exit 2), never a stack trace; main ends the program.
import { ReaderGone, UsageError } from './errors.js';

/** Why a write failed, in a few words. */
function writeFailureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC') return 'no space left on device';
  if (code === 'EDQUOT') return 'disk quota exceeded';
  if (code === 'EIO') return 'input/output error';
  if (code === 'EFBIG') return 'file too large';
  return ((error as Error | null)?.message ?? String(error)).replace(/^[A-Z]+: /, '');
}

/** Whether a write failed because the reader closed its end (a pipe into `head`): not an error of ours. */
function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/**
 * What writing `where` failing means, as an error to throw: a broken pipe ends the program quietly with 0 (the
 * reader has what it wanted); anything else is one line and exit 2 (main says which).
 */
export function writeFailure(error: unknown, where: string): Error {
  if (isBrokenPipe(error)) return new ReaderGone(where);
  return new UsageError(`cannot write ${where} (${writeFailureReason(error)})`);
}

let installed = false;

/**
 * Makes every write to stdout and stderr fail like writeFailure says, wherever it is made: `end` (main's) prints
 * the line and exits. Node reports a failed write to these streams as an 'error' event (an uncaught exception with a
 * stack trace when nobody listens).
 */
export function guardStandardStreams(end: (error: Error) => void): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (error) => end(writeFailure(error, 'standard output')));
  process.stderr.on('error', (error) => {
    // Nowhere to say anything: a closed stderr is quiet, any other failure is exit 2 (its line goes nowhere).
    end(isBrokenPipe(error) ? new ReaderGone('standard error') : new UsageError('cannot write standard error'));
  });
}
