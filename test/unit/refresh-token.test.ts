import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { newSecret, openSuccessor, RefreshTokenCodec, sealSuccessor } from '../../src/tokens/refresh-token.js';

const fid = randomBytes(16).toString('base64url');

describe('refresh-token format', () => {
  const codec = new RefreshTokenCodec(randomBytes(32));

  test('round-trips family id, generation and secret, with a scanner-friendly prefix and ≥256 bits of randomness', () => {
    const secret = newSecret();
    const token = codec.format(fid, 7, secret);
    assert.match(token, /^rfd_rt_[A-Za-z0-9_-]{92}$/);
    assert.equal(secret.length, 32);
    const parsed = codec.parse(token);
    assert.deepEqual(parsed, { familyId: fid, generation: 7, secret });
  });

  test('any single-character change is rejected by the MAC', () => {
    const token = codec.format(fid, 0, newSecret());
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 7; i < token.length; i++) {
      const c = alphabet[(alphabet.indexOf(token[i]!) + 1) % 64]!;
      const mutated = token.slice(0, i) + c + token.slice(i + 1);
      assert.equal(codec.parse(mutated), null, `position ${i}`);
    }
  });

  test('tokens minted under another key, truncated or padded are rejected', () => {
    const token = codec.format(fid, 0, newSecret());
    assert.equal(new RefreshTokenCodec(randomBytes(32)).parse(token), null);
    assert.equal(codec.parse(token.slice(0, -1)), null);
    assert.equal(codec.parse(`${token}A`), null);
    assert.equal(codec.parse(token.replace('rfd_rt_', 'rfd_xx_')), null);
    for (const junk of [undefined, null, 42, {}, '', 'rfd_rt_']) assert.equal(codec.parse(junk), null);
  });

  test('the successor box opens only with the predecessor secret and for its generation', () => {
    const prev = newSecret();
    const next = newSecret();
    const box = sealSuccessor(prev, fid, 3, next);
    assert.deepEqual(openSuccessor(prev, fid, 3, box), next);
    assert.equal(openSuccessor(newSecret(), fid, 3, box), null);
    assert.equal(openSuccessor(prev, fid, 4, box), null);
    assert.equal(openSuccessor(prev, randomBytes(16).toString('base64url'), 3, box), null);
    assert.ok(!box.includes(next), 'the box does not contain the successor in the clear');
  });
});
