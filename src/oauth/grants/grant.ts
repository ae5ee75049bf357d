import type { Client, RequestContext } from '../../core/types.js';
import type { DpopProof } from '../../dpop/dpop-verifier.js';
import type { OAuthDeps, TokenResponse } from '../deps.js';

export interface GrantRequest {
  client: Client;
  params: Record<string, string>;
  context: RequestContext;
  /** The request's valid DPoP proof (RFC 9449), or null when it sent none. */
  proof: DpopProof | null;
}

/** Every grant has the same small shape; the token endpoint looks grants up by `grantType` in one registry. */
export interface Grant {
  grantType: string;
  /** Public clients may not use this grant (it has no user to vouch for or acts as the client itself). */
  confidentialOnly: boolean;
  handle(request: GrantRequest, deps: OAuthDeps): Promise<TokenResponse>;
}
