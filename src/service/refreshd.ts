import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.js';
import { OAuthError } from '../core/errors.js';
import type { EventSink, SecurityEvent } from '../core/events.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { SIGNING_ALGS, type Client } from '../core/types.js';
import { managementAudienceFor } from '../config/env.js';
import { normalizeIssuer } from '../config/issuer.js';
import { EMPTY_CONFIG, type NormalizedConfig } from '../config/load-config.js';
import { TokenHookRunner, type TokenHookFunction, type TokenHookObservation, type TokenHookPolicy } from '../hooks/token-hook.js';
import { MAX_ACTIVE_FAMILIES_PER_USER_CLIENT } from '../oauth/defaults.js';
import type { OAuthDeps, TokenResponse } from '../oauth/deps.js';
import { Directory } from '../oauth/directory.js';
import { issuanceClaims, issuanceMetadata, issueForUser, type IssueResult } from '../oauth/issuance.js';
import { refreshFamily, type RefreshOutcome } from '../oauth/refresh.js';
import { revocationEndpoint, revokeToken } from '../oauth/revocation.js';
import { tokenEndpoint, type EndpointRequest } from '../oauth/token-endpoint.js';
import type { Store } from '../ports/store.js';
import { AccessTokenIssuer } from '../tokens/access-token.js';
import { KeyRing } from '../tokens/key-ring.js';
import { RefreshTokenCodec } from '../tokens/refresh-token.js';
import { CryptoWorkers, defaultWorkerCount } from '../workers/crypto-workers.js';
import { DPOP_DEFAULTS, DpopVerifier, type DpopSettings } from '../dpop/dpop-verifier.js';
import { NonceSource } from '../dpop/nonce.js';
import { MemoryReplayCache, type ProofReplayCache } from '../dpop/replay-cache.js';
import { applyConfig, type ApplyReport } from './apply-config.js';
import type { AdminDeps } from '../admin/deps.js';
import { FileManaged } from '../admin/file-managed.js';
import { ensureManagementApi } from '../admin/management-api.js';

export interface RefreshdOptions {
  store: Store;
  /** The `iss` of access tokens, e.g. https://auth.example.com/ (a trailing slash is added if missing). */
  issuer: string;
  clock?: Clock;
  logger?: Logger;
  /** Receives security events (Auth0 log types); by default they are logged at debug level. */
  events?: EventSink;
  /** How long a Management API access token lives, in seconds (default 86400, Auth0's). */
  managementTokenLifetimeSeconds?: number;
  /** How long clients, APIs and grants are cached in memory (default 5000 ms). */
  cacheTtlMs?: number;
  /** How often signing keys are re-read from the store (default 30 s). */
  keyRefreshMs?: number;
  maxFamiliesPerUserClient?: number;
  /**
   * Worker threads that sign access tokens and check DPoP proofs (default: one per core beyond the first, at most
   * two); 0 does both on the event loop. Call close() to stop them (idle workers never keep the process alive).
   */
  signingWorkers?: number;
  /**
   * The application's token hook, called before anything is written at issuance and on refresh:
   * `async (event) => decision`, with the same event and decision as the HTTP hook (docs/token-hook.md); null or
   * undefined for no change. The server builds one from the `token_hook` configuration.
   */
  tokenHook?: TokenHookFunction | null;
  /** `onFailure` (default 'deny'), `events` (default both) and `timeoutMs` (default 5000) for `tokenHook`. */
  tokenHookPolicy?: Partial<TokenHookPolicy>;
  /** Called after every hook call with its event, result and duration (the server counts them in /metrics). */
  onTokenHookCall?: (observation: TokenHookObservation) => void;
  /**
   * DPoP (RFC 9449): the proof `iat` window and nonce step (DPOP_DEFAULTS), and where used proofs are remembered:
   * this process's memory by default; a RedisReplayCache when several instances serve the same clients.
   */
  dpop?: Partial<DpopSettings> & { replayCache?: ProofReplayCache };
}

export interface DeviceInput {
  ip?: string | null;
  userAgent?: string | null;
}

function loggingSink(logger: Logger): EventSink {
  return { emit: (e: SecurityEvent) => logger.debug({ event: e.type, ...e }, e.description) };
}

/**
 * refreshd as a library: the token service over a Store, without HTTP. The HTTP server is a thin layer over it.
 */
