// The reconnector that lets workers and coordinators ride out a server restart: what it says and when it gives up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryError } from '../../src/store/postgres/errors.js';
import { StoreError, StoreUnavailableError } from '../../src/store/types.js';
import { Reconnector } from '../../src/distributed/reconnect.js';

const WHERE = 'postgres://lab@db/x';
const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

test('a lost connection is said once, its end once; a server unreachable past the limit gives up', async (t) => {
  // The clock is the test's: the limit is passed by moving Date on, not by sleeping past it.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const lines: string[] = [];
  const link = new Reconnector(WHERE, (line) => lines.push(line), 300);
  const lost = queryError(pgError('57P01', 'terminating connection due to administrator command'), WHERE);
  assert.ok(lost instanceof StoreUnavailableError);
  await link.failed(lost);
  await link.failed(lost);
  assert.equal(link.down, true);
  assert.deepEqual(lines, [`lost the connection to PostgreSQL at ${WHERE}; retrying for up to 0 minutes`]);
  link.succeeded();
  link.succeeded();
  assert.equal(link.down, false);
  assert.equal(lines.length, 2);
  assert.match(lines[1], /^reconnected to PostgreSQL at postgres:\/\/lab@db\/x after \d+\.\d s$/);
  await link.failed(lost);
  t.mock.timers.tick(350);
  await assert.rejects(
    link.failed(lost),
    (error: Error) =>
      error instanceof StoreUnavailableError && /\(unreachable for \d+ s; gave up\)$/.test(error.message),
  );
});

test('a deadlock victim runs again without claiming the connection was lost; other errors go to the caller', async () => {
  const lines: string[] = [];
  const link = new Reconnector(WHERE, (line) => lines.push(line), 300);
  const victim = queryError(pgError('40P01', 'deadlock detected'), WHERE);
  assert.ok(victim instanceof StoreUnavailableError);
  assert.match(victim.message, /rolled back a transaction that met another \(deadlock detected\); it can be run again/);
  for (let i = 0; i < 3; i++) await link.failed(victim);
  assert.equal(link.down, false);
  assert.deepEqual(lines, []);
  const full = new StoreError(`${WHERE}: the server's disk is full`);
  await assert.rejects(link.failed(full), (error) => error === full);
  await assert.rejects(link.failed(new TypeError('a bug')), TypeError);
});
