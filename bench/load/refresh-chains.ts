import type { ConnectionSource } from './run-load.js';

/**
 * Refresh tokens for a chained rotation load. Each connection owns one chain: it presents its token, and the
 * successor in the answer is the next token it presents. A token is handed out at most once, ever: a token whose
 * answer never came (dropped connection, end of run) is abandoned, not retried, and a failed exchange ends its
 * chain (a fresh pre-issued token replaces it). autocannon ends a run by closing its connections, which abandons the
 * requests then in flight, so every run starts fresh chains from tokens issued just before it (refill).
 */
export class RefreshChains {
  #spares: string[] = [];
  readonly #heads = new Map<number, string>();
  readonly #presented = new Set<string>();
  /** Tokens presented twice (must stay 0: it would mean the harness, not the server, broke the rules). */
  duplicates = 0;
  /** Tokens sent whose answer never arrived; never presented again. */
  abandoned = 0;
  /** Chains that ended on a non-2xx or an answer without a new refresh token. */
  broken = 0;
  /** Requests that found no token at all (the spare pool ran dry). */
  exhausted = 0;
  readonly failures: { status: number; body: string }[] = [];

  /**
   * Fresh tokens for the next run. Leftover spares are dropped unused (never presented): oidc-provider's
   * in-memory adapter is an LRU that evicts tokens nobody touches under load, so tokens must be minted just
   * before the run that presents them.
   */
  refill(tokens: readonly string[]): void {
    this.#spares = [...tokens];
  }

  get presentedCount(): number {
    return this.#presented.size;
  }

  /** The source for connection `index`, continuing that connection's chain if it has one. */
  source(index: number, body: (refreshToken: string) => string, path: string, sender?: ChainSender): ConnectionSource {
    let inFlight: string | null = null;
    return {
      next: () => {
        const token = this.#heads.get(index) ?? this.#spares.shift();
        this.#heads.delete(index);
        if (token === undefined) {
          this.exhausted++;
          return null;
        }
        if (this.#presented.has(token)) this.duplicates++;
        this.#presented.add(token);
        inFlight = token;
        return sender ? { path, body: body(token), headers: sender.headers() } : { path, body: body(token) };
      },
      done: (status, text, headers) => {
        sender?.answered(headers);
        const presented = inFlight;
        inFlight = null;
        const successor = status === 200 ? refreshTokenIn(text) : null;
        if (successor && successor !== presented) {
          this.#heads.set(index, successor);
          return;
        }
        this.broken++;
        if (this.failures.length < 10) this.failures.push({ status, body: text.slice(0, 300) });
      },
      abandon: () => {
        if (inFlight !== null) this.abandoned++;
        inFlight = null;
      },
    };
  }
}

/** Per-request headers of a chain's requests (a DPoP proof), and what the sender learns from each answer (a nonce). */
export interface ChainSender {
  headers(): Record<string, string>;
  answered(headers: Record<string, string | string[]>): void;
}

/** The refresh_token member of a token response, found without a full JSON.parse (the generator shares the CPU). */
function refreshTokenIn(text: string): string | null {
  const key = '"refresh_token":"';
  const at = text.indexOf(key);
  if (at < 0) return null;
  const end = text.indexOf('"', at + key.length);
  return end < 0 ? null : text.slice(at + key.length, end);
}
