// Opening the article's database: MongoDB. The URL, the checks that the database is xorlab's (./schema.ts), and
// the shared store (../core/store.ts) over ./driver.ts.
import { MongoClient } from 'mongodb';
import { redact, registerSecret } from '../../text/redact.js';
import { BlockStore } from '../core/store.js';
import { StoreError, type OpenStoreOptions, type Store } from '../types.js';
import { MongoDriver } from './driver.js';
import { mongoError } from './errors.js';
import { prepareDatabase, supportsTransactions } from './schema.js';

const MONGO_TIMEOUT_MS = 5000;
/** The database when the URL names none (the article's is experiment_db: mongodb://host/experiment_db). */
const MONGO_DEFAULT_DATABASE = 'xorlab';

/** The database name in a mongodb:// URL (the path), if any. */
function databaseOf(url: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/i.exec(url);
  const name = m?.[1] ? decodeURIComponent(m[1]) : undefined;
  return name || undefined;
}

function passwordOf(url: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/([^@/]*:)?(.*)@[^@]*$/i.exec(url.split(/[?#]/)[0] ?? url);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[2]);
  } catch {
    return m[2];
  }
}

/** Opens an xorlab store in a MongoDB database (the URL's path, else "xorlab"). For writing, the marker and the
 * unique indexes are created; for reading, nothing is written. Every problem is a StoreError with the password
 * masked; a server that cannot be reached is reported within MONGO_TIMEOUT_MS. */
export async function openMongoStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = redact(url);
  registerSecret(passwordOf(url));
  const readonly = options.readonly ?? false;
  let client: MongoClient;
  try {
    client = new MongoClient(url, {
      serverSelectionTimeoutMS: MONGO_TIMEOUT_MS,
      connectTimeoutMS: MONGO_TIMEOUT_MS,
      appName: 'xorlab',
    });
  } catch (error) {
    // The constructor only parses the URL: whatever it throws (MongoParseError, or MongoRuntimeError for a bad port)
    // is about the URL.
    throw new StoreError(
      `not a valid MongoDB URL: ${location} (${redact(String((error as Error).message ?? error).split('\n')[0])})`,
    );
  }
  try {
    await client.connect();
    const db = client.db(databaseOf(url) ?? MONGO_DEFAULT_DATABASE);
    await prepareDatabase(db, location, readonly);
    return new BlockStore(new MongoDriver(client, db, location, await supportsTransactions(db)), readonly);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw mongoError(error, location);
  }
}
