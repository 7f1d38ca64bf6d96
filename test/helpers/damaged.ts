// A database made elsewhere and damaged by hand, for the server's and the dashboard's tests: good studies (`good`
// and names that URLs find hard), `baddef` (its stored definition is not JSON), `badparams` (one point's params are
// not JSON).
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/index.js';
import { resolveStudy } from '../../src/study/definition/definition.js';
import { trial } from '../store/fixtures.js';

export const ODD_NAMES = ['.', '..', 'a/b', '100%', 'q?x', 'h#1', "it's"];

/** A database with good studies (`good` and the odd names), `baddef` and `badparams`, damaged by hand. */
export async function damagedDatabase(path: string): Promise<void> {
  const writer = openSqliteStore(path);
  for (const name of ['good', ...ODD_NAMES, 'baddef', 'badparams']) {
    await writer.ensureStudy(
      name,
      resolveStudy({ name: 'x', sweep: { hiddenStd: '0.5,1,2,4' }, repeats: 3, seed: 1, config: { epochs: 10 } })
        .definition,
    );
    await writer.insertTrials(
      [0, 1, 2, 3].flatMap((point) => [0, 1, 2].map((repeat) => trial(name, point, repeat, 5 + point + repeat / 10))),
    );
  }
  await writer.close();
  const raw = new Database(path);
  raw.prepare("UPDATE studies SET definition = '{not json' WHERE name = 'baddef'").run();
  raw
    .prepare(
      "UPDATE points SET params = 'nope' WHERE point = 2 AND study_id = (SELECT id FROM studies WHERE name = 'badparams')",
    )
    .run();
  raw.close();
}
