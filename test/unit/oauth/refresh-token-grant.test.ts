import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { OAuthError } from '../../../src/core/errors.js';
import type { Client, TokenFamily } from '../../../src/core/types.js';
import { refreshTokenGrant } from '../../../src/oauth/grants/refresh-token.js';
import { sha256 } from '../../../src/tokens/refresh-token.js';
import { API, apiRecord, clientRecord, grantHarness, OTHER_API, rotating, type GrantHarness } from '../../helpers/grant-harness.js';
import { familyRecord } from '../../helpers/records.js';

// The refresh grant against a fake store and a manual clock: what it answers, and exactly what it writes.

const context = { ip: '192.0.2.7', userAgent: 'unit/1.0' };

interface World extends GrantHarness {
  client: Client;
  family: TokenFamily;
  token: string;
}

function world(clientOverrides: Partial<Client> = {}, familyOverrides: Partial<TokenFamily> = {}): World {
  const h = grantHarness();
  const client = clientRecord('app', clientOverrides);
  h.source.clients.set(client.clientId, client);
  const secret = randomBytes(32);
  const now = h.clock.now();
  const family = familyRecord(now, {
    clientId: client.clientId,
    audience: API,
    scope: ['openid', 'offline_access', 'read:data'],
    currentHash: sha256(secret),
    expiresAt: now + 86_400_000,
    idleExpiresAt: now + 3_600_000,
    ...familyOverrides,
  });
  h.store.families.set(family.id, family);
  return { ...h, client, family, token: h.codec.format(family.id, family.generation, secret) };
}

function refresh(w: World, token: string, extra: Record<string, string> = {}, client: Client = w.client) {
  return refreshTokenGrant.handle({ client, params: { grant_type: 'refresh_token', refresh_token: token, ...extra }, context, proof: null }, w.deps);
}

async function refused(p: Promise<unknown>, error: string): Promise<OAuthError> {
  const e = await p.then(
    () => assert.fail(`expected ${error}`),
    (err: unknown) => err,
  );
  assert.ok(e instanceof OAuthError, String(e));
  assert.equal(e.error, error, e.detail ?? e.description);
  return e;
}

