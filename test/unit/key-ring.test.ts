import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/core/clock.js';
import { openStore } from '../../src/store/open-store.js';
import { KeyRing } from '../../src/tokens/key-ring.js';

test('concurrent first uses of an algorithm create one signing key, not one each', async () => {
  const store = openStore('sqlite::memory:');
  try {
    await store.migrate();
    const keys = new KeyRing(store, systemClock);
    const kids = await Promise.all(Array.from({ length: 8 }, () => keys.signingKey('ES256').then((k) => k.kid)));
    assert.equal(new Set(kids).size, 1);
    assert.equal((await store.listSigningKeys()).filter((k) => k.alg === 'ES256').length, 1);
  } finally {
    await store.close();
  }
});
