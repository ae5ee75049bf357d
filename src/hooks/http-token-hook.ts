import { errors as undiciErrors, Pool } from 'undici';
import { StandardWebhookSigner } from '../events/standard-webhooks.js';
import type { TokenHookEvent, TokenHookEventName } from './token-hook-schema.js';
import { TokenHookFailure, type TokenHookFunction, type TokenHookObservation, type TokenHookPolicy } from './token-hook.js';

export interface HttpTokenHookOptions {
  url: string;
  /** The Standard Webhooks secret, `whsec_` + base64 of 24 to 64 random bytes. */
  secret: string;
  timeoutMs: number;
  /** Answers larger than this are a failure (`too_large`), read no further. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Keep-alive connections to the hook (default 32): one round trip per call, no handshake. */
  connections?: number;
  /** Wall clock for `webhook-timestamp` (receivers check it against theirs); default Date.now. */
  now?: () => number;
}

export interface HttpTokenHook {
  call: TokenHookFunction;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * The token hook over HTTP: a POST of the event as JSON, signed with the Standard Webhooks scheme (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`) by the `standardwebhooks` package, over an undici keep-alive pool.
 * 204 is "no change", 200 carries a decision; anything else is a `TokenHookFailure` for the runner's policy:
 * a redirect (never followed: it would send the signed body elsewhere), another status, a body over the cap,
 * unparsable JSON, a refused or dropped connection, or no answer within the timeout.
 */
export function httpTokenHook(options: HttpTokenHookOptions): HttpTokenHook {
  const url = new URL(options.url);
  const path = `${url.pathname}${url.search}`;
  const signer = new StandardWebhookSigner(options.secret);
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const now = options.now ?? Date.now;
  const pool = new Pool(url.origin, { connections: options.connections ?? 32, keepAliveTimeout: 30_000 });
  // Basic credentials in the URL are sent as a header, never as part of the logged URL.
  const authorization =
    url.username || url.password ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : null;

  async function call(event: TokenHookEvent, { signal }: { signal: AbortSignal }) {
    const body = JSON.stringify(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'refreshd-token-hook',
      ...signer.headers(event.request_id, now(), body),
    };
    if (authorization) headers.authorization = authorization;
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await pool.request({
        path,
        method: 'POST',
        headers,
        body,
        signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
    } catch (err) {
      throw transportFailure(err, signal);
    }
    const status = res.statusCode;
    if (status === 204) {
      await res.body.dump();
      return null;
    }
    if (status !== 200) {
      await res.body.dump().catch(() => undefined);
      if (status >= 300 && status < 400) throw new TokenHookFailure('redirect', `status ${status}`);
      throw new TokenHookFailure(status >= 500 ? 'http_5xx' : 'http_status', `status ${status}`);
    }
    const text = await readCapped(res.body, res.headers['content-length'], maxBytes, signal);
    try {
      return JSON.parse(text) as ReturnType<typeof JSON.parse>;
    } catch {
      throw new TokenHookFailure('invalid_response', 'not JSON');
    }
  }

  return { call, close: () => pool.close() };
}

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown },
  contentLength: string | string[] | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<string> {
  const declared = typeof contentLength === 'string' ? Number(contentLength) : NaN;
  if (declared > maxBytes) {
    body.destroy();
    throw new TokenHookFailure('too_large', `${declared} bytes declared`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        throw new TokenHookFailure('too_large', `over ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw transportFailure(err, signal);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function transportFailure(err: unknown, signal: AbortSignal): TokenHookFailure {
  if (err instanceof TokenHookFailure) return err;
  if (signal.aborted || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return new TokenHookFailure('timeout');
  }
  const code = (err as { code?: unknown }).code;
  return new TokenHookFailure('connection', typeof code === 'string' ? code : err instanceof Error ? err.name : undefined);
}

/** The `Refreshd` options for an HTTP hook built from resolved settings, and how to close its pool. */
export function tokenHookOptions(
  settings: { url: string; secret: string; timeoutMs: number; onFailure: 'deny' | 'allow'; events: readonly TokenHookEventName[] },
  observe?: (o: TokenHookObservation) => void,
): { tokenHook: TokenHookFunction; tokenHookPolicy: TokenHookPolicy; onTokenHookCall?: (o: TokenHookObservation) => void; close(): Promise<void> } {
  const hook = httpTokenHook({ url: settings.url, secret: settings.secret, timeoutMs: settings.timeoutMs });
  return {
    tokenHook: hook.call,
    tokenHookPolicy: { onFailure: settings.onFailure, events: settings.events, timeoutMs: settings.timeoutMs },
    ...(observe ? { onTokenHookCall: observe } : {}),
    close: hook.close,
  };
}
