import { TypeCompiler } from '@sinclair/typebox/compiler';
import { checkClaims, checkClaimsPatch, mergeClaims, type Claims, type JsonValue } from '../core/claims.js';
import type { Logger } from '../core/logger.js';
import { mergeMetadata } from '../core/metadata.js';
import type { Metadata } from '../core/types.js';
import { TOKEN_HOOK_EVENTS, TokenHookResponseSchema, type TokenHookDecision, type TokenHookEvent, type TokenHookEventName } from './token-hook-schema.js';

/**
 * The application's say over a token, at issuance and on refresh. The same function type serves the library
 * (`Refreshd` option `tokenHook`) and the HTTP hook (`http-token-hook.ts` makes one from the `token_hook`
 * configuration): everything after the call — validation, merging, the failure policy, metrics and logs — is
 * this module's, so both forms behave alike.
 *
 * A function returns a decision (the HTTP answer's JSON), or null/undefined for "no change" (HTTP 204). It may
 * throw: a `TokenHookFailure` names why (the HTTP client's timeouts, statuses and bodies), anything else is
 * counted as `error`. The `signal` aborts when `timeout_ms` has passed; the call is abandoned then in any case.
 */
export type TokenHookFunction = (event: TokenHookEvent, context: { signal: AbortSignal }) => Promise<TokenHookDecision | null | undefined>;

/** Why a hook call produced no usable decision; each is a label of refreshd_token_hook_calls_total. */
export type TokenHookFailureReason = 'timeout' | 'http_5xx' | 'http_status' | 'redirect' | 'too_large' | 'invalid_response' | 'connection' | 'error';

