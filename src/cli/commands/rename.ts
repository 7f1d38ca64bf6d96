// `xorlab rename <study> <new-name>`: gives a study another name; its trials stay as they are.
import { noStudyMessage } from '../../study/definition/types.js';
import type { Command } from 'commander';
import { renameStoredStudy } from '../../study/run/stored.js';
import { addDbOption, dbLabel, openStoreFromOptions, withStore } from '../db-option.js';
import { UsageError } from '../errors.js';
import { QUOTE_MAX, printable } from '../../text/quote.js';

interface RenameOptions {
  db?: string;
}

export function registerRename(program: Command): void {
  const command = program
    .command('rename')
    .argument('<study>', "the study's name (see xorlab studies)")
    .argument('<new-name>', 'its new name (letters, digits, ".", "_", "-")')
    .description(
      'give a study another name (its trials and definition stay; resume it as `xorlab sweep --name <new-name>`)',
    );
  addDbOption(command)
    .addHelpText('after', '\nExample:\n  xorlab rename article-quick my-first-reproduction')
    .action((study: string, newName: string, options: RenameOptions) => runRename(study, newName, options));
}

async function runRename(name: string, newName: string, options: RenameOptions): Promise<void> {
  const where = dbLabel(options);
  // Read first: a wrong name or path creates nothing.
  await withStore(options, async (store) => {
    if (await store.getStudy(name)) return;
    const names = (await store.listStudies()).map((s) => s.name);
    throw new UsageError(noStudyMessage(name, where, names));
  });
  const store = await openStoreFromOptions(options);
  try {
    await renameStoredStudy(store, name, newName);
  } finally {
    await store.close();
  }
  process.stdout.write(`renamed study ${printable(name, QUOTE_MAX)} to ${printable(newName, QUOTE_MAX)} in ${where}\n`);
}
