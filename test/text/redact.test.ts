import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasPassword, redact, registerSecret } from '../../src/text/redact.js';

test('redact masks the password of every URL form, and nothing else', () => {
  const cases: [string, string][] = [
    ['postgres://u:p@h/db', 'postgres://u:***@h/db'],
    ['postgresql://u:p%40ss@h:5432/db?sslmode=require', 'postgresql://u:***@h:5432/db?sslmode=require'],
    ['postgres://u:p@ss/w#rd@h:5/db', 'postgres://u:***@h:5/db'], // a raw @ or / in the password
    ['mongodb+srv://a:b@cluster0.example.net/experiment_db', 'mongodb+srv://a:***@cluster0.example.net/experiment_db'],
    ['mongodb://u:p@h1:1,h2:2/db?replicaSet=rs', 'mongodb://u:***@h1:1,h2:2/db?replicaSet=rs'],
    ['postgres://h/db?user=u&password=zz&sslmode=require', 'postgres://h/db?user=u&password=***&sslmode=require'],
    [
      'error at postgres://u:p@h/db: refused; retry postgres://v:q@k/e',
      'error at postgres://u:***@h/db: refused; retry postgres://v:***@k/e',
    ],
    ['postgres:/u:secret@host/db', 'postgres:/u:***@host/db'], // mistyped scheme
    ["--db 'postgres://u:p@h/d'", "--db 'postgres://u:***@h/d'"],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ['https://example.org/a:b', 'https://example.org/a:b'],
    ['at 10:30, mail a@b.c, ratio 1:2', 'at 10:30, mail a@b.c, ratio 1:2'],
    ['postgres://u:***@h/db', 'postgres://u:***@h/db'],
  ];
  for (const [text, expected] of cases) assert.equal(redact(text), expected, text);
  assert.equal(hasPassword('postgres://u:p@h/db'), true);
  assert.equal(hasPassword('postgres://u@h/db'), false);
  assert.equal(hasPassword('xorlab.db'), false);
});

test('a registered secret is masked wherever it appears, plain or URL-encoded', () => {
  registerSecret('s3cret/@:pw');
  assert.equal(redact('driver said: bad password s3cret/@:pw for u'), 'driver said: bad password *** for u');
  assert.equal(redact('host=h password=s3cret%2F%40%3Apw'), 'host=h password=***');
  registerSecret('');
  registerSecret(undefined);
  assert.equal(redact('nothing here'), 'nothing here');
});

test('a very short secret is not masked as free text (it would mangle every word that holds it); its URL still is', () => {
  registerSecret('ab');
  assert.equal(redact('a table about abc'), 'a table about abc');
  assert.equal(redact('postgres://u:ab@h/db'), 'postgres://u:***@h/db');
});
