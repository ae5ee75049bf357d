import { randomBytes } from 'node:crypto';
import { secureRandomBytes } from './random.js';

/** 128 random bits as base64url (22 characters): ids of families and sessions. */
export function randomId(): string {
  return secureRandomBytes(16).toString('base64url');
}

/**
 * The longest client id refreshd accepts anywhere (configuration, token endpoint, Management API). Longer input is
 * refused before any lookup, so a hostile id cannot cost a database query or a cache entry of its size.
 */
export const MAX_CLIENT_ID_LENGTH = 64;

/** A client id in Auth0's style: 32 characters of base62. */
export function randomClientId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(64);
  let out = '';
  // Rejection sampling keeps the distribution uniform (248 = 4 * 62).
  for (const b of bytes) {
    if (b < 248) out += alphabet[b % 62];
    if (out.length === 32) return out;
  }
  return out + randomClientId().slice(0, 32 - out.length);
}

/** A client secret: 256 random bits as base64url (43 characters), shown once and stored as a digest. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
