// `xorlab recheck <study>`: recomputes, in f64, the trials a study stored before f32 overflow was trained again in
// f64 holds as diverged (fast engine, f32), in place, one transaction per chunk; every other trial stays as it is.
// The work is the study layer's (study/run/recheck.ts); this parses, loads and prints.
import { noStudyMessage } from '../../study/definition/types.js';
import type { Command } from 'commander';
import { RECHECK_CHUNK, recheckStudy } from '../../study/run/recheck.js';
import { checkPinnedDatasets } from '../../study/run/pins.js';
import { staleDivergedTrials } from '../../study/analysis/stale.js';
import { addDbOption, dbLabel, openStoreFromOptions, withStore } from '../db-option.js';
import { EXIT_INTERRUPTED, UsageError, type Outcome } from '../errors.js';
import { commandLine, studyDatasets, toStudy } from '../run.js';

interface RecheckOptions {
  db?: string;
}

export function registerRecheck(program: Command, end: (outcome: Outcome) => void): void {
  const command = program
    .command('recheck')
    .argument('<study>', "the study's name (see xorlab studies)")
    .description(
      'recompute in f64 the trials a study stored as diverged by the fast engine in f32 (written by an xorlab before f32 overflow was retrained in f64), in place',
    );
  addDbOption(command)
    .addHelpText(
      'after',
      `
Before this version the fast engine in f32 stored a trial whose numbers overflowed f32's range as diverged, with
no loss, and every mean left it out. With an unbounded activation (relu, leaky-relu, elu) and a large initial std
most such trials are not divergences: f64 carries them. xorlab summary and the dashboard say when a study holds
them. recheck trains exactly those trials again with the fast engine in f64, from their stored seeds, with the
study's stored definition and its pinned datasets, and replaces them in place: ${RECHECK_CHUNK} trials per
transaction, each block's aggregates recomputed. Every other trial, and every other study, stays as it is. A
trial that diverges in f64 too stays diverged (now stored as f64). Ctrl-C keeps the chunks done; run it again to
do the rest. A study with nothing to recheck is not touched.

Examples:
  xorlab recheck relu-stds
  xorlab recheck article --db postgres://lab@db.example.org/xorlab`,
    )
    .action(async (study: string, options: RecheckOptions) => end(await runRecheck(study, options)));
}

async function runRecheck(name: string, options: RecheckOptions): Promise<Outcome> {
  // Read first, on a read-only connection: a wrong name or path creates nothing; a study with nothing to recheck
  // is not opened for writing.
  const { datasets, stale } = await withStore(options, async (reader) => {
    const record = await reader.getStudy(name);
    if (!record) {
      const names = (await reader.listStudies()).map((s) => s.name);
      throw new UsageError(noStudyMessage(name, dbLabel(options), names));
    }
    const study = toStudy(record.definition, `the stored definition of "${name}"`);
    const loaded = studyDatasets(study); // a missing dataset file is bad input
    checkPinnedDatasets(study, loaded); // and so is one edited since the study was stored
    return { datasets: loaded, stale: (await staleDivergedTrials(reader, name, await reader.summarize(name))).length };
  });
  if (stale === 0) {
    process.stdout.write(`study ${name}: no trial stored as diverged by the fast engine in f32; nothing to recheck\n`);
    return;
  }
  const store = await openStoreFromOptions(options);
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) return;
    process.stderr.write('\nxorlab: interrupted; finishing the chunk in progress...\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await recheckStudy(store, name, {
      datasets,
      signal: controller.signal,
      onChunk: (done, total) => {
        if (process.stderr.isTTY)
          process.stderr.write(
            `\rrecheck ${name}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} trials`,
          );
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const still = result.stillDiverged;
    process.stdout.write(
      `study ${name}: rechecked ${result.rechecked.toLocaleString('en-US')} of ${result.found.toLocaleString('en-US')} trials stored as diverged by the fast engine in f32, ` +
        `with the fast engine in f64: ${(result.rechecked - still).toLocaleString('en-US')} now have a loss, ${still.toLocaleString('en-US')} diverged in f64 too\n`,
    );
    if (result.interrupted) {
      const again = commandLine(['recheck', name, ...(options.db !== undefined ? ['--db', options.db] : [])]);
      process.stderr.write(
        `xorlab: stopped; the ${result.rechecked.toLocaleString('en-US')} trials rechecked are stored. Do the rest with:\n  ${again}\n`,
      );
      return EXIT_INTERRUPTED;
    }
    return;
  } finally {
    process.off('SIGINT', onSigint);
    await store.close();
  }
}
