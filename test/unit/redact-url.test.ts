import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl } from '../../src/core/redact-url.js';

test('a password holding @, : or / is redacted whole (parsed as the drivers parse it)', () => {
  const cases: [string, string][] = [
    ['postgres://refreshd:p@ss@db.internal:5432/refreshd', 'postgres://refreshd:***@db.internal:5432/refreshd'],
    ['postgres://refreshd:a@b@c@db/refreshd', 'postgres://refreshd:***@db/refreshd'],
    ['postgres://refreshd:p%40ss%3Aw@db/refreshd', 'postgres://refreshd:***@db/refreshd'],
    ['postgresql://u:x:y@db/refreshd', 'postgresql://u:***@db/refreshd'],
    ['redis://:hunter2@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['https://user:pw@hooks.example/refreshd?token=abc&x=1', 'https://user:***@hooks.example/refreshd?token=***&x=1'],
    ['postgres://refreshd@db/refreshd?sslmode=require&password=s3cret', 'postgres://refreshd@db/refreshd?sslmode=require&password=***'],
  ];
  for (const [url, expected] of cases) assert.equal(redactUrl(url), expected);
});

test('URLs without credentials are unchanged; unparsable text keeps only its scheme', () => {
  assert.equal(redactUrl('sqlite:./data/refreshd.db'), 'sqlite:./data/refreshd.db');
  assert.equal(redactUrl('postgres://refreshd@db:5432/refreshd'), 'postgres://refreshd@db:5432/refreshd');
  const bad = redactUrl('postgres://u:pa:ss/w@h/db');
  assert.equal(bad, 'postgres:[unparsable URL redacted]');
  assert.equal(redactUrl('not a url with secret'), '[unparsable URL redacted]');
});

test('no part of a password with @ survives (the old regex printed what followed the first @)', () => {
  for (const password of ['Sup3r@Secr3t', 'Sup3r@@Secr3t', 'Sup3r:Secr3t@', 'Sup3r%40Secr3t']) {
    const out = redactUrl(`postgres://refreshd:${password}@db.internal/refreshd`);
    assert.ok(!/Sup3r|Secr3t/.test(out), `${password} → ${out}`);
    assert.equal(out, 'postgres://refreshd:***@db.internal/refreshd');
  }
});
