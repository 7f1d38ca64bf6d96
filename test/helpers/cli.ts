// Runs the real CLI (bin/xorlab.js, from the build output) in a child process.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/xorlab.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: SpawnSyncOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, ...options });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The folders tempDir made in this process: removed when it exits (XORLAB_KEEP_TEMP=1 keeps them to look at). */
const made: string[] = [];
process.on('exit', () => {
  if (process.env.XORLAB_KEEP_TEMP === '1') return;
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A folder still in use (a read-only mount a test could not undo): left for the system's cleaning.
    }
  }
});

/** A new empty folder under the system's temp folder, removed when the test process exits. */
export function tempDir(prefix = 'xorlab-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Asserts the shape of a usage error: exit 2, exactly one `xorlab: ...` line on stderr, no stack trace. */
export function usageErrorLine(result: CliResult): string {
  const lines = result.stderr.trimEnd().split('\n');
  if (result.status !== 2) throw new Error(`expected exit 2, got ${result.status}; stderr: ${result.stderr}`);
  if (lines.length !== 1 || !lines[0].startsWith('xorlab: '))
    throw new Error(`expected one "xorlab: ..." line, got:\n${result.stderr}`);
  if (/\n\s+at /.test(result.stderr)) throw new Error('stack trace printed');
  return lines[0];
}

/** Every item of an async iterable (Array.fromAsync is Node 22). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Seconds the CLI takes to start and fail at once on a missing SQLite file: what a loaded machine adds to any
 * command, so that tests of "fails within seconds" time only the wait for a database. */
export function cliStartSeconds(): number {
  const started = Date.now();
  runCli(['studies', '--db', join(tmpdir(), 'xorlab-no-such-dir', 'none.db')]);
  return (Date.now() - started) / 1000;
}

/** The control characters in `text` that a terminal acts on (C0 but the line feed, DEL, C1), as code points. */
export function terminalControls(text: string, { newline = true } = {}): number[] {
  return [...text]
    .map((c) => c.codePointAt(0)!)
    .filter((c) => (c < 0x20 && !(newline && c === 0x0a)) || (c >= 0x7f && c <= 0x9f));
}
