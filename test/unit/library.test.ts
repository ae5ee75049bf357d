import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calculateThumbprint, generateKeyPair, generateProof } from 'dpop';
import { ManualClock, normalizeConfig, OAuthError, openStore, Refreshd } from '../../src/index.js';

// The README's library example, run as written (with an in-memory SQLite store and a manual clock).
test('the core is usable from another Node app without HTTP', async () => {
  const store = openStore('sqlite::memory:');
  await store.migrate();
  const clock = new ManualClock();
  const refreshd = await Refreshd.create({ store, issuer: 'https://auth.example.com/', clock });
  await refreshd.applyConfig(
    normalizeConfig(
      {
        resource_servers: [{ identifier: 'https://api.example.com', allow_offline_access: true }],
        clients: [
          {
            client_id: 'web',
            token_endpoint_auth_method: 'none',
            grant_types: ['refresh_token'],
            refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 10 },
          },
        ],
      },
      refreshd.managementAudience,
    ),
  );
  const { response, familyId } = await refreshd.issue({ clientId: 'web', userId: 'user-42', audience: 'https://api.example.com', scope: 'openid offline_access', ip: '192.0.2.1', userAgent: 'test' });
  assert.ok(response.refresh_token);
  const next = await refreshd.refresh({ clientId: 'web', refreshToken: response.refresh_token });
  assert.equal(next.kind, 'rotated');
  assert.equal(next.family.id, familyId);
  assert.equal(await refreshd.revoke({ clientId: 'web', token: next.response.refresh_token! }), true);
  await assert.rejects(refreshd.refresh({ clientId: 'web', refreshToken: next.response.refresh_token! }), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_grant' && e.status === 403);
  await store.close();
});

// An application embedding refreshd passes its users' DPoP proofs through; proofs made by panva's `dpop`, as a
// browser app would make them, bind and rotate the family exactly as over HTTP.
test('library refresh takes a DPoP proof: a bound family rotates only with its key, and the nonce challenge carries the nonce', async () => {
  const store = openStore('sqlite::memory:');
  await store.migrate();
  const refreshd = await Refreshd.create({ store, issuer: 'https://auth.example.com/' });
  try {
    await refreshd.applyConfig(
      normalizeConfig(
        {
          resource_servers: [{ identifier: 'https://api.example.com', allow_offline_access: true }],
          clients: [{ client_id: 'spa', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'], refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring' } }],
        },
        refreshd.managementAudience,
      ),
    );
    const key = await generateKeyPair('ES256');
    const jkt = await calculateThumbprint(key.publicKey);
    const htu = 'https://auth.example.com/oauth/token';
    const { response } = await refreshd.issue({ clientId: 'spa', userId: 'user-7', audience: 'https://api.example.com', scope: 'openid offline_access', dpopJkt: jkt });
    const first = response.refresh_token!;

    // Without a proof the bound token is refused and stays usable.
    await assert.rejects(refreshd.refresh({ clientId: 'spa', refreshToken: first }), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_dpop_proof');
    // A public client must send the server's nonce (Auth0's default): the challenge names it.
    let nonce: string | undefined;
    await assert.rejects(refreshd.refresh({ clientId: 'spa', refreshToken: first, dpop: await generateProof(key, htu, 'POST') }), (e: unknown) => {
      nonce = e instanceof OAuthError && e.error === 'use_dpop_nonce' ? e.headers['dpop-nonce'] : undefined;
      return nonce !== undefined;
    });
    const next = await refreshd.refresh({ clientId: 'spa', refreshToken: first, dpop: await generateProof(key, htu, 'POST', nonce) });
    assert.equal(next.kind, 'rotated');
    assert.equal(next.response.token_type, 'DPoP');
    assert.notEqual(next.response.refresh_token, first);
    // Another key, even with a valid nonce, is refused and consumes nothing.
    const thief = await generateKeyPair('ES256');
    await assert.rejects(
      refreshd.refresh({ clientId: 'spa', refreshToken: next.response.refresh_token!, dpop: await generateProof(thief, htu, 'POST', refreshd.dpopNonce()) }),
      (e: unknown) => e instanceof OAuthError && e.error === 'invalid_dpop_proof',
    );
    const again = await refreshd.refresh({ clientId: 'spa', refreshToken: next.response.refresh_token!, dpop: await generateProof(key, htu, 'POST', refreshd.dpopNonce()) });
    assert.equal(again.kind, 'rotated');
  } finally {
    await refreshd.close();
    await store.close();
  }
});
