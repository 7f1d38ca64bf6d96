// `xorlab delete <study> --yes`: removes a study and all its trials from the database. Without --yes it says what
// would be deleted and deletes nothing.
import { noStudyMessage } from '../../study/definition/types.js';
import type { Command } from 'commander';
import { addDbOption, dbLabel, openStoreFromOptions, withStore } from '../db-option.js';
import { UsageError } from '../errors.js';
import { QUOTE_MAX, printable } from '../../text/quote.js';

interface DeleteOptions {
  db?: string;
  yes?: boolean;
}

export function registerDelete(program: Command): void {
  const command = program
    .command('delete')
    .argument('<study>', "the study's name (see xorlab studies)")
    .description('delete a study and every trial of it from the database (asks for --yes: it cannot be undone)');
  addDbOption(command)
    .option('--yes', 'really delete it')
    .addHelpText('after', '\nExample:\n  xorlab delete article-quick --yes')
    .action((study: string, options: DeleteOptions) => runDelete(study, options));
}

async function runDelete(name: string, options: DeleteOptions): Promise<void> {
  const where = dbLabel(options);
  // Read first: a wrong name or path creates nothing and changes nothing.
  const record = await withStore(options, async (store) => {
    const found = await store.getStudy(name);
    if (!found) {
      const names = (await store.listStudies()).map((s) => s.name);
      throw new UsageError(noStudyMessage(name, where, names));
    }
    return found;
  });
  const what = `study ${printable(name, QUOTE_MAX)} (${record.trialCount.toLocaleString('en-US')} trials at ${record.pointCount.toLocaleString('en-US')} points)`;
  if (!options.yes) throw new UsageError(`deleting ${what} from ${where} cannot be undone; add --yes to delete it`);
  const store = await openStoreFromOptions(options);
  try {
    const trials = await store.deleteStudy(name);
    process.stdout.write(
      `deleted study ${printable(name, QUOTE_MAX)} and its ${trials.toLocaleString('en-US')} trials from ${where}\n`,
    );
  } finally {
    await store.close();
  }
}
