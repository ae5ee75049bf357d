import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AccessTokenContent } from './access-token-jwt.js';

export interface SignRequest {
  id: number;
  content: AccessTokenContent;
  /** The private JWK, sent only the first time a worker sees this kid (workers keep imported keys). */
  privateJwk?: string;
}

export type SignReply = { id: number; token: string; error?: undefined } | { id: number; error: string; token?: undefined };

interface Slot {
  worker: Worker;
  /** Kids whose key this worker has been sent. */
  kids: Set<string>;
  pending: Map<number, { resolve(token: string): void; reject(err: Error): void }>;
  /** Requests of this event-loop turn, posted together (one message, one wake-up) in the check phase. */
  outbox: SignRequest[];
}

/** One signing worker per core beyond the event loop's, at least one, at most two: signing itself runs in
 * WebCrypto's thread pool anyway; the workers take the JWT assembly and WebCrypto's dispatch off the event loop. */
export function defaultSigningWorkers(): number {
  return Math.min(2, Math.max(1, availableParallelism() - 1));
}

/**
 * Access tokens signed on worker threads (node:worker_threads), with jose as on the main thread. Profiling the
 * refresh grant showed jose's JWT assembly plus WebCrypto's per-call setup at ~20 µs of event-loop time per token
 * (the RSA or ECDSA math already runs on libuv's pool); a worker takes all of it for ~5 µs of messaging.
 *
 * Requests made during one event-loop turn travel as one message, and so do the worker's answers: under load a
 * turn handles several requests, and each message costs a serialisation and a thread wake-up.
 *
 * Workers start on first use and are unref'd while idle, so a process that has nothing else to do can exit.
 */
export class SigningPool {
  readonly #size: number;
  readonly #slots: (Slot | null)[];
  #next = 0;
  #nextId = 1;
  #closed = false;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new TypeError('a signing pool needs at least one worker');
    this.#size = size;
    this.#slots = Array.from({ length: size }, () => null);
  }

  sign(content: AccessTokenContent, privateJwk: string): Promise<string> {
    if (this.#closed) return Promise.reject(new Error('the signing pool is closed'));
    const index = this.#next;
    this.#next = (this.#next + 1) % this.#size;
    const slot = this.#slots[index] ?? this.#start(index);
    const id = this.#nextId++;
    const request: SignRequest = { id, content };
    if (!slot.kids.has(content.kid)) {
      request.privateJwk = privateJwk;
      slot.kids.add(content.kid);
    }
    return new Promise<string>((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
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
    const worker = new Worker(new URL('./signing-worker.js', import.meta.url));
    const slot: Slot = { worker, kids: new Set(), pending: new Map(), outbox: [] };
    worker.unref();
    worker.on('message', (replies: SignReply[]) => {
      for (const reply of replies) {
        const waiter = slot.pending.get(reply.id);
        if (!waiter) continue;
        slot.pending.delete(reply.id);
        if (reply.error !== undefined) waiter.reject(new Error(reply.error));
        else waiter.resolve(reply.token);
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
    worker.on('exit', (code) => fail(new Error(`signing worker exited (${code})`)));
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
