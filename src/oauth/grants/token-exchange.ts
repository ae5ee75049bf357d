import { OAuthError } from '../../core/errors.js';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE } from '../../core/types.js';
import { boundedClientId } from '../client-authentication.js';
import { issuanceClaims, issuanceMetadata, issueForUser } from '../issuance.js';
import { optional, required } from '../params.js';
import type { Grant } from './grant.js';

/**
 * RFC 8693 token exchange as refreshd's issuance: a confidential client vouches for a user it has
 * authenticated, naming the user id as the subject token. refreshd extension: `target_client_id` issues the
 * tokens to a public client (the mobile or browser app the backend logs users into), which refreshes them
 * itself. Only a public one: a confidential client obtains its own tokens, and letting one backend mint tokens
 * in another confidential client's name (its `azp`, its refresh policies) would widen what the grant trusts.
 *
 * refreshd extensions for what the tokens carry, each a JSON object sent as a string (form or JSON body alike):
 * `access_token_claims`, custom claims put into every access token of the new family (reserved names refused),
 * and `refresh_token_metadata`, Auth0's metadata object, stored with the family.
 */
export const tokenExchangeGrant: Grant = {
  grantType: TOKEN_EXCHANGE_GRANT,
  confidentialOnly: true,
  async handle({ client, params, context }, deps) {
    const subjectToken = required(params, 'subject_token');
    const subjectTokenType = required(params, 'subject_token_type');
    if (subjectTokenType !== USER_ID_TOKEN_TYPE) {
      throw new OAuthError('invalid_request', `Unsupported subject_token_type; use ${USER_ID_TOKEN_TYPE}.`);
    }
    const requestedType = optional(params, 'requested_token_type');
    if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE) {
      throw new OAuthError('invalid_request', `Unsupported requested_token_type; use ${ACCESS_TOKEN_TYPE}.`);
    }
    if (optional(params, 'actor_token') !== undefined) throw new OAuthError('invalid_request', 'actor_token is not supported.');
    const targetId = optional(params, 'target_client_id');
    if (targetId !== undefined) boundedClientId(targetId, 'target_client_id');
    const target = targetId === undefined || targetId === client.clientId ? client : await deps.directory.client(targetId);
    if (!target) throw new OAuthError('invalid_request', 'Unknown target_client_id.');
    const claimsParam = optional(params, 'access_token_claims');
    const metadataParam = optional(params, 'refresh_token_metadata');
    if (target !== client && target.tokenEndpointAuthMethod !== 'none') {
      throw new OAuthError('invalid_request', 'target_client_id must name a public client; a confidential client obtains its own tokens.');
    }
    try {
      const claims = claimsParam === undefined ? undefined : issuanceClaims(jsonParameter('access_token_claims', claimsParam));
      const metadata = metadataParam === undefined ? undefined : issuanceMetadata(jsonParameter('refresh_token_metadata', metadataParam));
      const { response } = await issueForUser(
        {
          client: target,
          userId: subjectToken,
          audience: required(params, 'audience'),
          scope: optional(params, 'scope') ?? '',
          sessionId: optional(params, 'session_id'),
          context,
          claims,
          metadata,
        },
        deps,
      );
      return { ...response, issued_token_type: ACCESS_TOKEN_TYPE };
    } catch (err) {
      if (err instanceof OAuthError) {
        deps.events.emit({
          type: 'fecte',
          date: deps.clock.now(),
          description: err.description,
          clientId: client.clientId,
          userId: subjectToken.slice(0, 300),
          ip: context.ip,
          userAgent: context.userAgent,
        });
      }
      throw err;
    }
  },
};

/** A parameter that carries a JSON object as a string (parameters are flat strings on this endpoint). */
function jsonParameter(name: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new OAuthError('invalid_request', `${name} must be a JSON object, sent as a string.`);
  }
}
