// How --help shows flags' defaults, for every command the program holds.
import type { Command } from 'commander';

/**
 * Commander hands every flag's value over as the string typed, so a numeric default is declared as a string too
 * ('0'), and its help quotes every string default: `(default: "0")`. A default that is a number is shown as one,
 * `(default: 0)`, in `command` and all its subcommands; a word keeps its quotes (`(default: "csv")`).
 */
export function showNumberDefaultsBare(command: Command): void {
  for (const option of command.options) {
    const value: unknown = option.defaultValue;
    const isNumber = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
    if (isNumber && option.defaultValueDescription === undefined) option.defaultValueDescription = value;
  }
  for (const subcommand of command.commands) showNumberDefaultsBare(subcommand);
}