export class Refreshd {
  readonly store: Store;
  readonly clock: Clock;
  readonly issuer: string;
  readonly managementAudience: string;
  readonly keys: KeyRing;
  readonly directory: Directory;
  readonly deps: OAuthDeps;
  readonly #workers: CryptoWorkers | null;
  readonly #dpop: DpopVerifier;
  #fileManaged: FileManaged = FileManaged.NONE;
  readonly #managementTokenLifetimeSeconds: number;

  private constructor(options: RefreshdOptions, secrets: { macKey: Buffer; nonceKey: Buffer }) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.issuer = normalizeIssuer(options.issuer, 'issuer');
    this.managementAudience = managementAudienceFor(this.issuer);
    const logger = options.logger ?? silentLogger;
    this.#managementTokenLifetimeSeconds = options.managementTokenLifetimeSeconds ?? 86_400;
    this.keys = new KeyRing(this.store, this.clock, { refreshIntervalMs: options.keyRefreshMs ?? 30_000 });
    this.directory = new Directory(this.store, this.clock, { ttlMs: options.cacheTtlMs ?? 5_000 });
    const dpop = { ...DPOP_DEFAULTS, ...options.dpop };
    const workers = options.signingWorkers ?? defaultWorkerCount();
    this.#workers = workers > 0 ? new CryptoWorkers(workers, { proofKeyCacheSize: dpop.keyCacheSize }) : null;
    this.#dpop = new DpopVerifier({
      tokenEndpoint: new URL('oauth/token', this.issuer).href,
      settings: { iatWindowSeconds: dpop.iatWindowSeconds, nonceStepSeconds: dpop.nonceStepSeconds, keyCacheSize: dpop.keyCacheSize },
      replay: options.dpop?.replayCache ?? new MemoryReplayCache(this.clock),
      nonces: new NonceSource(secrets.nonceKey, this.clock, dpop.nonceStepSeconds),
      clock: this.clock,
      checker: this.#workers,
    });
    this.deps = {
      store: this.store,
      clock: this.clock,
      directory: this.directory,
      codec: new RefreshTokenCodec(secrets.macKey),
      accessTokens: new AccessTokenIssuer(this.keys, this.issuer, this.#workers),
      events: options.events ?? loggingSink(logger),
      logger,
      managementAudience: this.managementAudience,
      maxFamiliesPerUserClient: options.maxFamiliesPerUserClient ?? MAX_ACTIVE_FAMILIES_PER_USER_CLIENT,
      tokenHook: options.tokenHook ? new TokenHookRunner(options.tokenHook, options.tokenHookPolicy ?? {}, { logger, observe: options.onTokenHookCall }) : null,
      dpop: this.#dpop,
    };
  }

  /**
   * Loads (or creates) the server secrets and the built-in Management API, and makes sure every algorithm has a
   * signing key: a key is published in the JWKS before the first token it signs, whichever API uses it first.
   */
  static async create(options: RefreshdOptions): Promise<Refreshd> {
    const clock = options.clock ?? systemClock;
    // Key material stored in plaintext before a key-encryption key was set is encrypted now, before it is read.
    const sealed = await options.store.sealKeyMaterial();
    if (sealed.signingKeys + sealed.secrets > 0) (options.logger ?? silentLogger).info(sealed, 'private key material encrypted at rest');
    const macKey = await options.store.getOrCreateSecret('refresh_token_mac', () => randomBytes(32), clock.now());
    // One nonce key for every instance, so a nonce one issued is accepted by all (dpop/nonce.ts).
    const nonceKey = await options.store.getOrCreateSecret('dpop_nonce', () => randomBytes(32), clock.now());
    const refreshd = new Refreshd(options, { macKey, nonceKey });
    await refreshd.#ensureManagementApi();
    for (const alg of SIGNING_ALGS) await refreshd.keys.ensure(alg);
    return refreshd;
  }

  #ensureManagementApi(): Promise<void> {
    return ensureManagementApi(this.store, this.managementAudience, this.#managementTokenLifetimeSeconds);
  }

  /** Stops the crypto workers and closes the DPoP replay cache; the store is the caller's to close. */
  async close(): Promise<void> {
    await this.#workers?.close();
    await this.#dpop.close();
  }

  /** A fresh DPoP nonce (RFC 9449 §8), which every instance over the same database accepts for one to two steps. */
  dpopNonce(): string {
    return this.#dpop.nonce();
  }

  /**
   * Writes clients, APIs and grants from a normalized configuration; idempotent. What it declares is the file's from
   * then on: the configuration use cases (Management API, CLI) refuse to change it.
   */
  async applyConfig(config: NormalizedConfig = EMPTY_CONFIG): Promise<ApplyReport> {
    const report = await applyConfig(this.store, config, this.clock);
    this.#fileManaged = FileManaged.of(config);
    this.directory.invalidate();
    return report;
  }

  /**
   * The dependencies of the configuration use cases (src/admin) over this service: a change empties this
   * instance's caches at once (and runs `onChange`, e.g. forgetting verified Management tokens).
   */
  adminDeps(onChange: () => void = () => {}): AdminDeps {
    const self = this;
    return {
      store: this.store,
      clock: this.clock,
      events: this.deps.events,
      managementAudience: this.managementAudience,
      get fileManaged() {
        return self.#fileManaged;
      },
      changed: () => {
        this.directory.invalidate();
        onChange();
      },
    };
  }

  /** POST /oauth/token without HTTP. */
  token(request: EndpointRequest): Promise<TokenResponse> {
    return tokenEndpoint(request, this.deps);
  }

  /** POST /oauth/revoke without HTTP. */
  revocation(request: EndpointRequest): Promise<void> {
    return revocationEndpoint(request, this.deps);
  }

  async #client(clientId: string): Promise<Client> {
    const client = await this.directory.client(clientId);
    if (!client) throw new OAuthError('invalid_client', 'Client authentication failed.', { detail: `unknown client ${clientId}` });
    return client;
  }

  /**
   * Issues tokens for a user your application has authenticated, as the token-exchange grant does, to any
   * client (public ones included): the in-process caller is trusted, so no client secret is checked here.
   * `claims` go into every access token of the new family; `refreshTokenMetadata` is stored with it.
   * `dpopJkt` binds the access token and, for a public client, the new family to that DPoP key (RFC 9449 §5).
   */
  async issue(
    input: { clientId: string; userId: string; audience: string; scope: string; sessionId?: string; claims?: Record<string, unknown>; refreshTokenMetadata?: Record<string, string>; dpopJkt?: string } & DeviceInput,
  ): Promise<IssueResult> {
    const client = await this.#client(input.clientId);
    return issueForUser(
      {
        client,
        userId: input.userId,
        audience: input.audience,
        scope: input.scope,
        sessionId: input.sessionId,
        context: { ip: input.ip ?? null, userAgent: input.userAgent ?? null },
        claims: input.claims === undefined ? undefined : issuanceClaims(input.claims, 'claims'),
        metadata: input.refreshTokenMetadata === undefined ? undefined : issuanceMetadata(input.refreshTokenMetadata),
        accessTokenKey: input.dpopJkt === undefined ? null : { jkt: input.dpopJkt },
        familyKey: input.dpopJkt === undefined ? null : { jkt: input.dpopJkt },
      },
      this.deps,
    );
  }

  /**
   * Exchanges a refresh token (rotating it if the client rotates); throws OAuthError invalid_grant when unusable.
   * `dpop` is the request's DPoP proof (RFC 9449; its `htu` is the issuer's token endpoint, `${issuer}oauth/token`),
   * checked as on `POST /oauth/token`: a family bound to a key needs a proof by that key, and a proof binds the
   * access token. When the client must send a nonce it gets OAuthError `use_dpop_nonce` with the nonce in
   * `headers['dpop-nonce']`; `dpopNonce()` gives the next one to hand back with every answer.
   */
  async refresh(input: { clientId: string; refreshToken: string; scope?: string; audience?: string; dpop?: string } & DeviceInput): Promise<RefreshOutcome> {
    const client = await this.#client(input.clientId);
    const proof = input.dpop === undefined ? null : await this.#dpop.verify([input.dpop], client);
    return refreshFamily(
      {
        client,
        refreshToken: input.refreshToken,
        scope: input.scope ?? null,
        audience: input.audience ?? null,
        context: { ip: input.ip ?? null, userAgent: input.userAgent ?? null },
        proof,
      },
      this.deps,
    );
  }

  /** Revokes the family of a refresh token owned by `clientId`; true if this call revoked it. */
  revoke(input: { clientId: string; token: string }): Promise<boolean> {
    return revokeToken(input.clientId, input.token, this.deps);
  }
}
