// Bad input ends the program with one clear line and exit code 2, never a stack trace.
import { XorlabError } from '../text/errors.js';
import { redact } from '../text/redact.js';

/** A problem with what the user gave us (a flag, a file, a database): reported as one line, exit code 2. A
 * XorlabError like every other error about input. */
export class UsageError extends XorlabError {}

export const EXIT_USAGE = 2;
/** Interrupted by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** Prints `xorlab: <message>` (any password in it as ***) and exits with `code`. */
export function exitWith(message: string, code: number): never {
  process.stderr.write(`xorlab: ${redact(message)}\n`);
  process.exit(code);
}
