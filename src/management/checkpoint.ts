import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { PagePosition, PageRequest } from '../ports/store.js';
import { invalidCheckpoint } from './errors.js';

/**
 * Checkpoint pagination cursors (`next` / `from`), opaque to clients:
 *
 *   base64url( version(1) ‖ issuedAtSeconds(4, BE) ‖ createdAtMs(6, BE) ‖ idLength(1) ‖ id ‖ tag(16) )
 *
 * The position is the keyset (createdAt, id) of the last row served, so pages stay consistent while rows are
 * added or revoked in between. The tag is HMAC-SHA-256 over the query's binding (endpoint, user, client) and
 * the body under a server secret: a cursor that was tampered with, or that belongs to another query, fails it.
 * Cursors expire after 24 hours, as Auth0's do.
 */
const VERSION = 1;
const TAG_LEN = 16;
const HEADER_LEN = 1 + 4 + 6 + 1;
export const CHECKPOINT_TTL_MS = 24 * 60 * 60 * 1000;
/** Cursors longer than this cannot be ours (ids are at most 255 bytes); checked before decoding anything. */
const MAX_ENCODED_LEN = Math.ceil(((HEADER_LEN + 255 + TAG_LEN) * 4) / 3);

/** The query a cursor belongs to; a cursor only continues the listing it came from. */
export type CheckpointBinding = readonly [endpoint: string, ...filters: (string | null)[]];

export class CheckpointCodec {
  readonly #key: Buffer;
  readonly #clock: Clock;

  constructor(key: Buffer, clock: Clock) {
    if (key.length < 32) throw new TypeError('the checkpoint MAC key must be at least 32 bytes');
    this.#key = key;
    this.#clock = clock;
  }

  #tag(binding: CheckpointBinding, body: Buffer): Buffer {
    // JSON of the binding is unambiguous (no field can run into the next) and contains no raw NUL byte.
    return createHmac('sha256', this.#key).update(JSON.stringify(binding)).update('\0').update(body).digest().subarray(0, TAG_LEN);
  }

  encode(position: PagePosition, binding: CheckpointBinding): string {
    const id = Buffer.from(position.id, 'utf8');
    if (id.length > 255) throw new TypeError('row ids longer than 255 bytes cannot be paged');
    const body = Buffer.alloc(HEADER_LEN + id.length);
    body[0] = VERSION;
    body.writeUInt32BE(Math.floor(this.#clock.now() / 1000), 1);
    body.writeUIntBE(position.createdAt, 5, 6);
    body[11] = id.length;
    id.copy(body, HEADER_LEN);
    return Buffer.concat([body, this.#tag(binding, body)]).toString('base64url');
  }

  /** The position a cursor stands for; throws 400 invalid_query_string for anything else. */
  decode(cursor: string, binding: CheckpointBinding): PagePosition {
    if (cursor.length > MAX_ENCODED_LEN || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCheckpoint();
    const raw = Buffer.from(cursor, 'base64url');
    // One spelling per cursor: unused trailing bits must be zero, as the encoder leaves them.
    if (raw.toString('base64url') !== cursor) throw invalidCheckpoint();
    if (raw.length < HEADER_LEN + TAG_LEN || raw[0] !== VERSION) throw invalidCheckpoint();
    const body = raw.subarray(0, raw.length - TAG_LEN);
    if (body.length !== HEADER_LEN + (body[11] ?? 0)) throw invalidCheckpoint();
    if (!timingSafeEqual(this.#tag(binding, body), raw.subarray(raw.length - TAG_LEN))) throw invalidCheckpoint();
    const issuedAt = body.readUInt32BE(1) * 1000;
    const now = this.#clock.now();
    if (now - issuedAt > CHECKPOINT_TTL_MS) throw invalidCheckpoint();
    return { createdAt: body.readUIntBE(5, 6), id: body.subarray(HEADER_LEN).toString('utf8') };
  }
}

export const DEFAULT_TAKE = 50;
export const MAX_TAKE = 100;

export interface Page<T> {
  items: T[];
  /** Present only when more rows follow. */
  next?: string;
}

/**
 * Reads one page in (createdAt, id) order. It asks the store for one row more than `take`: if that row exists
 * there is a next page, and the cursor points at the last row served, never at the peeked one.
 */
export async function readPage<T extends PagePosition>(
  checkpoints: CheckpointCodec,
  binding: CheckpointBinding,
  input: { from?: string | undefined; take?: number | undefined },
  fetch: (page: PageRequest) => Promise<T[]>,
): Promise<Page<T>> {
  // An empty `from` means "first page": the SDK itself treats an empty `next` as the end.
  const after = input.from ? checkpoints.decode(input.from, binding) : undefined;
  const take = input.take ?? DEFAULT_TAKE;
  if (!Number.isInteger(take) || take < 1 || take > MAX_TAKE) throw new TypeError(`take must be 1-${MAX_TAKE}`);
  const rows = await fetch({ after, limit: take + 1 });
  const items = rows.slice(0, take);
  const last = items[items.length - 1];
  if (rows.length > take && last) return { items, next: checkpoints.encode({ createdAt: last.createdAt, id: last.id }, binding) };
  return { items };
}
