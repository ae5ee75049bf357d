import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { API } from '../helpers/fixtures.js';
import { dpopRefresh } from '../helpers/dpop.js';
import { STORES } from '../helpers/stores.js';
import { issueRefreshToken } from '../helpers/tokens.js';
import { startProtectedApi, type ProtectedApi } from './express-api.js';
import { startInteropServer, type InteropServer } from './harness.js';

// Auth0's API middleware (express-oauth2-jwt-bearer 1.10, DPoP on by default) in front of refreshd's DPoP-bound
// access tokens: the token works only with a proof by its key, never as a plain Bearer token.
for (const kind of STORES) {
  describe(`express-oauth2-jwt-bearer with DPoP (${kind})`, () => {
    let rd: InteropServer;
    let api: ProtectedApi;
    let key: KeyPair;
    let accessToken: string;
    before(async () => {
      rd = await startInteropServer(kind);
      api = await startProtectedApi({ issuer: rd.issuer, agent: rd.front.agent, routes: { '/rs': API } });
      key = await generateKeyPair('ES256');
      // The proof names the public token endpoint (https, the TLS front), as a client reading discovery makes it.
      const r = await dpopRefresh({ baseUrl: rd.server.baseUrl, issuer: rd.issuer }, await issueRefreshToken(rd.server), key);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.token_type, 'DPoP');
      accessToken = r.body.access_token;
    });
    after(async () => {
      await api.close();
      await rd.close();
    });

    async function call(headers: Record<string, string>) {
      const res = await fetch(`${api.url}/rs`, { headers });
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, wwwAuthenticate: res.headers.get('www-authenticate') ?? '' };
    }

    test('accepts the DPoP-bound access token with a proof by its key (ath over the token)', async () => {
      const proof = await generateProof(key, `${api.url}/rs`, 'GET', undefined, accessToken);
      const r = await call({ authorization: `DPoP ${accessToken}`, dpop: proof });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.sub, 'auth0|user-1');
    });

    test('refuses it as a Bearer token, without a proof, and with another key\'s proof', async () => {
      const thief = await generateKeyPair('ES256');
      const cases: [string, Record<string, string>][] = [
        ['as Bearer', { authorization: `Bearer ${accessToken}` }],
        ['DPoP without a proof', { authorization: `DPoP ${accessToken}` }],
        ['another key', { authorization: `DPoP ${accessToken}`, dpop: await generateProof(thief, `${api.url}/rs`, 'GET', undefined, accessToken) }],
      ];
      for (const [name, headers] of cases) {
        const r = await call(headers);
        assert.ok(r.status === 400 || r.status === 401, `${name}: ${r.status} ${JSON.stringify(r.body)}`);
        assert.notEqual(r.body.sub, 'auth0|user-1', name);
      }
    });
  });
}
