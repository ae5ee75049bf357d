import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * Cryptographically secure random bytes, drawn from a pool refilled 4 KiB at a time, as node:crypto's randomUUID
 * does: every refresh needs a new 32-byte secret and a 16-byte jti, and one call into the CSPRNG per value cost
 * more than the copying. Bytes are handed out once and never reused; each caller gets its own copy.
 */
export function secureRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES / 4) return randomFillSync(Buffer.alloc(size));
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    offset = 0;
  }
  const out = Buffer.allocUnsafe(size);
  pool.copy(out, 0, offset, offset + size);
  // Wipe what was handed out, so the pool never holds a secret that is already in use elsewhere.
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}
