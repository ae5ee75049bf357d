import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { TrustProxy } from '../../src/config/env.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES } from '../helpers/stores.js';
import { familyIdOf, issueRefreshToken } from '../helpers/tokens.js';

// The test connects from 127.0.0.1, playing a proxy that appended the client's address (198.51.100.7) to an
// X-Forwarded-For that the client itself had filled with a lie (203.0.113.9). The fixture client 'backend-basic'
// is not trusted with auth0-forwarded-for, so the family records the request's own IP as Fastify resolves it.
const XFF = { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' };

async function recordedIp(server: TestServer): Promise<string | null> {
  const token = await issueRefreshToken(server, { clientId: 'backend-basic', basic: true, headers: XFF });
  return (await server.store.findFamily(familyIdOf(token)))?.device.initialIp ?? null;
}

for (const kind of STORES) {
  describe(`REFRESHD_TRUST_PROXY decides whose X-Forwarded-For counts (${kind})`, () => {
    const servers: TestServer[] = [];
    after(async () => {
      for (const s of servers) await s.close();
    });
    const start = async (trustProxy: TrustProxy) => {
      const server = await startServer(kind, { app: { trustProxy } });
      servers.push(server);
      return server;
    };

    test('off: the connection\'s address, whatever the header says', async () => {
      assert.equal(await recordedIp(await start(false)), '127.0.0.1');
    });

    test('the proxy\'s address listed: the address that proxy appended, not what the client wrote before it', async () => {
      assert.equal(await recordedIp(await start(['127.0.0.1'])), '198.51.100.7');
      assert.equal(await recordedIp(await start(['loopback'])), '198.51.100.7');
    });

    test('another address listed: a direct client is not a proxy, so its header is ignored', async () => {
      assert.equal(await recordedIp(await start(['10.0.0.0/8'])), '127.0.0.1');
    });

    test('every hop: the leftmost entry, which a client behind an appending proxy chooses (why `true` needs an overwriting proxy)', async () => {
      assert.equal(await recordedIp(await start(true)), '203.0.113.9');
    });
  });
}
