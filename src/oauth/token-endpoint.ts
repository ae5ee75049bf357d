import { OAuthError } from '../core/errors.js';
import { proofRequired } from '../core/proof-of-possession.js';
import type { RequestContext } from '../core/types.js';
import { authenticateRequest, requireGrant, type AuthenticationGate } from './client-authentication.js';
import type { OAuthDeps, TokenResponse } from './deps.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import type { Grant } from './grants/grant.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { tokenExchangeGrant } from './grants/token-exchange.js';
import { refuseUnsafeParameters, required } from './params.js';
import { endUserContext } from './request-context.js';

/** The one registry of grants; nothing else switches on grant_type. */
export const GRANTS: readonly Grant[] = [tokenExchangeGrant, refreshTokenGrant, clientCredentialsGrant];
const BY_TYPE = new Map(GRANTS.map((g) => [g.grantType, g]));

export interface EndpointRequest {
  /** Body parameters, each present at most once. */
  params: Record<string, string>;
  authorization?: string | undefined;
  /** The TCP peer and User-Agent as the HTTP layer saw them. */
  connection: RequestContext;
  /** Auth0's `auth0-forwarded-for` header, honoured only for clients that trust it. */
  forwardedFor?: string | undefined;
  /** Rate limits around client authentication (the HTTP layer's); none in-process. */
  gate?: AuthenticationGate | undefined;
  /** Every `DPoP` header of the request, as sent (RFC 9449 allows one; more is refused). */
  dpop?: readonly string[] | undefined;
}

/** POST /oauth/token without HTTP: parse, authenticate the client once, dispatch to the grant. */
export async function tokenEndpoint(req: EndpointRequest, deps: OAuthDeps): Promise<TokenResponse> {
  refuseUnsafeParameters(req.params);
  const grantType = required(req.params, 'grant_type');
  const grant = BY_TYPE.get(grantType);
  if (!grant) throw new OAuthError('unsupported_grant_type', `Unsupported grant type: ${grantType.slice(0, 100)}`);
  const client = await authenticateRequest(req, deps.directory);
  requireGrant(client, grantType);
  if (grant.confidentialOnly && client.tokenEndpointAuthMethod === 'none') {
    throw new OAuthError('unauthorized_client', `Grant type '${grantType}' not allowed for public clients.`);
  }
  const context = endUserContext(client, req.connection, req.forwardedFor);
  // After client authentication: a proof from a client that failed to authenticate is not worth a replay-cache entry.
  const proof = await deps.dpop.verify(req.dpop ?? [], client);
  if (client.requireProofOfPossession && !proof) throw proofRequired('this client requires proof of possession');
  return grant.handle({ client, params: req.params, context, proof }, deps);
}
