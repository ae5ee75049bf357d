import { createHash } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { ConfigError } from '../core/errors.js';

/** The setting that holds the key-encryption key: 32 random bytes, base64 (`openssl rand -base64 32`). */
export const KEY_ENCRYPTION_KEY_SETTING = 'REFRESHD_KEY_ENCRYPTION_KEY';

/**
 * Stored key material that is encrypted starts with this; anything else is plaintext from before encryption was
 * turned on (a private JWK's JSON, or a secret's raw bytes: 32 random bytes start with it once in 2^64).
 */
const SEALED_PREFIX = 'rfd-jwe:';
const SLOT_HEADER = 'rfd-slot';

export function isSealed(stored: string | Buffer): boolean {
  return typeof stored === 'string' ? stored.startsWith(SEALED_PREFIX) : stored.subarray(0, SEALED_PREFIX.length).toString('latin1') === SEALED_PREFIX;
}

/**
 * Encrypts private key material at rest (signing keys' private JWKs, the MAC keys in server_secrets) under a key
 * from the environment: a JWE (jose; `dir`, A256GCM), whose protected header names the key (`kid`, a fingerprint,
 * never the key) and the row (`rfd-slot`), so a ciphertext copied into another row does not decrypt there.
 */
export class KeyCipher {
  /** Fingerprint of the key-encryption key, in every ciphertext's header: says which key a row needs. */
  readonly kid: string;
  readonly #key: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new TypeError('the key-encryption key must be 32 bytes');
    this.#key = Uint8Array.from(key);
    this.kid = createHash('sha256').update('refreshd key-encryption key\0').update(key).digest().subarray(0, 9).toString('base64url');
  }

  /** From the setting's value: base64 (or base64url) of exactly 32 bytes, or a one-line ConfigError. */
  static fromSetting(value: string): KeyCipher {
    const text = value.trim();
    const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64') : Buffer.alloc(0);
    if (bytes.length !== 32) {
      throw new ConfigError(`${KEY_ENCRYPTION_KEY_SETTING}: expected 32 bytes in base64 (generate one with: openssl rand -base64 32)`);
    }
    return new KeyCipher(bytes);
  }

  async seal(plaintext: Uint8Array, slot: string): Promise<string> {
    const jwe = await new CompactEncrypt(plaintext).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: this.kid, [SLOT_HEADER]: slot }).encrypt(this.#key);
    return SEALED_PREFIX + jwe;
  }

  /** Decrypts what seal() wrote for `slot`; a ConfigError naming `what` for the wrong key or an altered row. */
  async open(sealed: string, slot: string, what: string): Promise<Uint8Array> {
    const jwe = sealed.slice(SEALED_PREFIX.length);
    const kid = sealedKid(jwe);
    if (kid !== this.kid) {
      throw new ConfigError(`${what} is encrypted under key ${kid}, but ${KEY_ENCRYPTION_KEY_SETTING} is key ${this.kid}: set the key it was encrypted with`);
    }
    try {
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, this.#key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      if (protectedHeader[SLOT_HEADER] !== slot) throw new Error('slot mismatch');
      return plaintext;
    } catch {
      throw new ConfigError(`${what} cannot be decrypted with ${KEY_ENCRYPTION_KEY_SETTING} (key ${this.kid}): the row was altered, or copied from another row or database`);
    }
  }
}

function sealedKid(jwe: string): string {
  try {
    const kid = decodeProtectedHeader(jwe).kid;
    return typeof kid === 'string' ? kid.slice(0, 32) : '(none)';
  } catch {
    return '(unreadable)';
  }
}

/**
 * Reads stored key material: plaintext as it is; sealed with the cipher, or a one-line ConfigError when there is
 * no key to open it (refreshd must not start and mint with keys it cannot read, nor generate new ones beside them).
 */
export async function openStored(cipher: KeyCipher | null, stored: string | Buffer, slot: string, what: string): Promise<Buffer> {
  if (!isSealed(stored)) return Buffer.isBuffer(stored) ? stored : Buffer.from(stored, 'utf8');
  const text = Buffer.isBuffer(stored) ? stored.toString('latin1') : stored;
  if (!cipher) {
    throw new ConfigError(`${what} is encrypted at rest (key ${sealedKid(text.slice(SEALED_PREFIX.length))}); set ${KEY_ENCRYPTION_KEY_SETTING} to the key it was encrypted with`);
  }
  return Buffer.from(await cipher.open(text, slot, what));
}
