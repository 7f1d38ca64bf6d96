// MongoDB in the tests: no server can be installed on these machines, so the MongoDB tests run only against a
// server named by MONGODB_URL (e.g. mongodb://localhost:27017), each test in a database of its own, dropped at the
// end of the run by dropMongoDatabases(). Without it they are skipped with MONGODB_SKIP_REASON, printed plainly.

export const MONGODB_URL = process.env.MONGODB_URL?.trim() || undefined;

export const MONGODB_SKIP_REASON: string | null = MONGODB_URL
  ? null
  : 'skipped: MONGODB_URL is not set (no MongoDB server can be installed here; set MONGODB_URL=mongodb://host:port to run these tests)';

let counter = 0;
const made: string[] = [];

/** MONGODB_URL with a fresh database name (xorlab_test_<pid>_<n>) as its path. */
export function freshMongoUrl(): string {
  if (!MONGODB_URL) throw new Error(MONGODB_SKIP_REASON!);
  const url = new URL(MONGODB_URL);
  const name = `xorlab_test_${process.pid}_${++counter}`;
  url.pathname = `/${name}`;
  made.push(url.toString());
  return url.toString();
}

/** Drops every database freshMongoUrl() named. */
export async function dropMongoDatabases(): Promise<void> {
  if (!MONGODB_URL || made.length === 0) return;
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(MONGODB_URL, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    for (const url of made.splice(0)) await client.db(new URL(url).pathname.slice(1)).dropDatabase();
  } finally {
    await client.close();
  }
}
