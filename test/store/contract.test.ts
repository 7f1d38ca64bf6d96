// The store contract (./contract.ts) against every store: SQLite (a real file), PostgreSQL (a real server started
// here, a fresh database per test), and MongoDB when MONGODB_URL names a server (none can be installed on these
// machines; without it the MongoDB part is skipped and says so).
import { after, test } from 'node:test';
import { join } from 'node:path';
import { openSqliteStore, openStore, type Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';
import { startPostgres } from '../helpers/postgres.js';
import { dropMongoDatabases, freshMongoUrl, MONGODB_SKIP_REASON } from '../helpers/mongo.js';
import { storeContract } from './contract.js';

storeContract('sqlite', {
  fresh: async () => openSqliteStore(join(tempDir(), 'contract.db')),
  reopenReadonly: async (store) => openSqliteStore(store.location, { readonly: true }),
});

const server = await startPostgres();
after(() => server.close());
const urls = new Map<Store, string>();
storeContract('postgres', {
  fresh: async () => {
    const url = await server.createDatabase();
    const store = await openStore(url);
    urls.set(store, url);
    return store;
  },
  reopenReadonly: async (store) => openStore(urls.get(store)!, { readonly: true }),
});

if (MONGODB_SKIP_REASON === null) {
  after(() => dropMongoDatabases());
  storeContract('mongodb', {
    fresh: async () => {
      const url = freshMongoUrl();
      const store = await openStore(url);
      urls.set(store, url);
      return store;
    },
    reopenReadonly: async (store) => openStore(urls.get(store)!, { readonly: true }),
  });
} else {
  test('mongodb: the store contract', { skip: MONGODB_SKIP_REASON }, () => undefined);
}
