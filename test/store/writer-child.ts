// Child process for the SIGKILL test: inserts batches of 1,000 trials until it is killed, printing each commit.
import { openSqliteStore } from '../../src/store/index.js';
import { trial } from './fixtures.js';

const store = openSqliteStore(process.argv[2]);
await store.ensureStudy('killed', { killed: true });
for (let batch = 0; batch < 100_000; batch++) {
  const rows = Array.from({ length: 1000 }, (_, i) =>
    trial('killed', batch % 10, Math.floor(batch / 10) * 1000 + i, 100 + ((batch * 7 + i) % 13)),
  );
  await store.insertTrials(rows);
  process.stdout.write(`committed ${batch}\n`);
}
