import { createCipheriv, createDecipheriv, createHmac, hash, hkdfSync, timingSafeEqual } from 'node:crypto';
import { secureRandomBytes } from '../core/random.js';

/**
 * Refresh-token wire format:
 *
 *   rfd_rt_ + base64url( version(1) ‖ familyId(16) ‖ generation(4, BE) ‖ secret(32) ‖ tag(16) )
 *
 * - the prefix makes leaked tokens easy to find for secret scanners;
 * - `familyId` is the family's public id (the Management API `id`): it locates the row, it grants nothing;
 * - `secret` is 256 random bits; the database keeps only SHA-256(secret);
 * - `tag` is HMAC-SHA-256 over the rest under a server key, truncated to 128 bits. It drops junk before any
 *   database work, and it proves that a stale generation presented later really was issued by us, so reuse
 *   detection can revoke a family without letting anyone who merely knows a family id do so.
 */
export const REFRESH_TOKEN_PREFIX = 'rfd_rt_';
const VERSION = 1;
const BODY_LEN = 1 + 16 + 4 + 32;
const TAG_LEN = 16;
const TOKEN_BYTES = BODY_LEN + TAG_LEN;
const ENCODED_LEN = REFRESH_TOKEN_PREFIX.length + Math.ceil((TOKEN_BYTES * 4) / 3);

export interface ParsedRefreshToken {
  familyId: string;
  generation: number;
  secret: Buffer;
}

export function sha256(data: Buffer | string): Buffer {
  // One-shot crypto.hash: a refresh hashes three values, and a Hash object per value cost more than the hashing.
  return hash('sha256', data, 'buffer');
}

export class RefreshTokenCodec {
  readonly #macKey: Buffer;

  constructor(macKey: Buffer) {
    if (macKey.length < 32) throw new TypeError('the refresh-token MAC key must be at least 32 bytes');
    this.#macKey = macKey;
  }

  #tag(body: Buffer): Buffer {
    return createHmac('sha256', this.#macKey).update(body).digest().subarray(0, TAG_LEN);
  }

  format(familyId: string, generation: number, secret: Buffer): string {
    const fid = Buffer.from(familyId, 'base64url');
    if (fid.length !== 16 || secret.length !== 32) throw new TypeError('malformed refresh-token parts');
    const body = Buffer.alloc(BODY_LEN);
    body[0] = VERSION;
    fid.copy(body, 1);
    body.writeUInt32BE(generation, 17);
    secret.copy(body, 21);
    return REFRESH_TOKEN_PREFIX + Buffer.concat([body, this.#tag(body)]).toString('base64url');
  }

  /** Returns null for anything that is not a well-formed token bearing our MAC; never throws on input. */
  parse(token: unknown): ParsedRefreshToken | null {
    if (typeof token !== 'string' || token.length !== ENCODED_LEN || !token.startsWith(REFRESH_TOKEN_PREFIX)) return null;
    const encoded = token.slice(REFRESH_TOKEN_PREFIX.length);
    if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return null;
    const raw = Buffer.from(encoded, 'base64url');
    if (raw.length !== TOKEN_BYTES || raw[0] !== VERSION) return null;
    // Reject non-canonical encodings so one token has exactly one spelling.
    if (raw.toString('base64url') !== encoded) return null;
    const body = raw.subarray(0, BODY_LEN);
    if (!timingSafeEqual(this.#tag(body), raw.subarray(BODY_LEN))) return null;
    return {
      familyId: body.subarray(1, 17).toString('base64url'),
      generation: body.readUInt32BE(17),
      secret: Buffer.from(body.subarray(21, 53)),
    };
  }
}

export function newSecret(): Buffer {
  return secureRandomBytes(32);
}

const BOX_INFO = Buffer.from('refreshd successor v1');

function boxKey(predecessorSecret: Buffer, familyId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', predecessorSecret, Buffer.from(familyId, 'base64url'), BOX_INFO, 32));
}

/**
 * Encrypts the successor's secret under a key derived from the predecessor's secret (AES-256-GCM), so only a
 * holder of the predecessor token can recover the successor during the leeway window, and the database alone
 * reveals nothing. Layout: iv(12) ‖ ciphertext(32) ‖ tag(16).
 */
export function sealSuccessor(predecessorSecret: Buffer, familyId: string, generation: number, successorSecret: Buffer): Buffer {
  const iv = secureRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', boxKey(predecessorSecret, familyId), iv);
  cipher.setAAD(aad(familyId, generation));
  const ct = Buffer.concat([cipher.update(successorSecret), cipher.final()]);
  return Buffer.concat([iv, ct, cipher.getAuthTag()]);
}

export function openSuccessor(predecessorSecret: Buffer, familyId: string, generation: number, box: Buffer): Buffer | null {
  if (box.length !== 12 + 32 + 16) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', boxKey(predecessorSecret, familyId), box.subarray(0, 12));
    decipher.setAAD(aad(familyId, generation));
    decipher.setAuthTag(box.subarray(44));
    return Buffer.concat([decipher.update(box.subarray(12, 44)), decipher.final()]);
  } catch {
    return null;
  }
}

function aad(familyId: string, generation: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(generation);
  return Buffer.concat([Buffer.from(familyId, 'base64url'), b]);
}

/** Constant-time digest comparison (both sides are SHA-256 digests, so lengths match). */
export function digestsEqual(a: Buffer | null, b: Buffer): boolean {
  return a !== null && a.length === b.length && timingSafeEqual(a, b);
}
