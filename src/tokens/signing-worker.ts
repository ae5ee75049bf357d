import { parentPort } from 'node:worker_threads';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { signAccessToken } from './access-token-jwt.js';
import type { SignReply, SignRequest } from './signing-pool.js';

// A signing worker (see signing-pool.ts): imports each key once, then signs whatever the main thread sends.
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(req: SignRequest): Promise<CryptoKey> {
  let key = keys.get(req.content.kid);
  if (!key) {
    if (!req.privateJwk) throw new Error(`signing worker: no key material for kid ${req.content.kid}`);
    key = importJWK(JSON.parse(req.privateJwk) as JWK, req.content.alg) as Promise<CryptoKey>;
    keys.set(req.content.kid, key);
  }
  return key;
}

// Answers are batched like requests: those ready within one turn of this worker's loop go back as one message.
let outbox: SignReply[] = [];
function reply(r: SignReply): void {
  if (outbox.push(r) === 1) {
    setImmediate(() => {
      const batch = outbox;
      outbox = [];
      parentPort?.postMessage(batch);
    });
  }
}

parentPort?.on('message', (batch: SignRequest[]) => {
  for (const req of batch) {
    Promise.resolve()
      .then(() => keyFor(req))
      .then((key) => signAccessToken(req.content, key))
      .then(
        (token) => reply({ id: req.id, token }),
        (err: unknown) => reply({ id: req.id, error: err instanceof Error ? err.message : String(err) }),
      );
  }
});
