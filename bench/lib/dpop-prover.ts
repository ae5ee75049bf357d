import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

/**
 * RFC 9449 proofs for the load generator. autocannon builds each request synchronously (setupRequest), and every
 * proof needs a fresh `jti` and `iat`, so proofs are signed on the spot with node:crypto's synchronous ES256
 * (`ieee-p1363`: the JWS form of an ECDSA signature) instead of jose's asynchronous SignJWT. Only the harness does
 * this; the server verifies with jose, and a malformed proof here would fail the run (every chain breaks).
 */
export class DpopProver {
  readonly #privateKey: KeyObject;
  readonly #header: string;
  readonly jwk: JWK;

  private constructor(privateKey: KeyObject, jwk: JWK) {
    this.#privateKey = privateKey;
    this.jwk = jwk;
    this.#header = b64url(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk }));
  }

  /** A fresh P-256 key pair, as a browser's WebCrypto or panva's `dpop` makes one. */
  static create(): DpopProver {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    return new DpopProver(privateKey, { kty, crv, x, y } as JWK);
  }

  /** The key's RFC 7638 thumbprint: what token exchange's `dpop_jkt` binds a family to. */
  thumbprint(): Promise<string> {
    return calculateJwkThumbprint(this.jwk, 'sha256');
  }

  /**
   * Signs `count` proofs now, for `next()` to hand out during the next load run. A client signs its proof on its
   * own device; signed on the spot here, the proofs cost the load generator about as much CPU as the server's
   * whole check of them, on the same two cores, and the ratio to bearer refreshes would measure the harness.
   */
  presign(count: number, htu: string, htm: string, nonce: string | undefined): void {
    this.#pool = Array.from({ length: count }, () => this.proof(htu, htm, nonce));
    this.#pooledAt = Date.now();
    this.#pooledFor = { htu, htm, nonce };
  }

  /** A pre-signed proof, or one signed now (counted in `signedOnTheSpot`) once they run out or could be stale. */
  next(htu: string, htm: string, nonce: string | undefined): string {
    const p = this.#pooledFor;
    // Pre-signed proofs carry the nonce of their time: after 45 s it may be a step from expiring.
    const usable = p && p.htu === htu && p.htm === htm && Date.now() - this.#pooledAt < 45_000;
    const proof = usable ? this.#pool.pop() : undefined;
    if (proof) return proof;
    this.signedOnTheSpot++;
    return this.proof(htu, htm, nonce);
  }

  #pool: string[] = [];
  #pooledAt = 0;
  #pooledFor: { htu: string; htm: string; nonce: string | undefined } | null = null;
  signedOnTheSpot = 0;

  /** A proof for `htm` `htu`, with the server's `nonce` when it asks for one. */
  proof(htu: string, htm: string, nonce?: string): string {
    const payload: Record<string, unknown> = { jti: randomBytes(16).toString('base64url'), htm, htu, iat: Math.floor(Date.now() / 1000) };
    if (nonce) payload.nonce = nonce;
    const input = `${this.#header}.${b64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.#privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}