export class TokenHookFailure extends Error {
  readonly reason: TokenHookFailureReason;
  /** For the operator's log line: an HTTP status, a byte count, a schema path. Never a secret or a body. */
  readonly detail: string | undefined;
  constructor(reason: TokenHookFailureReason, detail?: string) {
    super(`token hook failed: ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'TokenHookFailure';
    this.reason = reason;
    this.detail = detail;
  }
}

export interface TokenHookPolicy {
  /** What a failed call means: `deny` refuses the request (fail closed, the default), `allow` goes on without the hook. */
  onFailure: 'deny' | 'allow';
  /** Which events call the hook. */
  events: readonly TokenHookEventName[];
  timeoutMs: number;
}

export const DEFAULT_TOKEN_HOOK_POLICY: TokenHookPolicy = Object.freeze({ onFailure: 'deny', events: TOKEN_HOOK_EVENTS, timeoutMs: 5_000 });

/** What one call came to, for metrics: a decision kind or a failure reason. */
export type TokenHookResult = 'no_change' | 'changed' | 'deny' | 'revoke' | TokenHookFailureReason;

export interface TokenHookObservation {
  event: TokenHookEventName;
  result: TokenHookResult;
  seconds: number;
}

/** The state the hook decides about: what the access token would carry, and the family's stored claims and metadata. */
export interface HookSubject {
  accessClaims: Claims;
  familyClaims: Claims;
  metadata: Metadata;
}

/**
 * The verdict the grants act on. `proceed` carries what to write and mint: the access token's claims, and the
 * family's claims and metadata only when the answer changed them (absent: keep what is stored).
 */
export type HookVerdict =
  | { kind: 'proceed'; accessClaims: Claims; familyClaims?: Claims; metadata?: Metadata; called: boolean }
  | { kind: 'deny'; reason: string }
  | { kind: 'revoke'; reason: string }
  | { kind: 'failed'; reason: TokenHookFailureReason };

const checkResponse = TypeCompiler.Compile(TokenHookResponseSchema);

/** Turns a schema-valid answer into a verdict, or says why it cannot be used. */
function interpret(answer: TokenHookDecision, subject: HookSubject): HookVerdict | TokenHookFailure {
  const invalid = (why: string) => new TokenHookFailure('invalid_response', why);
  if (answer.deny !== undefined && answer.revoke !== undefined) return invalid('both deny and revoke');
  if (answer.revoke !== undefined) return { kind: 'revoke', reason: answer.revoke };
  if (answer.deny !== undefined) return { kind: 'deny', reason: answer.deny };

  let familyClaims: Claims | undefined;
  if (answer.refresh_token?.claims !== undefined) {
    const checked = checkClaims(answer.refresh_token.claims);
    if ('problem' in checked) return invalid(`refresh_token.claims: ${checked.problem}`);
    familyClaims = checked.claims;
  }
  // This answer's token starts from the family's claims as they will be stored, then takes the patch.
  let accessClaims = familyClaims ?? subject.accessClaims;
  if (answer.access_token?.claims !== undefined) {
    const patch = checkClaimsPatch(answer.access_token.claims);
    if ('problem' in patch) return invalid(`access_token.claims: ${patch.problem}`);
    const merged = mergeClaims(accessClaims, patch.patch);
    if ('problem' in merged) return invalid(`access_token.claims: ${merged.problem}`);
    accessClaims = merged.claims;
  }
  let metadata: Metadata | undefined;
  if (answer.refresh_token?.metadata !== undefined) {
    const merged = mergeMetadata('refresh_token.metadata', subject.metadata, answer.refresh_token.metadata);
    if ('problem' in merged) return invalid(merged.problem);
    metadata = merged.metadata;
  }
  return {
    kind: 'proceed',
    accessClaims,
    ...(familyClaims !== undefined ? { familyClaims } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    called: true,
  };
}

function firstSchemaError(value: unknown): string {
  const e = checkResponse.Errors(value).First();
  return e ? `${e.path || '/'}: ${e.message}` : 'does not match the response schema';
}

/** Runs a hook function under a policy: the one code path of the library and HTTP forms. */
export class TokenHookRunner {
  readonly #fn: TokenHookFunction;
  readonly #policy: TokenHookPolicy;
  readonly #logger: Logger;
  readonly #observe: (o: TokenHookObservation) => void;

  constructor(fn: TokenHookFunction, policy: Partial<TokenHookPolicy>, options: { logger: Logger; observe?: ((o: TokenHookObservation) => void) | undefined }) {
    this.#fn = fn;
    this.#policy = { ...DEFAULT_TOKEN_HOOK_POLICY, ...policy };
    this.#logger = options.logger;
    this.#observe = options.observe ?? (() => {});
  }

  get policy(): Readonly<TokenHookPolicy> {
    return this.#policy;
  }

  /** Whether `event` calls the hook at all. */
  handles(event: TokenHookEventName): boolean {
    return this.#policy.events.includes(event);
  }

  /**
   * Calls the hook about `event` and decides. Never throws: a failure becomes `failed` (on_failure deny) or
   * `proceed` with the subject unchanged (on_failure allow), counted and logged either way.
   */
  async decide(event: TokenHookEvent, subject: HookSubject): Promise<HookVerdict> {
    const started = performance.now();
    let outcome: HookVerdict | TokenHookFailure;
    try {
      const answer = await this.#call(event);
      if (answer === null || answer === undefined) outcome = { kind: 'proceed', accessClaims: subject.accessClaims, called: true };
      else if (!checkResponse.Check(answer)) outcome = new TokenHookFailure('invalid_response', firstSchemaError(answer));
      else outcome = interpret(answer, subject);
    } catch (err) {
      outcome = err instanceof TokenHookFailure ? err : new TokenHookFailure('error', err instanceof Error ? err.name : typeof err);
    }
    const seconds = (performance.now() - started) / 1000;
    const result: TokenHookResult =
      outcome instanceof TokenHookFailure ? outcome.reason : outcome.kind === 'proceed' ? (isNoChange(outcome, subject) ? 'no_change' : 'changed') : (outcome.kind as 'deny' | 'revoke');
    this.#observe({ event: event.event, result, seconds });
    if (!(outcome instanceof TokenHookFailure)) return outcome;

    // Ids and the reason only: never the secret, the URL's credentials or the bodies (claims may be personal data).
    const allow = this.#policy.onFailure === 'allow';
    this.#logger.warn(
      { tokenHook: { event: event.event, reason: outcome.reason, detail: outcome.detail, onFailure: this.#policy.onFailure, ms: Math.round(seconds * 1000) }, clientId: event.client_id, requestId: event.request_id },
      allow ? 'token hook failed: going on without it (on_failure allow)' : 'token hook failed: request refused (on_failure deny)',
    );
    return allow ? { kind: 'proceed', accessClaims: subject.accessClaims, called: false } : { kind: 'failed', reason: outcome.reason };
  }

  async #call(event: TokenHookEvent): Promise<unknown> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new TokenHookFailure('timeout'));
        reject(new TokenHookFailure('timeout', `${this.#policy.timeoutMs} ms`));
      }, this.#policy.timeoutMs);
    });
    try {
      return await Promise.race([this.#fn(event, { signal: controller.signal }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function isNoChange(v: Extract<HookVerdict, { kind: 'proceed' }>, subject: HookSubject): boolean {
  return v.familyClaims === undefined && v.metadata === undefined && sameJson(v.accessClaims, subject.accessClaims);
}

function sameJson(a: Record<string, JsonValue>, b: Record<string, JsonValue>): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
