// How the command line ends: bad input is one clear line and exit code 2, never a stack trace; a bug is the stack
// and exit 1; Ctrl-C is 130. Commands throw or return; only main (./main.ts) ends the process.
import { XorlabError } from '../text/errors.js';
import { redact } from '../text/redact.js';
import { MESSAGE_MAX, printable } from '../text/quote.js';

/** A problem with what the user gave us (a flag, a file, a database): reported as one line, exit code 2. A
 * XorlabError like every other error about input. */
export class UsageError extends XorlabError {}

/** The reader of standard output went away (`xorlab summary s | head -1`): the program ends quietly with 0. */
export class ReaderGone extends Error {}

export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_USAGE = 2;
/** Interrupted by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** How a command ended without an error: an exit code ends the process at once with it (Ctrl-C's 130, its resume
 * hint printed by the command first; a server's 0 once it has closed); nothing lets it end by itself with 0. */
export type Outcome = number | void;

/**
 * Runs `read` and returns what it returns (a promise too); an error about input it throws or rejects with (any
 * XorlabError) comes back as a UsageError whose message starts with `flag: `, so that the line names the flag (or
 * the flag and its file) at fault; with no flag, its message as it is. Anything else goes through untouched.
 */
export function withFlag<T>(flag: string | undefined, read: () => T): T {
  const named = (error: unknown): never => {
    if (error instanceof XorlabError)
      throw new UsageError(flag === undefined ? error.message : `${flag}: ${error.message}`, { cause: error });
    throw error;
  };
  try {
    const result = read();
    return (result instanceof Promise ? result.catch(named) : result) as T;
  } catch (error) {
    return named(error);
  }
}

/** The one line for bad input: `xorlab: <message>`, any password in it as ***, one line whatever it quotes (a
 * control character that reached it unescaped is escaped here, the last line of defence). */
function usageLine(message: string): string {
  return `xorlab: ${printable(redact(message), MESSAGE_MAX)}\n`;
}

/**
 * What main prints for an error a command threw, and the exit code: any XorlabError (whatever room raised it) is one
 * line and 2; a reader that went away is silence and 0; anything else is a bug: the stack and 1. The stack may quote
 * a URL with its password, or text with control characters: each of its lines is redacted and made printable.
 */
export function reportError(error: unknown): { text: string; code: number } {
  if (error instanceof XorlabError) return { text: usageLine(error.message), code: EXIT_USAGE };
  if (error instanceof ReaderGone) return { text: '', code: EXIT_OK };
  const stack = redact(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return {
    text: `${stack
      .split('\n')
      .map((line) => printable(line))
      .join('\n')}\n`,
    code: EXIT_BUG,
  };
}