describe('refresh grant (unit, fake store)', () => {
  test('the current token rotates: one compare-and-set, a successor, the family\'s scope and audience', async () => {
    const w = world();
    const r = await refresh(w, w.token);
    assert.deepEqual(w.store.writes, ['exchangeFamily']);
    assert.equal(w.store.families.get(w.family.id)?.generation, 1);
    assert.ok(r.refresh_token && r.refresh_token !== w.token);
    assert.equal(r.scope, 'openid offline_access read:data');
    assert.deepEqual(w.minted[0]?.claims, { sub: 'user-1', aud: API, azp: 'app', scope: 'openid offline_access read:data', sid: undefined, custom: {} });
    assert.equal(w.events.at(-1)?.type, 'sertft');
    // and the successor works in turn
    await refresh(w, r.refresh_token);
    assert.equal(w.store.families.get(w.family.id)?.generation, 2);
  });

  test('a non-rotating client keeps its token and gets none back', async () => {
    const w = world({ refreshToken: { ...rotating, rotationType: 'non-rotating' } });
    const r = await refresh(w, w.token);
    assert.equal(r.refresh_token, undefined);
    assert.equal(w.store.families.get(w.family.id)?.generation, 0);
    await refresh(w, w.token);
    assert.deepEqual(w.store.writes, ['exchangeFamily', 'exchangeFamily']);
  });

  // Every way a token is dead, each with requests that would otherwise be refused for what they ask: the answer
  // is always invalid_grant and nothing is written.
  const dead: { name: string; reason: string; setup(w: World): string }[] = [
    { name: 'unknown family', reason: 'unknown', setup: (w) => (w.store.families.delete(w.family.id), w.token) },
    { name: 'another client\'s family', reason: 'other_client', setup: (w) => ((w.store.families.get(w.family.id)!.clientId = 'other'), w.token) },
    { name: 'revoked', reason: 'revoked', setup: (w) => ((w.store.families.get(w.family.id)!.revokedAt = w.clock.now()), w.token) },
    { name: 'idle-expired', reason: 'expired', setup: (w) => (w.clock.advance(3_600_000), w.token) },
    { name: 'absolutely expired', reason: 'expired', setup: (w) => ((w.store.families.get(w.family.id)!.idleExpiresAt = null), w.clock.advance(86_400_000), w.token) },
    { name: 'right generation, wrong secret (MAC valid)', reason: 'invalid', setup: (w) => w.codec.format(w.family.id, 0, randomBytes(32)) },
    { name: 'a generation never issued (MAC valid)', reason: 'invalid', setup: (w) => w.codec.format(w.family.id, 5, randomBytes(32)) },
    { name: 'not our token', reason: 'malformed', setup: () => 'rfd_rt_' + 'A'.repeat(96) },
  ];
  const asks: Record<string, string>[] = [{}, { scope: 'read:data write:data' }, { audience: OTHER_API }, { audience: 'https://nowhere.test' }];
  for (const d of dead) {
    for (const extra of asks) {
      test(`dead (${d.name}) with ${JSON.stringify(extra)}: invalid_grant, nothing written`, async () => {
        const w = world();
        const token = d.setup(w);
        await refused(refresh(w, token, extra), 'invalid_grant');
        assert.deepEqual(w.store.writes, []);
        assert.equal(w.minted.length, 0);
        const failure = w.events.find((e) => e.type === 'fertft');
        assert.equal(failure?.details?.failure_reason, d.reason);
        if (d.reason === 'unknown' || d.reason === 'other_client' || d.reason === 'malformed') assert.equal(failure?.userId, null, 'nothing of a foreign family leaks');
      });
    }
  }

  for (const extra of asks) {
    test(`a rotated token coming back with ${JSON.stringify(extra)} is reuse: the family is revoked, ferrt`, async () => {
      const w = world();
      await refresh(w, w.token);
      await refused(refresh(w, w.token, extra), 'invalid_grant');
      assert.deepEqual(w.store.writes, ['exchangeFamily', 'revokeFamily:reuse']);
      assert.ok(w.events.some((e) => e.type === 'ferrt' && e.details?.familyId === w.family.id));
    });
  }

  const refusals: { name: string; client?: Partial<Client>; extra: Record<string, string>; error: string; setup?(w: World): void }[] = [
    { name: 'a wider scope', extra: { scope: 'read:data write:data' }, error: 'invalid_scope' },
    { name: 'an audience no policy names', extra: { audience: OTHER_API }, error: 'access_denied' },
    { name: 'the family\'s API is gone', extra: {}, error: 'access_denied', setup: (w) => w.source.apis.delete(API) },
    {
      name: 'a system API, even one a policy names',
      extra: { audience: 'https://mgmt.unit.test' },
      error: 'access_denied',
      client: { refreshToken: { ...rotating, policies: [{ audience: 'https://mgmt.unit.test', scope: ['read:users'] }] } },
      setup: (w) => void w.source.apis.set('https://mgmt.unit.test', apiRecord('https://mgmt.unit.test', ['read:users'], { isSystem: true })),
    },
  ];
  for (const r of refusals) {
    test(`a live token asking for ${r.name}: ${r.error}, nothing written, the token still works`, async () => {
      const w = world(r.client ?? {});
      r.setup?.(w);
      await refused(refresh(w, w.token, r.extra), r.error);
      assert.deepEqual(w.store.writes, []);
      if (r.name !== 'the family\'s API is gone') {
        await refresh(w, w.token);
        assert.deepEqual(w.store.writes, ['exchangeFamily']);
      }
    });
  }

  test('within the leeway the previous token gets the same successor and writes nothing', async () => {
    const w = world({ refreshToken: { ...rotating, leewaySeconds: 30 } });
    const first = await refresh(w, w.token);
    w.clock.advance(10_000);
    const again = await refresh(w, w.token);
    assert.equal(again.refresh_token, first.refresh_token);
    assert.deepEqual(w.store.writes, ['exchangeFamily']);
    w.clock.advance(21_000);
    await refused(refresh(w, w.token), 'invalid_grant');
    assert.deepEqual(w.store.writes, ['exchangeFamily', 'revokeFamily:reuse'], 'after the leeway it is reuse');
  });

  test('a race lost between the read and the compare-and-set is judged again: reuse at leeway 0', async () => {
    const w = world();
    w.store.beforeExchange = () => {
      const f = w.store.families.get(w.family.id)!;
      Object.assign(f, { generation: 1, previousHash: f.currentHash, currentHash: sha256('winner'), rotatedAt: w.clock.now() });
    };
    await refused(refresh(w, w.token), 'invalid_grant');
    assert.deepEqual(w.store.writes, ['revokeFamily:reuse']);
  });

  test('a race lost to a revocation is invalid_grant without a second revocation', async () => {
    const w = world();
    w.store.beforeExchange = () => void (w.store.families.get(w.family.id)!.revokedAt = w.clock.now());
    await refused(refresh(w, w.token), 'invalid_grant');
    assert.deepEqual(w.store.writes, []);
    assert.equal(w.events.find((e) => e.type === 'fertft')?.details?.failure_reason, 'revoked');
  });

  test('rotation never extends the absolute lifetime; the idle expiry slides up to it', async () => {
    const w = world({}, { idleExpiresAt: null });
    const absolute = w.family.expiresAt!;
    w.clock.advance(86_400_000 - 60_000);
    await refresh(w, w.token);
    const f = w.store.families.get(w.family.id)!;
    assert.equal(f.expiresAt, absolute);
    assert.equal(f.idleExpiresAt, absolute);
  });
});
