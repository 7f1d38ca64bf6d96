// The CLI with a mongodb:// URL where no MongoDB server runs (none can be installed on these machines; the
// store's tests with a server run against MONGODB_URL): one line, exit 2, within seconds, no password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, usageErrorLine } from '../helpers/cli.js';

test('an unreachable or malformed mongodb:// --db is one line, exit 2, within seconds, without the password', () => {
  for (const [url, expected] of [
    ['mongodb://article:sekrit@127.0.0.1:1/experiment_db', /cannot reach MongoDB at mongodb:\/\/article:\*\*\*@127\.0\.0\.1:1\/experiment_db/],
    ['mongodb://article:sekrit@127.0.0.1:notaport/experiment_db', /not a valid MongoDB URL: mongodb:\/\/article:\*\*\*@/],
  ] as const) {
    const started = Date.now();
    const r = runCli(['summary', 'article', '--db', url]);
    assert.match(usageErrorLine(r), expected);
    assert.ok(!(r.stdout + r.stderr).includes('sekrit'));
    assert.ok(Date.now() - started < 8000, `${Date.now() - started} ms`);
  }
  const help = runCli(['export', '--help'], { env: { ...process.env, XORLAB_DB: 'mongodb://article:sekrit@db.example/experiment_db' } });
  assert.match(help.stdout.replace(/\s+/g, ' '), /default: \$XORLAB_DB = mongodb:\/\/article:\*\*\*@db\.example\/experiment_db/);
  assert.ok(!help.stdout.includes('sekrit'));
});
