// What --help says about defaults, in every command and subcommand (each commands/*.ts registered as cli/main.ts
// does): a number's default is printed as the number, `(default: 0)`, never as a quoted string `(default: "0")`
// (commander quotes string defaults, and flags' numeric defaults are declared as strings). In process: the help
// text is the program's; test/cli/explain.test.ts reads `xorlab explain --help` from the built CLI.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { showNumberDefaultsBare } from '../../src/cli/help.js';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'commands');

/** A program holding every command of src/cli/commands/, each added by its register* function. */
async function everyCommand(): Promise<Command> {
  const program = new Command('xorlab');
  for (const file of readdirSync(commandsDir).filter((name) => name.endsWith('.ts'))) {
    const module = (await import(join(commandsDir, file))) as Record<string, unknown>;
    for (const [name, register] of Object.entries(module))
      if (name.startsWith('register') && typeof register === 'function') register(program, () => {});
  }
  return program;
}

/** `path --help` of every command under `command`, whitespace collapsed (the help wraps at the terminal width). */
function helps(command: Command, path = 'xorlab'): Map<string, string> {
  const out = new Map([[path, command.helpInformation().replace(/\s+/g, ' ')]]);
  for (const sub of command.commands) for (const entry of helps(sub, `${path} ${sub.name()}`)) out.set(...entry);
  return out;
}

test('--help prints numeric defaults unquoted in every command, words still quoted', async () => {
  const program = await everyCommand();
  showNumberDefaultsBare(program);
  const all = helps(program);
  assert.ok(all.size > 15, `only ${all.size} commands`);
  for (const [path, text] of all) {
    const quoted = text.match(/\(default: "-?\d+(\.\d+)?(e[-+]?\d+)?"\)/g);
    assert.equal(quoted, null, `${path} --help quotes a numeric default: ${quoted?.join(', ')}`);
  }
  /** The default that `path --help` gives for `flag`, as printed (the first one after the flag is its own). */
  const defaultOf = (path: string, flag: string): string => {
    const text = all.get(path) ?? assert.fail(`no command ${path}`);
    return new RegExp(`${flag} [^]*?\\(default: (.*?)\\)`).exec(text)?.[1] ?? assert.fail(`${path}: no ${flag}`);
  };
  assert.equal(defaultOf('xorlab explain', '--epoch <n>'), '0');
  assert.equal(defaultOf('xorlab train', '--log-every <epochs>'), '500');
  assert.equal(defaultOf('xorlab summary', '--level <p>'), '0.95');
  assert.equal(defaultOf('xorlab serve', '--port <n>'), '5173');
  assert.equal(defaultOf('xorlab export', '--format <format>'), '"csv"');
  assert.equal(defaultOf('xorlab serve', '--host <address>'), '"127.0.0.1"');
});
