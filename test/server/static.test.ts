// The server's static files and its security rules, over real HTTP: traversal and symlinks out of the bundle
// folder are 404, a foreign Host is refused (DNS rebinding), no CORS headers, a CSP on every answer, errors are
// one-line JSON.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { hostAllowed } from '../../src/server/http.js';
import { safeSegments } from '../../src/server/static.js';
import { tempDir } from '../helpers/cli.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw GET: the path is sent exactly as given (no normalisation of "..", unlike fetch). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, agent: false, headers: { Host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
let store: Store;
let server: RunningServer;

before(async () => {
  dir = tempDir('xorlab-static-');
  const web = join(dir, 'web');
  mkdirSync(join(web, 'sub'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(join(web, 'study.html'), '<!doctype html><title>study</title>');
  writeFileSync(join(web, 'playground.html'), '<!doctype html><title>play</title>');
  writeFileSync(join(web, 'app.js'), 'console.log(1)');
  writeFileSync(join(web, 'sub', 'deep.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'the secret');
  writeFileSync(join(dir, 'secret.js'), 'the secret');
  symlinkSync(join(dir, 'secret.txt'), join(web, 'link.txt'));
  symlinkSync(dir, join(web, 'up'));
  symlinkSync(join(web, 'app.js'), join(web, 'inside.js'));
  store = openSqliteStore(join(dir, 'x.db'));
  await store.close();
  store = openSqliteStore(join(dir, 'x.db'), { readonly: true });
  server = await startServer({ store, port: 0, webRoot: web });
});

after(async () => {
  await server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('pages and files of the bundle are served with their types and the security headers', async () => {
  const home = await rawGet(server.port, '/');
  assert.equal(home.status, 200);
  assert.match(home.body, /<title>home/);
  assert.equal(home.headers['content-type'], 'text/html; charset=utf-8');
  const csp = String(home.headers['content-security-policy']);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
  assert.equal(home.headers['x-content-type-options'], 'nosniff');
  assert.equal((await rawGet(server.port, '/studies/anything')).body, '<!doctype html><title>study</title>');
  assert.match((await rawGet(server.port, '/playground')).body, /play/);
  const js = await rawGet(server.port, '/app.js');
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await rawGet(server.port, '/sub/deep.css')).status, 200);
  assert.equal((await rawGet(server.port, '/inside.js')).status, 200, 'a symlink that stays inside the folder is fine');
  const head = await rawGet(server.port, '/app.js', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
});

test('nothing outside the bundle folder is served: "..", encoded "..", absolute paths, symlinks out', async () => {
  const attempts = [
    '/../secret.txt',
    '/sub/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/%2E%2E%2Fsecret.js',
    '/sub/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%2fetc%2fpasswd',
    '//etc/passwd',
    `/${encodeURIComponent(join(dir, 'secret.txt'))}`,
    '/link.txt',
    '/up/secret.txt',
    '/app.js%00.html',
    '/.hidden.js',
    '/%zz.js',
  ];
  for (const path of attempts) {
    const answer = await rawGet(server.port, path);
    assert.equal(answer.status, 404, `${path} gave ${answer.status}`);
    assert.doesNotMatch(answer.body, /the secret|root:/, path);
    assert.deepEqual(JSON.parse(answer.body), JSON.parse(answer.body.split('\n')[0]), 'one line of JSON');
    assert.ok(typeof JSON.parse(answer.body).error === 'string', path);
  }
});

test('DNS rebinding: a Host that is not this server is refused', async () => {
  for (const host of [
    'evil.example',
    `evil.example:${server.port}`,
    `127.0.0.1.nip.io:${server.port}`,
    `127.0.0.1:${server.port + 1}`,
    `localhost.evil.example:${server.port}`,
  ]) {
    const answer = await rawGet(server.port, '/', { Host: host });
    assert.equal(answer.status, 403, `Host ${JSON.stringify(host)} gave ${answer.status}`);
  }
  for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
    assert.equal((await rawGet(server.port, '/', { Host: host })).status, 200, host);
  }
  assert.equal(
    hostAllowed('192.168.1.5:8080', '0.0.0.0', 8080),
    true,
    'bound everywhere: an IP literal is no rebinding',
  );
  assert.equal(hostAllowed('evil.example:8080', '0.0.0.0', 8080), false);
  assert.equal(hostAllowed('myhost:8080', 'myhost', 8080), true);
});

test('no CORS headers, even when another origin asks; only GET and HEAD', async () => {
  const answer = await rawGet(server.port, '/', { Origin: 'http://evil.example' });
  assert.equal(answer.status, 200);
  for (const name of Object.keys(answer.headers)) assert.ok(!name.startsWith('access-control-'), name);
  const post = await rawGet(server.port, '/', {}, 'POST');
  assert.equal(post.status, 405);
  assert.match(JSON.parse(post.body).error, /GET, HEAD/);
  const options = await rawGet(
    server.port,
    '/',
    { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'GET' },
    'OPTIONS',
  );
  assert.equal(options.status, 405);
  for (const name of Object.keys(options.headers)) assert.ok(!name.startsWith('access-control-'), name);
});

test('unknown pages and files are 404 with a one-line JSON error', async () => {
  for (const path of ['/nope', '/nope.js', '/studies', '/studies/a/b', '/favicon.ico']) {
    const answer = await rawGet(server.port, path);
    assert.equal(answer.status, 404, path);
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(answer.body.includes('\n'), false);
    assert.doesNotMatch(answer.body, /\bat .*\.(ts|js):\d+/, 'no stack trace');
  }
});

test('safeSegments refuses every segment that is not a plain name', () => {
  assert.deepEqual(safeSegments('/a/b.js'), ['a', 'b.js']);
  for (const bad of ['/../a', '/a/..', '/./a', '/a//b', '/%2e%2e', '/a%2fb', '/a%5cb', '/a%00', '/%', '/.env', 'a'])
    assert.equal(safeSegments(bad), null, bad);
});
