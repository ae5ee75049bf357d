import { compactVerify, decodeProtectedHeader } from 'jose';
import { OAuthError } from '../core/errors.js';
import { importProofKey, type ProofKey, type ProofKeyCache } from './proof-keys.js';

/**
 * The JWS algorithms a DPoP proof may use: asymmetric only (RFC 9449 §4.3 check 5), so `none` and every HMAC
 * are refused. `Ed25519` is RFC 9864's fully-specified name for what `EdDSA` means with an Ed25519 key; panva's
 * `dpop` client sends it.
 */
export const DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'] as const;

/** Members that only a private (or a symmetric) JWK has (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** A compact JWS longer than this is not a proof anyone sends (an RSA 4096 proof is about 1.5 KB). */
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

export interface ProofExpectation {
  /** The request's method. */
  htm: string;
  /** The endpoint's public URL, as discovery advertises it (no query, no fragment). */
  htu: string;
  now: number;
  /** How far `iat` may be from `now`, either way, in seconds. */
  iatWindowSeconds: number;
  /** Keys of earlier proofs, so a client's key is imported once rather than on every proof. */
  keys?: ProofKeyCache;
}

/** A proof whose signature, header and claims passed; not yet checked against nonces or earlier proofs. */
export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's public key, base64url: what tokens are bound to. */
  jkt: string;
  jti: string;
  /** Epoch seconds. */
  iat: number;
  nonce: string | undefined;
}

export function invalidProof(description: string, detail?: string): OAuthError {
  return new OAuthError('invalid_dpop_proof', description, detail === undefined ? {} : { detail });
}

/**
 * RFC 9449 §4.3 checks 2-11 on one `DPoP` header (check 1, a single header, is the caller's), with jose doing
 * the JWS: compact form, `typ` `dpop+jwt`, an allowed asymmetric `alg`, a public `jwk` that verifies the
 * signature, `jti`, `htm` and `htu` matching the request, `iat` within the window. `ath` is not checked: the
 * token endpoint receives no access token.
 */
export async function verifyProof(proof: string, expect: ProofExpectation): Promise<VerifiedProof> {
  // Segments in strict base64url (no padding, no whitespace) for both paths below: jose's decoder forgives some.
  if (proof.length === 0 || proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) {
    throw invalidProof('The DPoP proof must be a compact JWS.');
  }
  // A header already verified (same bytes) passed the checks below then; only the signature is new.
  const segment = proof.slice(0, proof.indexOf('.'));
  const cached = expect.keys?.get(segment);
  if (!cached) checkHeader(proof);
  let key: ProofKey | undefined = cached;
  let payload: Uint8Array;
  if (cached) {
    payload = await verifyWithCachedKey(proof, segment.length, cached);
  } else {
    try {
      ({ payload } = await compactVerify(proof, async (h, token) => (key ??= await importProofKey(h, token, expect.keys?.mode)).key, { algorithms: [...DPOP_ALGORITHMS] }));
    } catch (err) {
      throw invalidProof('The DPoP proof\'s signature does not verify with its "jwk".', (err as Error).message);
    }
    expect.keys?.set(segment, key!);
  }
  const claims = parseClaims(payload);
  if (claims.htm !== expect.htm) throw invalidProof('The DPoP proof\'s htm does not match the request method.');
  if (!sameUri(claims.htu, expect.htu)) throw invalidProof('The DPoP proof\'s htu does not match the token endpoint URL.', `htu ${claims.htu.slice(0, 200)}`);
  const nowSeconds = Math.floor(expect.now / 1000);
  if (Math.abs(nowSeconds - claims.iat) > expect.iatWindowSeconds) {
    throw invalidProof('The DPoP proof\'s iat is too far from the current time.', `iat ${claims.iat}, now ${nowSeconds}`);
  }
  return { jkt: key!.jkt, jti: claims.jti, iat: claims.iat, nonce: claims.nonce };
}

/**
 * A proof whose protected header jose has already verified a proof with (same bytes, so the same `alg`, `typ`,
 * `jwk` and no `crit`): only the signature over this proof's payload is new (proof-keys.ts `signatureCheck`).
 * Returns the payload's bytes.
 */
async function verifyWithCachedKey(proof: string, headerLength: number, key: ProofKey): Promise<Uint8Array> {
  const dot = proof.indexOf('.', headerLength + 1);
  let valid: boolean;
  try {
    valid = await key.check(Buffer.from(proof.slice(0, dot)), Buffer.from(proof.slice(dot + 1), 'base64url'));
  } catch {
    valid = false; // WebCrypto refusing the signature's form rather than answering false
  }
  if (!valid) throw invalidProof('The DPoP proof\'s signature does not verify with its "jwk".', 'signature verification failed');
  return Buffer.from(proof.slice(headerLength + 1, dot), 'base64url');
}

/** RFC 9449 §4.3 checks 2-6 on the protected header: `typ`, an allowed `alg`, a public `jwk`. */
function checkHeader(proof: string): void {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw invalidProof('The DPoP proof must be a compact JWS.');
  }
  if (header.typ !== 'dpop+jwt') throw invalidProof('The DPoP proof must have typ "dpop+jwt".');
  if (typeof header.alg !== 'string' || !(DPOP_ALGORITHMS as readonly string[]).includes(header.alg)) {
    throw invalidProof(`The DPoP proof's alg must be one of ${DPOP_ALGORITHMS.join(', ')}.`);
  }
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalidProof('The DPoP proof must carry its public key as "jwk".');
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(jwk, m))) throw invalidProof('The DPoP proof\'s "jwk" must be a public key; it has private members.');
}

interface ProofClaims {
  jti: string;
  htm: string;
  htu: string;
  iat: number;
  nonce: string | undefined;
}

function parseClaims(payload: Uint8Array): ProofClaims {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw invalidProof('The DPoP proof\'s payload must be a JSON object.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidProof('The DPoP proof\'s payload must be a JSON object.');
  const { jti, htm, htu, iat, nonce } = value as Record<string, unknown>;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw invalidProof('The DPoP proof must have a jti of 1 to 256 characters.');
  if (typeof htm !== 'string') throw invalidProof('The DPoP proof must have an htm.');
  if (typeof htu !== 'string') throw invalidProof('The DPoP proof must have an htu.');
  if (typeof iat !== 'number' || !Number.isInteger(iat)) throw invalidProof('The DPoP proof must have an iat in whole seconds.');
  if (nonce !== undefined && typeof nonce !== 'string') throw invalidProof('The DPoP proof\'s nonce must be a string.');
  return { jti, htm, htu, iat, nonce };
}

/**
 * RFC 9449 §4.3 check 9: `htu` without query and fragment, compared after RFC 3986 syntax- and scheme-based
 * normalization, which WHATWG URL parsing performs (case of scheme and host, default port, dot segments).
 */
function sameUri(htu: string, expected: string): boolean {
  if (htu === expected) return true;
  let url: URL;
  try {
    url = new URL(htu);
  } catch {
    return false;
  }
  const target = new URL(expected);
  return url.protocol === target.protocol && url.host === target.host && url.pathname === target.pathname;
}
