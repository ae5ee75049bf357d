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
