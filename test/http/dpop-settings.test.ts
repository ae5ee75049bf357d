import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateThumbprint, generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { managementAudienceFor } from '../../src/config/env.js';
import { TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../src/core/types.js';
import { API, fixtureConfig, secretOf } from '../helpers/fixtures.js';
import { dpopRefresh, dpopRefreshWithNonce, postWithProofs, tokenEndpointOf } from '../helpers/dpop.js';
import { api, managementToken } from '../helpers/management.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, refresh, type TokenBody } from '../helpers/tokens.js';

const POP_API = 'https://pop.example.com';
const POP_PUBLIC_API = 'https://pop-public.example.com';
const ISSUER = 'http://refreshd.test/';

/** The fixture configuration file plus the DPoP settings under test, in Auth0's field names. */
function config(): Record<string, unknown> {
  const base = fixtureConfig(managementAudienceFor(ISSUER)) as { clients: Record<string, unknown>[]; resource_servers: Record<string, unknown>[]; client_grants: Record<string, unknown>[] };
  const rotating = { rotation_type: 'rotating', expiration_type: 'expiring', token_lifetime: 86_400, idle_token_lifetime: 3_600 };
  base.clients.push(
    // A public client whose every request must carry a proof (listed in backend's token_exchange_target_clients).
    { client_id: 'spa-flagged', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'], refresh_token: rotating, require_proof_of_possession: true },
    // A public client whose proofs need no nonce.
    { client_id: 'spa-static', token_endpoint_auth_method: 'none', grant_types: ['refresh_token'], refresh_token: rotating, require_dpop_nonce: false },
    // A confidential client that must send proofs, with nonces.
    {
      client_id: 'backend-pop',
      client_secret: secretOf('backend-pop'),
      grant_types: [TOKEN_EXCHANGE_GRANT, 'refresh_token'],
      token_exchange_target_clients: [],
      refresh_token: rotating,
      require_proof_of_possession: true,
      require_dpop_nonce: true,
    },
  );
  base.resource_servers.push(
    { identifier: POP_API, scopes: [{ value: 'read:data' }], allow_offline_access: true, proof_of_possession: { mechanism: 'dpop', required: true, required_for: 'all_clients' } },
    { identifier: POP_PUBLIC_API, scopes: [{ value: 'read:data' }], allow_offline_access: true, proof_of_possession: { mechanism: 'dpop', required: true, required_for: 'public_clients' } },
  );
  for (const audience of [API, POP_API, POP_PUBLIC_API]) base.client_grants.push({ client_id: 'backend-pop', audience, scope: ['read:data'], subject_type: 'user' });
  for (const audience of [POP_API, POP_PUBLIC_API]) base.client_grants.push({ client_id: 'backend', audience, scope: ['read:data'], subject_type: 'user' });
  return base;
}

// Auth0's client `require_proof_of_possession` and resource-server `proof_of_possession`, refreshd's
// `require_dpop_nonce`, from the configuration file; the Management API's `dpop_jkt`; CORS for DPoP.
for (const kind of STORES) {
  describe(`DPoP settings (${kind})`, () => {
    let server: TestServer;
    let key: KeyPair;
    let jkt: string;
    before(async () => {
      server = await startServer(kind, { config: config(), issuer: ISSUER });
      key = await generateKeyPair('ES256');
      jkt = await calculateThumbprint(key.publicKey);
    });
    after(() => server.close());

    function exchangeWith(params: Record<string, string>, opts: { clientId?: string; proof?: string } = {}) {
      const clientId = opts.clientId ?? 'backend';
      return postWithProofs(
        server,
        {
          grant_type: TOKEN_EXCHANGE_GRANT,
          client_id: clientId,
          client_secret: secretOf(clientId),
          subject_token: 'auth0|settings',
          subject_token_type: USER_ID_TOKEN_TYPE,
          audience: API,
          scope: 'openid offline_access read:data',
          ...params,
        },
        opts.proof ? [opts.proof] : [],
      );
    }
    const proof = (nonce?: string) => generateProof(key, tokenEndpointOf(server), 'POST', nonce);

    test('require_proof_of_possession on a public client: its tokens are issued bound (dpop_jkt) and refreshed only with a proof', async () => {
      const unbound = await exchangeWith({ target_client_id: 'spa-flagged' });
      assert.equal(unbound.status, 400, unbound.text);
      assert.equal(unbound.body.error, 'invalid_request');
      const issued = await exchangeWith({ target_client_id: 'spa-flagged', dpop_jkt: jkt });
      assert.equal(issued.status, 200, issued.text);
      const t0 = issued.body.refresh_token!;
      const bare = await refresh(server, t0, { clientId: 'spa-flagged', publicClient: true });
      assert.equal(bare.body.error, 'invalid_dpop_proof');
      assert.equal((await server.store.findFamily(familyIdOf(t0)))?.generation, 0);
      const { final } = await dpopRefreshWithNonce(server, t0, key, { clientId: 'spa-flagged', publicClient: true });
      assert.equal(final.status, 200, final.text);
    });

    test('require_proof_of_possession on a confidential client: no proof, no token; require_dpop_nonce makes it answer a nonce', async () => {
      const none = await exchangeWith({}, { clientId: 'backend-pop' });
      assert.equal(none.status, 400, none.text);
      assert.equal(none.body.error, 'invalid_dpop_proof');
      const challenged = await exchangeWith({}, { clientId: 'backend-pop', proof: await proof() });
      assert.equal(challenged.body.error, 'use_dpop_nonce');
      const ok = await exchangeWith({}, { clientId: 'backend-pop', proof: await proof(challenged.headers.get('dpop-nonce')!) });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.token_type, 'DPoP');
      // Its refresh token is not bound (a confidential client), but every request needs a proof all the same.
      assert.equal((await server.store.findFamily(familyIdOf(ok.body.refresh_token!)))?.dpopJkt, null);
      const bare = await postWithProofs(server, { grant_type: 'refresh_token', client_id: 'backend-pop', client_secret: secretOf('backend-pop'), refresh_token: ok.body.refresh_token! }, []);
      assert.equal(bare.body.error, 'invalid_dpop_proof');
    });

    test('require_dpop_nonce false: a public client\'s proof without a nonce is accepted', async () => {
      const issued = await exchangeWith({ target_client_id: 'spa-static', dpop_jkt: jkt });
      assert.equal(issued.status, 200, issued.text);
      const r = await dpopRefresh(server, issued.body.refresh_token!, key, { clientId: 'spa-static', publicClient: true });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.token_type, 'DPoP');
    });

    test('an API with proof_of_possession required for all clients gets only DPoP-bound tokens, on issuance and refresh', async () => {
      const bare = await exchangeWith({ audience: POP_API });
      assert.equal(bare.status, 400, bare.text);
      const issued = await exchangeWith({ audience: POP_API }, { proof: await proof() });
      assert.equal(issued.status, 200, issued.text);
      assert.equal(issued.body.token_type, 'DPoP');
      const t0 = issued.body.refresh_token!;
      const plain = await refresh(server, t0);
      assert.equal(plain.status, 400, plain.text);
      assert.equal(plain.body.error, 'invalid_dpop_proof');
      assert.equal((await server.store.findFamily(familyIdOf(t0)))?.generation, 0, 'refused before any write');
      const withProof = await dpopRefresh(server, t0, key);
      assert.equal(withProof.status, 200, withProof.text);
      assert.equal(withProof.body.token_type, 'DPoP');
    });

    test('an API with proof_of_possession for public clients: confidential clients may take Bearer tokens, public ones may not', async () => {
      const confidential = await exchangeWith({ audience: POP_PUBLIC_API });
      assert.equal(confidential.status, 200, confidential.text);
      assert.equal(confidential.body.token_type, 'Bearer');
      const publicUnbound = await exchangeWith({ audience: POP_PUBLIC_API, target_client_id: 'spa' });
      assert.equal(publicUnbound.status, 400, publicUnbound.text);
      const publicBound = await exchangeWith({ audience: POP_PUBLIC_API, target_client_id: 'spa', dpop_jkt: jkt });
      assert.equal(publicBound.status, 200, publicBound.text);
      assert.equal(publicBound.body.token_type, 'DPoP');
    });

    test('the Management API shows a bound refresh token\'s dpop_jkt, and nothing for an unbound one', async () => {
      const bound = await exchangeWith({ target_client_id: 'spa', dpop_jkt: jkt });
      const unbound = await exchangeWith({ target_client_id: 'spa' });
      const token = await managementToken(server);
      const b = await api(server, 'GET', `/refresh-tokens/${familyIdOf(bound.body.refresh_token!)}`, { token });
      assert.equal(b.status, 200, b.text);
      assert.equal(b.body.dpop_jkt, jkt);
      const u = await api(server, 'GET', `/refresh-tokens/${familyIdOf(unbound.body.refresh_token!)}`, { token });
      assert.equal(u.status, 200, u.text);
      assert.equal('dpop_jkt' in u.body, false);
      const listed = await api<{ refresh_tokens: Record<string, unknown>[] }>(server, 'GET', `/refresh-tokens?user_id=${encodeURIComponent('auth0|settings')}&fields=id,dpop_jkt`, { token });
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(
        listed.body.refresh_tokens.find((t) => t.id === familyIdOf(bound.body.refresh_token!)),
        { id: familyIdOf(bound.body.refresh_token!), dpop_jkt: jkt },
        'a fields selection can name it',
      );
    });

    test('CORS lets a browser app send DPoP and read DPoP-Nonce', async () => {
      const origin = 'https://app.example.com';
      const pre = await fetch(`${server.baseUrl}/oauth/token`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, dpop' },
      });
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /(^|, )dpop(,|$)/);
      const r = await fetch(`${server.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded', dpop: await proof() },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'spa', refresh_token: 'rfd_rt_x' }),
      });
      const body = (await r.json()) as TokenBody;
      assert.equal(body.error, 'use_dpop_nonce');
      assert.equal(r.headers.get('access-control-allow-origin'), origin);
      assert.match(r.headers.get('access-control-expose-headers') ?? '', /(^|, )dpop-nonce(,|$)/);
    });
  });
}
