// Starts a PostgreSQL server with the test harness, prints its pid and directory, and waits to be killed (the
// harness test SIGKILLs this process to leave an orphaned postmaster behind).
import { startPostgres } from '../helpers/postgres.js';

const server = await startPostgres();
process.stdout.write(`${JSON.stringify({ pid: server.pid, dir: server.dir, url: server.url() })}\n`);
setInterval(() => undefined, 60_000);
