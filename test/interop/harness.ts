import { rotateSigningKey } from '../../src/admin/signing-keys.js';
import type { SigningAlg } from '../../src/core/types.js';
import type { StoreDialect } from '../../src/ports/store.js';
import { managementAudienceFor } from '../../src/config/env.js';
import { API, fixtureConfig, secretOf } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { TlsFront } from './tls-front.js';

/** A confidential machine-to-machine client registered for client_secret_basic, beside the fixture's `m2m`. */
export const M2M_BASIC = 'm2m-basic';

function interopConfig(managementAudience: string): Record<string, unknown> {
  const base = fixtureConfig(managementAudience) as { clients: unknown[]; client_grants: unknown[] };
  return {
    ...base,
    clients: [...base.clients, { client_id: M2M_BASIC, client_secret: secretOf(M2M_BASIC), token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'] }],
    client_grants: [...base.client_grants, { client_id: M2M_BASIC, audience: API, scope: ['read:data'] }],
  };
}

export interface InteropServer {
  server: TestServer;
  /** TLS termination in front of the server; its `agent` trusts the test certificate. */
  front: TlsFront;
  /** The issuer, exactly as discovery and `iss` give it: https://127.0.0.1:{front port}{path} */
  issuer: string;
  /** The issuer's origin and host, for libraries configured by domain (`127.0.0.1:port`). */
  domain: string;
  /**
   * A fetch for libraries that accept one (openid-client, oauth4webapi, @auth0/auth0-auth-js): the https URLs
   * they build from the issuer go to the server's plain-HTTP port, as test/helpers/management.ts does for the
   * auth0 SDK. The libraries still see https everywhere and keep their default checks.
   */
  fetch: typeof fetch;
  close(): Promise<void>;
}

/**
 * refreshd as deployed: plain HTTP behind TLS termination, with an https issuer (optionally with a path, e.g.
 * `/t1/`), a manual clock, and the fixture configuration plus `m2m-basic`.
 */
export async function startInteropServer(kind: StoreDialect, options: { path?: string } = {}): Promise<InteropServer> {
  const front = await TlsFront.listen();
  const origin = `https://127.0.0.1:${front.port}`;
  const issuer = `${origin}${options.path ?? '/'}`;
  const server = await startServer(kind, { issuer, config: interopConfig(managementAudienceFor(issuer)) });
  front.forwardTo(Number(new URL(server.baseUrl).port));
  const toHttp = (url: string) => (url.startsWith(`${origin}/`) ? `${server.baseUrl}${url.slice(origin.length)}` : url);
  const rewriting: typeof fetch = (input, init) => {
    if (input instanceof Request) return fetch(new Request(toHttp(input.url), input), init);
    return fetch(toHttp(String(input)), init);
  };
  return {
    server,
    front,
    issuer,
    domain: `127.0.0.1:${front.port}`,
    fetch: rewriting,
    async close() {
      await front.close();
      await server.close();
    },
  };
}

/**
 * Rotates the signing key of each of `algs` through the function behind `refreshd keys rotate`, with an activation
 * delay, timed so that the new keys begin signing at about the real time now: the server's (manual) clock is set
 * `delaySeconds` back first. Third-party verifiers judge `exp` by the real clock, so tokens from either side of the
 * hand-over are current for them. Returns the new kids and the activation time (`server.clock.set(activatesAt)`).
 */
export async function rotateKeysToActivateNow(
  rd: InteropServer,
  algs: readonly SigningAlg[],
  delaySeconds = 600,
): Promise<{ activatesAt: number; kids: Map<SigningAlg, string> }> {
  const { server } = rd;
  server.clock.set(Date.now() - delaySeconds * 1000);
  const deps = { keys: server.refreshd.keys, store: server.store, clock: server.clock };
  const kids = new Map<SigningAlg, string>();
  let activatesAt = 0;
  for (const alg of algs) {
    const { key } = await rotateSigningKey(deps, { alg, activationDelaySeconds: delaySeconds });
    kids.set(alg, key.kid);
    activatesAt = Math.max(activatesAt, key.activatesAt);
  }
  return { activatesAt, kids };
}
