import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Webhook } from 'standardwebhooks';
import type { TokenHookEvent } from '../../src/hooks/token-hook-schema.js';

/** What the hook answers to one event: a JSON decision (200), no change (204), or raw misbehaviour. */
export type HookReply =
  | { json: unknown; status?: number }
  | { noChange: true }
  | { status: number; text?: string; headers?: Record<string, string> }
  | { hang: true };

export interface HookServer {
  url: string;
  secret: string;
  /** Every event received, in order, each verified with `standardwebhooks` before it was recorded. */
  received: TokenHookEvent[];
  /** Requests whose signature did not verify (should stay empty). */
  unverified: number;
  /** Decides the reply to each event; replace it per test. */
  reply: (event: TokenHookEvent) => HookReply;
  close(): Promise<void>;
}

/** A fresh Standard Webhooks secret (whsec_ + 32 random bytes). */
export function newHookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * A real hook server on a loopback port, written as an application would write it: Express, the raw body
 * verified with the `standardwebhooks` package, then a decision. Tests script the decisions.
 */
export async function startHookServer(secret = newHookSecret()): Promise<HookServer> {
  const wh = new Webhook(secret);
  const app = express();
  const state: HookServer = {
    url: '',
    secret,
    received: [],
    unverified: 0,
    reply: () => ({ noChange: true }),
    close: async () => {},
  };
  app.post('/hook', express.raw({ type: 'application/json', limit: '1mb' }), (req, res) => {
    let event: TokenHookEvent;
    try {
      event = wh.verify(req.body as Buffer, req.headers as Record<string, string>) as TokenHookEvent;
    } catch {
      state.unverified++;
      res.status(401).end();
      return;
    }
    state.received.push(event);
    const r = state.reply(event);
    if ('hang' in r) return; // never answers; the connection is cut when the server closes
    if ('noChange' in r) {
      res.status(204).end();
      return;
    }
    if ('json' in r) {
      res.status(r.status ?? 200).json(r.json);
      return;
    }
    res.status(r.status);
    for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
    res.send(r.text ?? '');
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** Hook settings for the test server over `hook`, failing as `onFailure` says. */
export function hookSettings(hook: { url: string; secret: string }, o: { onFailure?: 'deny' | 'allow'; timeoutMs?: number; events?: ('issuance' | 'refresh')[] } = {}) {
  return {
    url: hook.url,
    secret: hook.secret,
    timeoutMs: o.timeoutMs ?? 2_000,
    onFailure: o.onFailure ?? ('deny' as const),
    events: o.events ?? (['issuance', 'refresh'] as ('issuance' | 'refresh')[]),
  };
}
