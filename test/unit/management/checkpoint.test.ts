import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ManagementError } from '../../../src/core/errors.js';
import { ManualClock } from '../../../src/core/clock.js';
import { CHECKPOINT_TTL_MS, CheckpointCodec, readPage } from '../../../src/management/checkpoint.js';
import type { PagePosition, PageRequest } from '../../../src/ports/store.js';

const binding = ['user-refresh-tokens', 'auth0|alice'] as const;

function isInvalidCheckpoint(err: unknown): boolean {
  return err instanceof ManagementError && err.statusCode === 400 && err.errorCode === 'invalid_query_string' && /checkpoint/.test(err.message);
}

describe('checkpoint cursors', () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const codec = new CheckpointCodec(randomBytes(32), clock);
  const position = { createdAt: Date.UTC(2026, 4, 1, 12, 0, 0, 123), id: 'MxKAB4OKNmrmEde_D5NGHA' };

  test('a cursor decodes to the position it was made from, for the same query', () => {
    const cursor = codec.encode(position, binding);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(codec.decode(cursor, binding), position);
  });

  test('the cursor does not show the position in clear JSON (it is opaque)', () => {
    const cursor = codec.encode(position, binding);
    assert.doesNotMatch(Buffer.from(cursor, 'base64url').toString('utf8'), /createdAt|"id"/);
  });

  test('any flipped character makes the cursor invalid', () => {
    const cursor = codec.encode(position, binding);
    for (let i = 0; i < cursor.length; i++) {
      const c = cursor[i] === 'A' ? 'B' : 'A';
      const tampered = cursor.slice(0, i) + c + cursor.slice(i + 1);
      if (tampered === cursor) continue;
      assert.throws(() => codec.decode(tampered, binding), isInvalidCheckpoint, `position ${i}`);
    }
  });

  test('a cursor of another query (other user, other client filter, other endpoint) is refused', () => {
    const cursor = codec.encode(position, binding);
    assert.throws(() => codec.decode(cursor, ['user-refresh-tokens', 'auth0|bob']), isInvalidCheckpoint);
    assert.throws(() => codec.decode(cursor, ['user-sessions', 'auth0|alice']), isInvalidCheckpoint);
    const filtered = codec.encode(position, ['refresh-tokens', 'auth0|alice', 'client-a']);
    assert.throws(() => codec.decode(filtered, ['refresh-tokens', 'auth0|alice', null]), isInvalidCheckpoint);
    assert.throws(() => codec.decode(filtered, ['refresh-tokens', 'auth0|alice', 'client-b']), isInvalidCheckpoint);
  });

  test('a cursor made under another server secret is refused', () => {
    const other = new CheckpointCodec(randomBytes(32), clock);
    assert.throws(() => codec.decode(other.encode(position, binding), binding), isInvalidCheckpoint);
  });

  test('garbage, truncation and oversized input are refused without throwing anything else', () => {
    const cursor = codec.encode(position, binding);
    for (const bad of ['', 'x', '!!!!', cursor.slice(0, -2), `${cursor}AA`, 'A'.repeat(5000), '../../etc', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      assert.throws(() => codec.decode(bad, binding), isInvalidCheckpoint, JSON.stringify(bad.slice(0, 20)));
    }
  });

  test('cursors expire after 24 hours', () => {
    const cursor = codec.encode(position, binding);
    clock.advance(CHECKPOINT_TTL_MS - 1000);
    assert.deepEqual(codec.decode(cursor, binding), position);
    clock.advance(2000);
    assert.throws(() => codec.decode(cursor, binding), isInvalidCheckpoint);
  });

  test('a short key is a programming error', () => {
    assert.throws(() => new CheckpointCodec(randomBytes(16), clock), TypeError);
  });
});

describe('readPage', () => {
  const clock = new ManualClock();
  const codec = new CheckpointCodec(randomBytes(32), clock);
  const rows: PagePosition[] = Array.from({ length: 7 }, (_, i) => ({ createdAt: 1000 + Math.floor(i / 2), id: `id-${i}` }));
  const fetchRows = async (page: PageRequest) => {
    const after = page.after;
    return rows
      .filter((r) => !after || r.createdAt > after.createdAt || (r.createdAt === after.createdAt && r.id > after.id))
      .slice(0, page.limit);
  };

  test('pages through every row once, in order, with no next on the last page', async () => {
    const seen: string[] = [];
    let from: string | undefined;
    let pages = 0;
    do {
      const page = await readPage(codec, binding, { from, take: 3 }, fetchRows);
      seen.push(...page.items.map((r) => r.id));
      from = page.next;
      pages++;
    } while (from);
    assert.deepEqual(seen, rows.map((r) => r.id));
    assert.equal(pages, 3);
  });

  test('an exact multiple of take ends without an empty trailing page', async () => {
    const first = await readPage(codec, binding, { take: 7 }, fetchRows);
    assert.equal(first.items.length, 7);
    assert.equal(first.next, undefined);
  });

  test('take defaults to 50 and asks the store for one more row than it serves', async () => {
    let asked = 0;
    await readPage(codec, binding, {}, async (p) => {
      asked = p.limit;
      return [];
    });
    assert.equal(asked, 51);
  });
});
