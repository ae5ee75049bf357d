import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, describe, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { newEventId } from '../../src/core/event-ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { WebhookDelivery } from '../../src/events/webhook.js';

const SECRET = 'webhook-secret-0123456789abcdefghij';

function event(i: number): StoredEvent {
  const date = Date.UTC(2026, 0, 1) + i;
  return { logId: newEventId(date), date, type: 'sertft', description: 'd', clientId: 'c', userId: 'u', ip: null, userAgent: null, details: { familyId: `f${i}`, tokenCounter: i } };
}

/** What a receiver does: recompute the HMAC over "<t>.<body>" and compare in constant time. */
function verify(header: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = createHmac('sha256', SECRET).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

async function receiver(answer: (attempt: number) => number) {
  const received: { body: string; signature: string; attempt: string }[] = [];
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      calls++;
      received.push({ body, signature: String(req.headers['x-refreshd-signature']), attempt: String(req.headers['x-refreshd-delivery-attempt']) });
      res.statusCode = answer(calls);
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

  test('retries 5xx with backoff until delivered; the signature verifies', async () => {
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
    for (const x of r.received) assert.ok(verify(x.signature, x.body));
    assert.ok(!verify(r.received[2]!.signature, r.received[2]!.body.replace('f1', 'f9')), 'a tampered body fails verification');
    const logs = JSON.parse(r.received[2]!.body) as { log_id: string; type: string; date: string; details: { familyId: string } }[];
    assert.deepEqual(logs.map((l) => l.log_id), events.map((e) => e.logId));
    assert.equal(logs[0]!.type, 'sertft');
    assert.equal(logs[0]!.date, '2026-01-01T00:00:00.001Z');
    assert.equal(logs[1]!.details.familyId, 'f2');
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
