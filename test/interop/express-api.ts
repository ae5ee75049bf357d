import type { Server } from 'node:http';
import type { Agent } from 'node:https';
import express, { type ErrorRequestHandler } from 'express';
import { auth } from 'express-oauth2-jwt-bearer';

export interface ProtectedApi {
  url: string;
  /** GET a route with a bearer token: the status and the JSON body (the token's `sub` and `alg`, or the error). */
  call(path: string, token: string): Promise<{ status: number; body: Record<string, unknown>; wwwAuthenticate: string | null }>;
  close(): Promise<void>;
}

/**
 * An Express API protected by Auth0's own middleware, configured as its README says (issuerBaseURL + audience,
 * everything else default), one route per audience. `agent` trusts the TLS front's certificate; `cacheMaxAge`
 * shortens the JWKS/discovery cache where a test needs verifiers to refresh within it.
 */
export async function startProtectedApi(options: { issuer: string; agent: Agent; routes: Record<string, string>; cacheMaxAge?: number }): Promise<ProtectedApi> {
  const app = express();
  for (const [path, audience] of Object.entries(options.routes)) {
    const guard = auth({ issuerBaseURL: options.issuer, audience, agent: options.agent, ...(options.cacheMaxAge !== undefined ? { cacheMaxAge: options.cacheMaxAge } : {}) });
    app.get(path, guard, (req, res) => {
      res.json({ sub: req.auth?.payload.sub, alg: req.auth?.header.alg, kid: req.auth?.header.kid });
    });
  }
  const onError: ErrorRequestHandler = (err: { status?: number; code?: string; message?: string; headers?: Record<string, string> }, _req, res, _next) => {
    res.status(err.status ?? 500).set(err.headers ?? {}).json({ error: err.code ?? 'server_error', message: err.message });
  };
  app.use(onError);
  const server = await new Promise<Server>((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    async call(path, token) {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, wwwAuthenticate: res.headers.get('www-authenticate') };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
