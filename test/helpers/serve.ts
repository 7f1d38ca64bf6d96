// `xorlab serve` in a child process (the real CLI from the build output), on a free port; always stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './cli.js';

export interface Served {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the server printed on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `xorlab serve --port 0 ...args` and resolves when it prints its address (rejects if it exits first). */
export function startServe(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`xorlab serve did not start in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const match = /(http:\/\/\S+\/)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], child, stderr: () => stderr, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`xorlab serve exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}
