import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, describe, test } from 'node:test';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { StoredEvent } from '../../src/core/events.js';
import { newEventId } from '../../src/core/event-ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { newWebhookSecret, webhookSecretProblem } from '../../src/events/standard-webhooks.js';
import { WebhookDelivery } from '../../src/events/webhook.js';
import { loadEnv } from '../../src/config/env.js';
import { ConfigError } from '../../src/core/errors.js';

const SECRET = newWebhookSecret();

function event(i: number): StoredEvent {
  const date = Date.UTC(2026, 0, 1) + i;
  return { logId: newEventId(date), date, type: 'sertft', description: 'd', clientId: 'c', userId: 'u', ip: null, userAgent: null, details: { familyId: `f${i}`, tokenCounter: i } };
}

/** What a receiver does, with the reference library of the scheme (nobody here wrote it). */
function verify(headers: IncomingHttpHeaders, body: string, secret = SECRET): boolean {
  try {
    new Webhook(secret).verify(body, headers as Record<string, string>);
    return true;
  } catch (err) {
    if (err instanceof WebhookVerificationError) return false;
    throw err;
  }
}

async function receiver(answer: (attempt: number) => number | { status: number; location: string }) {
  const received: { body: string; headers: IncomingHttpHeaders; attempt: string }[] = [];
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      calls++;
      received.push({ body, headers: req.headers, attempt: String(req.headers['x-refreshd-delivery-attempt']) });
      const a = answer(calls);
      if (typeof a === 'number') res.statusCode = a;
      else res.writeHead(a.status, { location: a.location });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

describe('webhook delivery', () => {
  const servers: Server[] = [];
  after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  test('retries 5xx with backoff until delivered; the Standard Webhooks signature verifies with the reference library', async () => {
    const r = await receiver((n) => (n <= 2 ? 503 : 204));
    servers.push(r.server);
    let delivered = 0;
    const hook = new WebhookDelivery({ url: r.url, secret: SECRET, logger: silentLogger, baseDelayMs: 10, onDelivered: (n) => (delivered += n) });
    const events = [event(1), event(2), event(3)];
    hook.enqueue(events);
    await hook.stop();
    assert.equal(r.received.length, 3);
    assert.deepEqual(r.received.map((x) => x.attempt), ['1', '2', '3']);
    assert.equal(delivered, 3);
    for (const x of r.received) assert.ok(verify(x.headers, x.body));
    assert.ok(!verify(r.received[2]!.headers, r.received[2]!.body.replace('f1', 'f9')), 'a tampered body fails verification');
    assert.ok(!verify(r.received[2]!.headers, r.received[2]!.body, newWebhookSecret()), 'another secret fails verification');
    // One message, three attempts: the same webhook-id each time, so a receiver can drop a duplicate delivery.
    const ids = r.received.map((x) => x.headers['webhook-id']);
    assert.match(String(ids[0]), /^msg_[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(ids, [ids[0], ids[0], ids[0]]);
    assert.equal(r.received[0]!.headers['x-refreshd-signature'], undefined, 'the hand-written scheme is gone');
    const logs = JSON.parse(r.received[2]!.body) as { log_id: string; type: string; date: string; details: { familyId: string } }[];
    assert.deepEqual(logs.map((l) => l.log_id), events.map((e) => e.logId));
    assert.equal(logs[0]!.type, 'sertft');
    assert.equal(logs[0]!.date, '2026-01-01T00:00:00.001Z');
    assert.equal(logs[1]!.details.familyId, 'f2');
  });

  test('each batch is its own message with its own webhook-id', async () => {
    const r = await receiver(() => 204);
    servers.push(r.server);
    const hook = new WebhookDelivery({ url: r.url, secret: SECRET, logger: silentLogger, batchSize: 1 });
    hook.enqueue([event(1), event(2)]);
    await hook.stop();
    assert.equal(r.received.length, 2);
    assert.notEqual(r.received[0]!.headers['webhook-id'], r.received[1]!.headers['webhook-id']);
    for (const x of r.received) assert.ok(verify(x.headers, x.body));
  });

  test('a redirect is never followed: the signed events do not reach the other host, and the batch fails', async () => {
    const elsewhere = await receiver(() => 204);
    servers.push(elsewhere.server);
    for (const status of [301, 302, 303, 307, 308]) {
      const r = await receiver(() => ({ status, location: elsewhere.url.replace('127.0.0.1', 'localhost') }));
      servers.push(r.server);
      let failed = 0;
      let delivered = 0;
      const hook = new WebhookDelivery({ url: r.url, secret: SECRET, logger: silentLogger, baseDelayMs: 1, onFailed: (n) => (failed += n), onDelivered: (n) => (delivered += n) });
      hook.enqueue([event(1)]);
      await hook.stop();
      assert.equal(r.received.length, 1, `${status}: asked once, not retried`);
      assert.deepEqual([failed, delivered], [1, 0], `${status}: counted as failed`);
    }
    assert.equal(elsewhere.received.length, 0, 'the redirect target never saw a request');
  });

  test('the secret must be a Standard Webhooks secret; an old-style secret is a one-line error saying what to do', () => {
    assert.equal(webhookSecretProblem(newWebhookSecret()), null);
    const env = { REFRESHD_WEBHOOK_URL: 'https://hooks.example/refreshd' };
    assert.equal(loadEnv({ ...env, REFRESHD_WEBHOOK_SECRET: SECRET }).webhookSecret, SECRET);
    for (const bad of ['webhook-secret-0123456789abcdefghij', 'whsec_short', `whsec_${Buffer.alloc(16).toString('base64')}`, 'whsec_not base64!!']) {
      assert.throws(
        () => loadEnv({ ...env, REFRESHD_WEBHOOK_SECRET: bad }),
        (err: Error) => err instanceof ConfigError && /^REFRESHD_WEBHOOK_SECRET: .*whsec_\$\(openssl rand -base64 32\)/.test(err.message) && !err.message.includes(bad),
      );
    }
  });

  test('a receiver that refuses (4xx) gets no retries; the batch is counted as failed', async () => {
    const r = await receiver(() => 400);
    servers.push(r.server);
    let failed = 0;
    const hook = new WebhookDelivery({ url: r.url, secret: SECRET, logger: silentLogger, baseDelayMs: 10, onFailed: (n) => (failed += n) });
    hook.enqueue([event(1)]);
    await hook.stop();
    assert.equal(r.received.length, 1);
    assert.equal(failed, 1);
  });

  test('an unreachable receiver is retried maxAttempts times, then given up', async () => {
    let failed = 0;
    let calls = 0;
    const hook = new WebhookDelivery({
      url: 'http://127.0.0.1:9/unreachable',
      secret: SECRET,
      logger: silentLogger,
      baseDelayMs: 5,
      maxAttempts: 3,
      fetch: async (...args) => {
        calls++;
        return fetch(...args);
      },
      onFailed: (n) => (failed += n),
    });
    hook.enqueue([event(1), event(2)]);
    await hook.stop();
    assert.equal(calls, 3);
    assert.equal(failed, 2);
  });

  test('a receiver that hangs does not make the queue grow without bound: the oldest are dropped and counted', async () => {
    let failed = 0;
    let release: () => void = () => {};
    const hung = new Promise<void>((r) => (release = r));
    const bodies: string[] = [];
    const hook = new WebhookDelivery({
      url: 'http://127.0.0.1:9/hung',
      secret: SECRET,
      logger: silentLogger,
      batchSize: 2,
      maxQueue: 5,
      fetch: async (_url, init) => {
        bodies.push(String(init?.body));
        await hung;
        return new Response(null, { status: 204 });
      },
      onFailed: (n) => (failed += n),
    });
    // The first batch (events 0 and 1) is in flight; 10 more arrive while the receiver hangs.
    hook.enqueue([event(0), event(1), event(2)]);
    for (let i = 3; i < 13; i++) hook.enqueue([event(i)]);
    assert.equal(failed, 6, 'of the 11 waiting, the 6 oldest were dropped');
    release();
    await hook.stop();
    const delivered = bodies.flatMap((b) => (JSON.parse(b) as { details: { familyId: string } }[]).map((l) => l.details.familyId));
    assert.deepEqual(delivered, ['f0', 'f1', 'f8', 'f9', 'f10', 'f11', 'f12']);
  });
});
