import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { invalidProof, type ProofExpectation, type VerifiedProof } from '../dpop/proof.js';
import type { ProofChecker } from '../dpop/dpop-verifier.js';
import type { AccessTokenContent } from '../tokens/access-token-jwt.js';
import type { TokenSigner } from '../tokens/access-token.js';

/** What the event loop asks a worker: sign an access token, or check a DPoP proof (both with jose). */
export type WorkerRequest =
  | {
      id: number;
      kind: 'sign';
      content: AccessTokenContent;
      /** The private JWK, sent only the first time a worker sees this kid (workers keep imported keys). */
      privateJwk?: string;
    }
  | { id: number; kind: 'proof'; proof: string; expect: Omit<ProofExpectation, 'keys'> };

export type WorkerReply =
  | { id: number; token: string }
  | { id: number; proof: VerifiedProof }
  /** The proof was refused: RFC 9449's invalid_dpop_proof, with what the event loop would have said. */
  | { id: number; refusal: { description: string; detail: string | undefined } }
  | { id: number; error: string };

/** What every worker is started with. */
export interface WorkerSettings {
  /** DPoP proof keys each worker keeps imported (proof-keys.ts); 0: none. */
  proofKeyCacheSize: number;
}

interface Slot {
  worker: Worker;
  /** Kids whose key this worker has been sent. */
  kids: Set<string>;
  pending: Map<number, { resolve(reply: WorkerReply): void; reject(err: Error): void }>;
  /** Requests of this event-loop turn, posted together (one message, one wake-up) in the check phase. */
  outbox: WorkerRequest[];
}

/** One worker per core beyond the event loop's, at least one, at most two: the crypto itself runs in WebCrypto's
 * thread pool anyway; the workers take the JWS assembly and checks and WebCrypto's dispatch off the event loop. */
export function defaultWorkerCount(): number {
  return Math.min(2, Math.max(1, availableParallelism() - 1));
}

/**
 * Worker threads (node:worker_threads) that do the event loop's jose work: signing access tokens and checking
 * DPoP proofs. Profiling the refresh grant showed jose's JWT assembly plus WebCrypto's per-call setup at ~20 µs of
 * event-loop time per token, and a proof's check at ~60 µs (WebCrypto's job setup, the hand-off to libuv's pool
 * and back, the promise; bench/FINDINGS.md); the math already ran on libuv's pool. A worker takes all of it for a
 * few µs of messaging.
 *
 * Requests made during one event-loop turn travel as one message per worker, and so do the worker's answers:
 * under load a turn handles several requests, and each message costs a serialisation and a thread wake-up.
 * Proofs go to a worker chosen by their header, so a client's key is imported and cached in one worker only.
 *
 * Workers start on first use and are unref'd while idle, so a process that has nothing else to do can exit.
 */
export class CryptoWorkers implements TokenSigner, ProofChecker {
  readonly #size: number;
  readonly #settings: WorkerSettings;
  readonly #slots: (Slot | null)[];
  #next = 0;
  #nextId = 1;
  #closed = false;

  constructor(size: number, settings: WorkerSettings = { proofKeyCacheSize: 1024 }) {
    if (!Number.isInteger(size) || size < 1) throw new TypeError('a worker pool needs at least one worker');
    this.#size = size;
    this.#settings = settings;
    this.#slots = Array.from({ length: size }, () => null);
  }

  async sign(content: AccessTokenContent, privateJwk: string): Promise<string> {
    const index = this.#next;
    this.#next = (this.#next + 1) % this.#size;
    const slot = this.#slot(index);
    const request: WorkerRequest = { id: this.#nextId++, kind: 'sign', content };
    if (!slot.kids.has(content.kid)) {
      request.privateJwk = privateJwk;
      slot.kids.add(content.kid);
    }
    const reply = await this.#send(slot, request);
    if ('token' in reply) return reply.token;
    throw new Error('error' in reply ? reply.error : 'signing worker: unexpected reply');
  }

  async verifyProof(proof: string, expect: Omit<ProofExpectation, 'keys'>): Promise<VerifiedProof> {
    const slot = this.#slot(this.#size === 1 ? 0 : headerSpread(proof) % this.#size);
    const reply = await this.#send(slot, { id: this.#nextId++, kind: 'proof', proof, expect });
    if ('proof' in reply) return reply.proof;
    if ('refusal' in reply) throw invalidProof(reply.refusal.description, reply.refusal.detail);
    throw new Error('error' in reply ? reply.error : 'proof worker: unexpected reply');
  }

  #slot(index: number): Slot {
    if (this.#closed) throw new Error('the worker pool is closed');
    return this.#slots[index] ?? this.#start(index);
  }

  #send(slot: Slot, request: WorkerRequest): Promise<WorkerReply> {
    return new Promise<WorkerReply>((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(request.id, { resolve, reject });
      if (slot.outbox.push(request) === 1) {
        setImmediate(() => {
          const batch = slot.outbox;
          slot.outbox = [];
          slot.worker.postMessage(batch);
        });
      }
    });
  }

  #start(index: number): Slot {
    const worker = new Worker(new URL('./crypto-worker.js', import.meta.url), { workerData: this.#settings });
    const slot: Slot = { worker, kids: new Set(), pending: new Map(), outbox: [] };
    worker.unref();
    worker.on('message', (replies: WorkerReply[]) => {
      for (const reply of replies) {
        const waiter = slot.pending.get(reply.id);
        if (!waiter) continue;
        slot.pending.delete(reply.id);
        waiter.resolve(reply);
      }
      if (slot.pending.size === 0) worker.unref();
    });
    const fail = (err: Error) => {
      // A dead worker fails what it held; the next request starts a fresh one.
      if (this.#slots[index] === slot) this.#slots[index] = null;
      for (const waiter of slot.pending.values()) waiter.reject(err);
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`crypto worker exited (${code})`)));
    this.#slots[index] = slot;
    return slot;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.filter((s): s is Slot => s !== null);
    this.#slots.fill(null);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

/** A number that is the same for every proof under one protected header (one client key), cheap to compute. */
function headerSpread(proof: string): number {
  const end = proof.indexOf('.');
  let h = 0;
  // The header ends with the key's coordinates, random for every key.
  for (let i = Math.max(0, end - 8); i < end; i++) h = (h * 31 + proof.charCodeAt(i)) | 0;
  return h >>> 0;
}
