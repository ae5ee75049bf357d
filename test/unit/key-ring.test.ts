import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import type { Store } from '../../src/ports/store.js';
import { openStore } from '../../src/store/open-store.js';
import { KeyRing } from '../../src/tokens/key-ring.js';

async function withMemoryStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const store = openStore('sqlite::memory:');
  try {
    await store.migrate();
    await fn(store);
  } finally {
    await store.close();
  }
}

/** The published kids, as a sorted list (keys made in the same millisecond are listed by kid). */
const kidsOf = async (keys: KeyRing) => (await keys.jwks()).keys.map((k) => k.kid as string).sort();
const sorted = (...kids: string[]) => kids.sort();

test('concurrent first uses of an algorithm create one signing key, not one each', () =>
  withMemoryStore(async (store) => {
    const keys = new KeyRing(store, systemClock);
    const kids = await Promise.all(Array.from({ length: 8 }, () => keys.signingKey('ES256').then((k) => k.kid)));
    assert.equal(new Set(kids).size, 1);
    assert.equal((await store.listSigningKeys()).filter((k) => k.alg === 'ES256').length, 1);
  }));

test('a first key signs on an instance whose clock is behind the one that made it', () =>
  withMemoryStore(async (store) => {
    const clock = new ManualClock();
    const kid = (await new KeyRing(store, clock).signingKey('ES256')).kid;
    const behind = new ManualClock(clock.now() - 5_000);
    assert.equal((await new KeyRing(store, behind).signingKey('ES256')).kid, kid);
  }));

test('a rotated-in key is published at once, signs only from its activation, and the old key verifies for the grace after', () =>
  withMemoryStore(async (store) => {
    const clock = new ManualClock();
    const keys = new KeyRing(store, clock);
    const old = (await keys.signingKey('RS256')).kid;
    const { key, retired, verifyUntil } = await keys.rotate('RS256', { activationDelaySeconds: 600, graceSeconds: 3600 });
    assert.equal(retired, 1);
    assert.equal(key.activatesAt, clock.now() + 600_000);
    assert.equal(verifyUntil, key.activatesAt + 3_600_000);
    assert.deepEqual(await kidsOf(keys), sorted(old, key.kid));

    clock.set(key.activatesAt - 1);
    assert.equal((await keys.signingKey('RS256')).kid, old);
    clock.set(key.activatesAt);
    assert.equal((await keys.signingKey('RS256')).kid, key.kid);
    clock.set(verifyUntil - 1);
    assert.deepEqual(await kidsOf(keys), sorted(old, key.kid));
    clock.set(verifyUntil);
    assert.deepEqual(await kidsOf(keys), [key.kid]);
  }));

test('a second rotation during the delay hands over at the earlier activation, leaving no instant without a signer', () =>
  withMemoryStore(async (store) => {
    const clock = new ManualClock();
    const keys = new KeyRing(store, clock);
    const first = (await keys.signingKey('ES256')).kid;
    const planned = await keys.rotate('ES256', { activationDelaySeconds: 3600, graceSeconds: 60 });
    clock.advanceSeconds(10);
    // An emergency rotation: sooner than the planned one, which therefore never signs.
    const urgent = await keys.rotate('ES256', { activationDelaySeconds: 30, graceSeconds: 60 });
    assert.equal(urgent.retired, 2);
    for (const [at, kid] of [
      [urgent.key.activatesAt - 1, first],
      [urgent.key.activatesAt, urgent.key.kid],
      [planned.key.activatesAt, urgent.key.kid],
    ] as const) {
      clock.set(at);
      assert.equal((await keys.signingKey('ES256')).kid, kid, `at +${at - urgent.key.createdAt} ms`);
    }
    clock.set(urgent.verifyUntil);
    assert.deepEqual(await kidsOf(keys), [urgent.key.kid], 'both replaced keys leave the JWKS a grace after the hand-over');
  }));

test('another instance publishes the key at its next read and switches at the activation time without another read', () =>
  withMemoryStore(async (store) => {
    const clock = new ManualClock();
    const here = new KeyRing(store, clock);
    const there = new KeyRing(store, clock, { refreshIntervalMs: 30_000 });
    const old = (await here.signingKey('EdDSA')).kid;
    assert.equal((await there.signingKey('EdDSA')).kid, old);
    const { key } = await here.rotate('EdDSA', { activationDelaySeconds: 40, graceSeconds: 60 });
    // Until its next read (30 s after the last), the other instance neither publishes nor uses the new key.
    clock.advanceSeconds(29);
    assert.deepEqual(await kidsOf(there), [old]);
    clock.advanceSeconds(1);
    assert.deepEqual(await kidsOf(there), sorted(old, key.kid));
    assert.equal((await there.signingKey('EdDSA')).kid, old);
    let reads = 0;
    const listSigningKeys = store.listSigningKeys.bind(store);
    store.listSigningKeys = () => {
      reads += 1;
      return listSigningKeys();
    };
    clock.set(key.activatesAt);
    assert.equal((await there.signingKey('EdDSA')).kid, key.kid);
    assert.equal(reads, 0, 'the hand-over is a time in the record, not a reload');
  }));
