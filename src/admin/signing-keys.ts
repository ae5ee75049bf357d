import type { Clock } from '../core/clock.js';
import { DEFAULT_KEY_ACTIVATION_DELAY_SECONDS } from '../core/key-rotation.js';
import type { SigningAlg, SigningKey } from '../core/types.js';
import { DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS } from '../oauth/defaults.js';
import type { ClientStore, KeyStore } from '../ports/store.js';
import type { KeyRing, Rotation } from '../tokens/key-ring.js';

/** What key administration reads and writes; the CLI (and any other front) hands in the same slice. */
export interface SigningKeyAdminDeps {
  keys: KeyRing;
  store: Pick<KeyStore, 'listSigningKeys'> & Pick<ClientStore, 'listResourceServers'>;
  clock: Clock;
}

export interface RotateSigningKeyInput {
  alg: SigningAlg;
  /** Seconds between publishing the new key and signing with it (default DEFAULT_KEY_ACTIVATION_DELAY_SECONDS). */
  activationDelaySeconds?: number;
  /** Seconds the replaced keys keep verifying once the new key signs (default: the longest access-token lifetime). */
  graceSeconds?: number;
}

export interface RotateSigningKeyResult extends Rotation {
  activationDelaySeconds: number;
  graceSeconds: number;
}

/**
 * Rotates the signing key of one algorithm: the new key is in the JWKS at once (on every instance within its key
 * refresh interval) and signs after the activation delay; until then the current key signs, and it verifies for
 * the grace period after. The grace defaults to the longest access-token lifetime of any API (at least a day), so
 * every token the old key signed expires before the key leaves the JWKS.
 */
export async function rotateSigningKey(deps: SigningKeyAdminDeps, input: RotateSigningKeyInput): Promise<RotateSigningKeyResult> {
  const activationDelaySeconds = input.activationDelaySeconds ?? DEFAULT_KEY_ACTIVATION_DELAY_SECONDS;
  const graceSeconds =
    input.graceSeconds ?? Math.max(DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS, ...(await deps.store.listResourceServers()).map((r) => r.tokenLifetimeSeconds));
  const rotation = await deps.keys.rotate(input.alg, { activationDelaySeconds, graceSeconds });
  return { ...rotation, activationDelaySeconds, graceSeconds };
}

/** A key's state at a given time: published before it signs, published after it stops, then gone from the JWKS. */
export type SigningKeyState = 'pending' | 'signing' | 'retiring' | 'retired' | 'expired';

export interface SigningKeyView {
  kid: string;
  alg: SigningAlg;
  createdAt: number;
  /** Null: signs from its creation. */
  activatesAt: number | null;
  retiredAt: number | null;
  verifyUntil: number | null;
  state: SigningKeyState;
}

function stateOf(key: SigningKey, now: number): SigningKeyState {
  if (key.verifyUntil !== null && key.verifyUntil <= now) return 'expired';
  if (key.retiredAt !== null && key.retiredAt <= now) return 'retired';
  if (key.activatesAt !== null && key.activatesAt > now) return 'pending';
  return key.retiredAt === null ? 'signing' : 'retiring';
}

/** Every signing key (public information only), oldest first, with its state now. */
export async function listSigningKeys(deps: Pick<SigningKeyAdminDeps, 'store' | 'clock'>): Promise<SigningKeyView[]> {
  const now = deps.clock.now();
  return (await deps.store.listSigningKeys()).map((k) => ({
    kid: k.kid,
    alg: k.alg,
    createdAt: k.createdAt,
    activatesAt: k.activatesAt,
    retiredAt: k.retiredAt,
    verifyUntil: k.verifyUntil,
    state: stateOf(k, now),
  }));
}
