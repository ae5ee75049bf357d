import autocannon, { type AutocannonClient, type AutocannonRequest } from 'autocannon';
import { LatencyRecorder } from './latency-recorder.js';

/**
 * One connection's request stream. autocannon builds each request just before writing it (setupRequest) and
 * reports each complete response (onResponse); a source created per connection can therefore chain state from
 * one response into the next request, which is how a refresh token's successor is presented next.
 */
export interface ConnectionSource {
  /** The next request, or null when there is nothing left to send (counted as exhausted). */
  next(): { path: string; body?: string; /** Added to the load's headers for this request only (a DPoP proof). */ headers?: Record<string, string> } | null;
  /** The response to the request last returned by next(). */
  done(status: number, body: string, headers: Record<string, string | string[]>): void;
  /** The request last returned by next() will never get a response (connection dropped, run ended). */
  abandon(): void;
}

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Creates (or hands back) the source for connection `index`. */
  source(index: number): ConnectionSource;
  /** Share one recorder between loads run at once (several instances), for percentiles over all of them. */
  latencies?: LatencyRecorder;
}

export interface LoadResult {
  seconds: number;
  ok: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  /** Connection errors and timeouts reported by autocannon. */
  errors: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

/** Drives `connections` keep-alive connections for `durationSeconds` with autocannon. */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const latencies = opts.latencies ?? new LatencyRecorder();
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let non2xx = 0;
  let nextIndex = 0;
  const sources: { source: ConnectionSource; sentAt: number; pending: boolean }[] = [];

  // A placeholder every connection is built with and then replaced in setupClient, before anything is sent.
  const placeholder: AutocannonRequest = { method: opts.method, path: '/', headers: opts.headers };

  const setupClient = (client: AutocannonClient) => {
    const slot = { source: opts.source(nextIndex++), sentAt: NaN, pending: false };
    sources.push(slot);
    client.setRequests([
      {
        method: opts.method,
        path: '/',
        headers: opts.headers,
        setupRequest(req) {
          // A request built while another is unanswered means autocannon reconnected and dropped that one.
          if (slot.pending) slot.source.abandon();
          const next = slot.source.next();
          if (!next) return { ...req, path: '/__exhausted' };
          slot.pending = true;
          slot.sentAt = performance.now();
          const built = next.body === undefined ? { ...req, path: next.path } : { ...req, path: next.path, body: next.body };
          return next.headers ? { ...built, headers: { ...opts.headers, ...next.headers } } : built;
        },
        onResponse(status, body, _context, headers) {
          if (!slot.pending) return;
          slot.pending = false;
          latencies.record(performance.now() - slot.sentAt);
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          if (status >= 200 && status < 300) ok++;
          else non2xx++;
          slot.source.done(status, body, headers);
        },
      },
    ]);
  };

  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: opts.durationSeconds,
        timeout: 10,
        requests: [placeholder],
        setupClient,
      },
      (err, result) => {
        const seconds = (performance.now() - t0) / 1000;
        for (const slot of sources) if (slot.pending) slot.source.abandon();
        if (err) return reject(err);
        resolve({
          seconds,
          ok,
          non2xx,
          statusCounts,
          errors: result.errors,
          requestsPerSecond: ok / seconds,
          latencyMs: latencies.percentiles(),
        });
      },
    );
  });
}
