// Who may still add work to the chunk queue: a coordinator of a distributed study keeps a heartbeat row in
// `xorlab.coordinators` from the moment it holds its study until it returns, and a worker with --until-empty reads
// those rows beside the queue's job states to know whether waiting can still bring it work.
//
// A row is a live coordinator while it was beaten recently (STALE_SECONDS, by the server's clock) and the session
// that beats it is still connected (pg_stat_activity: a killed coordinator's connection closes with it, so it is
// seen gone at once, not after the staleness). A coordinator that returns deletes its row; a killed one leaves it,
// and the next coordinator of the study takes it over.
import { hostname } from 'node:os';
import type pg from 'pg';
import { PG_SCHEMA, SCHEMA_LOCK_KEY } from '../store/postgres/schema.js';

const COORDINATORS_TABLE = `${PG_SCHEMA}.coordinators`;
/** How often a coordinator beats (ms), and after how long without a beat it counts as gone (s). */
export const BEAT_MS = 1000;
const STALE_SECONDS = 15;

type Executor = Pick<pg.ClientBase, 'query'>;

/** Creates the heartbeat table where it is missing (a database made before it), under the store's schema lock:
 * two processes creating it at once would meet on pg_type. */
export async function prepareCoordinators(pool: pg.Pool): Promise<void> {
  const exists = async (db: Executor): Promise<boolean> =>
    (await db.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [COORDINATORS_TABLE])).rows[0].t !== null;
  if (await exists(pool)) return;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [SCHEMA_LOCK_KEY]);
    if (!(await exists(client))) {
      await client.query(
        `CREATE TABLE ${COORDINATORS_TABLE} (study text PRIMARY KEY, host text NOT NULL, process_id integer NOT NULL, ` +
          `backend_pid integer NOT NULL, started_at timestamptz NOT NULL, beat_at timestamptz NOT NULL)`,
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The coordinator of `study` is alive: on the session that holds the study's lock (its pid is what is checked). */
export async function beat(client: Executor, study: string, fresh: boolean): Promise<void> {
  await client.query(
    `INSERT INTO ${COORDINATORS_TABLE} (study, host, process_id, backend_pid, started_at, beat_at) VALUES ($1, $2, $3, pg_backend_pid(), now(), now())
       ON CONFLICT (study) DO UPDATE SET host = excluded.host, process_id = excluded.process_id, backend_pid = excluded.backend_pid, beat_at = now()` +
      (fresh ? ', started_at = now()' : ''),
    [study, hostname(), process.pid],
  );
}

/** The coordinator of `study` in this process returns: it will add no more work. (Only its own row: another
 * process's coordinator may have taken the study over, e.g. between a goal's rounds.) */
export async function endBeat(client: Executor, study: string): Promise<void> {
  await client.query(`DELETE FROM ${COORDINATORS_TABLE} WHERE study = $1 AND host = $2 AND process_id = $3`, [
    study,
    hostname(),
    process.pid,
  ]);
}

export interface CoordinatorRow {
  study: string;
  /** Seconds since its last beat. */
  silentSeconds: number;
  alive: boolean;
}

/** Every coordinator row, alive or gone. */
export async function coordinatorRows(db: Executor): Promise<CoordinatorRow[]> {
  const { rows } = await db.query<{ study: string; silent: number; connected: boolean }>(
    `SELECT c.study, extract(epoch FROM now() - c.beat_at)::float8 AS silent,
            EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = c.backend_pid) AS connected
       FROM ${COORDINATORS_TABLE} c ORDER BY c.study`,
  );
  return rows.map((r) => ({ study: r.study, silentSeconds: r.silent, alive: r.connected && r.silent < STALE_SECONDS }));
}
