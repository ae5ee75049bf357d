import { parentPort, workerData } from 'node:worker_threads';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { OAuthError } from '../core/errors.js';
import { verifyProof } from '../dpop/proof.js';
import { ProofKeyCache } from '../dpop/proof-keys.js';
import { signAccessToken } from '../tokens/access-token-jwt.js';
import type { WorkerReply, WorkerRequest, WorkerSettings } from './crypto-workers.js';

// A crypto worker (see crypto-workers.ts): signs access tokens with keys it imports once, and checks DPoP proofs
// with its own cache of proof keys.
const settings = workerData as WorkerSettings;
const keys = new Map<string, Promise<CryptoKey>>();
// Synchronous checks under cached headers: this thread has nothing else to do meanwhile (proof-keys.ts).
const proofKeys = new ProofKeyCache(settings.proofKeyCacheSize, 'synchronous');

function keyFor(req: Extract<WorkerRequest, { kind: 'sign' }>): Promise<CryptoKey> {
  let key = keys.get(req.content.kid);
  if (!key) {
    if (!req.privateJwk) throw new Error(`signing worker: no key material for kid ${req.content.kid}`);
    key = importJWK(JSON.parse(req.privateJwk) as JWK, req.content.alg) as Promise<CryptoKey>;
    keys.set(req.content.kid, key);
  }
  return key;
}

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  if (req.kind === 'sign') return { id: req.id, token: await signAccessToken(req.content, await keyFor(req)) };
  try {
    return { id: req.id, proof: await verifyProof(req.proof, { ...req.expect, keys: proofKeys }) };
  } catch (err) {
    if (err instanceof OAuthError && err.error === 'invalid_dpop_proof') return { id: req.id, refusal: { description: err.description, detail: err.detail } };
    throw err;
  }
}

// Answers are batched like requests: those ready within one turn of this worker's loop go back as one message.
let outbox: WorkerReply[] = [];
function reply(r: WorkerReply): void {
  if (outbox.push(r) === 1) {
    setImmediate(() => {
      const batch = outbox;
      outbox = [];
      parentPort?.postMessage(batch);
    });
  }
}

parentPort?.on('message', (batch: WorkerRequest[]) => {
  for (const req of batch) {
    handle(req).then(reply, (err: unknown) => reply({ id: req.id, error: err instanceof Error ? err.message : String(err) }));
  }
});
