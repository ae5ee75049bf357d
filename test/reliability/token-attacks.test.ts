import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startServer, type HttpResult, type TestServer } from '../helpers/server.js';
import { reportFigures } from '../helpers/soak.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, INVALID_GRANT, issueRefreshToken, refresh } from '../helpers/tokens.js';

const PREFIX = 'rfd_rt_';
const raw = (token: string) => Buffer.from(token.slice(PREFIX.length), 'base64url');
const encode = (bytes: Buffer) => PREFIX + bytes.toString('base64url');

/** Headers a refusal may differ in from another refusal: per-request values only. */
const VOLATILE = new Set(['date', 'x-request-id', 'keep-alive', 'connection']);
const fingerprint = (r: HttpResult<unknown>) =>
  JSON.stringify({ status: r.status, text: r.text, headers: [...r.headers].filter(([k]) => !VOLATILE.has(k)).sort() });

for (const kind of STORES) {
  describe(`forged and misused refresh tokens (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    test('truncated, bit-flipped, cross-client, cross-family and generation-tampered tokens: one identical 403, nothing revoked', async (t) => {
      const victim = await issueRefreshToken(server);
      const rotatedOnce = (await refresh(server, await issueRefreshToken(server))).body.refresh_token!;
      const other = await issueRefreshToken(server, { userId: 'auth0|other' });
      const otherClients = await issueRefreshToken(server, { clientId: 'backend-static' });
      const body = raw(victim);
      const attacks: [string, string, string?][] = [];
      // Every truncation.
      for (let n = 1; n < victim.length; n++) attacks.push([`truncated to ${n}`, victim.slice(0, n)]);
      // Every single bit of the decoded token flipped.
      for (let i = 0; i < body.length * 8; i++) {
        const b = Buffer.from(body);
        b[i >> 3]! ^= 1 << (i & 7);
        attacks.push([`bit ${i} flipped`, encode(b)]);
      }
      // Generation tampering, with the original tag: older, newer, wrapped.
      for (const g of [1, 2, 0xffffffff, 0x80000000]) {
        const b = Buffer.from(body);
        b.writeUInt32BE(g, 17);
        attacks.push([`generation ${g}`, encode(b)]);
        const c = Buffer.from(raw(rotatedOnce));
        c.writeUInt32BE(0, 17);
        attacks.push([`rotated token back to generation 0 (${g})`, encode(c)]);
      }
      // Another family's id with this token's secret and tag, and the reverse.
      const o = raw(other);
      attacks.push(['family id of another, secret of the victim', encode(Buffer.concat([body.subarray(0, 1), o.subarray(1, 17), body.subarray(17)]))]);
      attacks.push(['family id of the victim, secret of another', encode(Buffer.concat([body.subarray(0, 21), o.subarray(21)]))]);
      // A token minted for another client.
      attacks.push(['another client presents the victim token', victim, 'backend-static']);
      attacks.push(['the victim client presents another client token', otherClients]);
      // Lookalikes: padding, whitespace, case, wrong prefix, random bodies of the right length.
      attacks.push(['padded', victim + '=='], ['trailing space', victim + ' '], ['upper-cased', victim.toUpperCase()], ['prefix swapped', 'rfd_at_' + victim.slice(7)]);
      for (let i = 0; i < 50; i++) attacks.push([`random ${i}`, encode(Buffer.concat([Buffer.from([1]), randomBytes(body.length - 1)]))]);
      // Valid MAC, wrong secret: only someone holding the server's MAC key could make these (defence in depth).
      const codec = server.refreshd.deps.codec;
      const parsed = codec.parse(victim)!;
      attacks.push(['valid tag, wrong secret', codec.format(parsed.familyId, parsed.generation, randomBytes(32))]);
      attacks.push(['valid tag, future generation', codec.format(parsed.familyId, parsed.generation + 1, randomBytes(32))]);
      attacks.push(['valid tag, unknown family', codec.format(randomBytes(16).toString('base64url'), 0, randomBytes(32))]);

      const reference = await refresh(server, encode(Buffer.concat([Buffer.from([1]), randomBytes(body.length - 1)])));
      assert.deepEqual([reference.status, reference.body], [403, INVALID_GRANT]);
      const expected = fingerprint(reference);
      let tried = 0;
      for (const [name, token, clientId] of attacks) {
        if (token === victim && !clientId) continue;
        const r = await refresh(server, token, clientId ? { clientId } : {});
        tried++;
        assert.equal(fingerprint(r), expected, `${name}: the refusal differs`);
      }
      // Nothing was revoked: every genuine token still works.
      for (const [token, clientId] of [[victim, 'backend'], [rotatedOnce, 'backend'], [other, 'backend'], [otherClients, 'backend-static']] as const) {
        assert.equal((await refresh(server, token, { clientId })).status, 200, `${clientId} token still works`);
      }
      for (const id of [victim, other, otherClients].map(familyIdOf)) assert.equal((await server.store.findFamily(id))?.revokedAt, null);
      reportFigures(t, `token-attacks-${kind}`, { attacks: tried, distinctRefusals: 1, familiesRevoked: 0 });
    });
  });
}
