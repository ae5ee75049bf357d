import { duplicateJsonKey, quotableKey } from '../../core/json-duplicates.js';
import { OAuthError } from '../../core/errors.js';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT, USER_ID_TOKEN_TYPE, type Client } from '../../core/types.js';
import { boundedClientId } from '../client-authentication.js';
import type { OAuthDeps } from '../deps.js';
import { issuanceClaims, issuanceMetadata, issueForUser } from '../issuance.js';
import { optional, required } from '../params.js';
import type { Grant } from './grant.js';

/**
 * RFC 8693 token exchange as refreshd's issuance: a confidential client vouches for a user it has
 * authenticated, naming the user id as the subject token. refreshd extension: `target_client_id` issues the
 * tokens to a public client (the mobile or browser app the backend logs users into), which refreshes them
 * itself.
 *
 * The grant is powerful: its holder can sign in any user. It is bounded by configuration, never by the request:
 * - the audience must be an API the client has a client grant with `subject_type: user` for, and the API scopes
 *   in the token are at most that grant's (others are left out, as scopes an API does not define already are);
 * - `target_client_id` must name one of the client's `token_exchange_target_clients`, and a public client: a
 *   confidential client obtains its own tokens. Because of the list, a client can reach (and, through the
 *   per-user family cap, evict) only the sessions of the apps it is declared to log users into.
 *
 * refreshd extensions for what the tokens carry, each a JSON object sent as a string (form or JSON body alike):
 * `access_token_claims`, custom claims put into every access token of the new family (reserved names refused),
 * and `refresh_token_metadata`, Auth0's metadata object, stored with the family.
 */
export const tokenExchangeGrant: Grant = {
  grantType: TOKEN_EXCHANGE_GRANT,
  confidentialOnly: true,
  async handle({ client, params, context, proof }, deps) {
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
    const audience = required(params, 'audience');
    const targetId = optional(params, 'target_client_id');
    if (targetId !== undefined) boundedClientId(targetId, 'target_client_id');
    const dpopJkt = optional(params, 'dpop_jkt');
    if (dpopJkt !== undefined && !JKT.test(dpopJkt)) {
      throw new OAuthError('invalid_request', 'dpop_jkt must be the RFC 7638 SHA-256 thumbprint of the key, base64url (43 characters).');
    }
    const claimsParam = optional(params, 'access_token_claims');
    const metadataParam = optional(params, 'refresh_token_metadata');
    try {
      const target = await exchangeTarget(client, targetId, deps);
      if (dpopJkt !== undefined && target === client) {
        throw new OAuthError('invalid_request', 'dpop_jkt binds the tokens of a public target_client_id; to bind your own, send a DPoP proof.');
      }
      // The public client holds the key, not the backend: its thumbprint binds the family from the first token, and
      // the access token it will present. Without dpop_jkt, a proof of the caller's own binds the access token only.
      const appKey = dpopJkt === undefined ? null : { jkt: dpopJkt };
      if (target !== client && target.requireProofOfPossession && !appKey) {
        throw new OAuthError('invalid_request', 'The target client requires proof of possession: send dpop_jkt, the thumbprint of its DPoP key.');
      }
      const grant = await deps.directory.clientGrant(client.clientId, audience, 'user');
      if (!grant) {
        throw new OAuthError('access_denied', `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API.`, {
          detail: `no client grant with subject_type user for ${client.clientId} and ${audience}`,
        });
      }
      const claims = claimsParam === undefined ? undefined : issuanceClaims(jsonParameter('access_token_claims', claimsParam));
      const metadata = metadataParam === undefined ? undefined : issuanceMetadata(jsonParameter('refresh_token_metadata', metadataParam));
      const { response } = await issueForUser(
        {
          client: target,
          userId: subjectToken,
          audience,
          scope: optional(params, 'scope') ?? '',
          grantedScopes: grant.scope,
          sessionId: optional(params, 'session_id'),
          context,
          claims,
          metadata,
          accessTokenKey: appKey ?? proof,
          familyKey: appKey,
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

/** An RFC 7638 SHA-256 thumbprint, base64url without padding. */
const JKT = /^[A-Za-z0-9_-]{43}$/;

/** A parameter that carries a JSON object as a string (parameters are flat strings on this endpoint). */
function jsonParameter(name: string, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new OAuthError('invalid_request', `${name} must be a JSON object (in a form, its JSON text).`);
  }
  // As in a JSON body: a repeated key is refused, not resolved last-wins.
  const key = duplicateJsonKey(text);
  if (key !== null) throw new OAuthError('invalid_request', `${name}: the key "${quotableKey(key)}" appears more than once in one object.`);
  return value;
}

/**
 * The client the tokens are issued to: the caller itself, or a public client it lists. The list is checked
 * first, so a caller learns nothing about clients it may not name (unknown and unlisted answer alike).
 */
async function exchangeTarget(client: Client, targetId: string | undefined, deps: OAuthDeps): Promise<Client> {
  if (targetId === undefined || targetId === client.clientId) return client;
  if (!client.tokenExchangeTargetClients.includes(targetId)) {
    throw new OAuthError('unauthorized_client', 'This client may not issue tokens for that target_client_id.', {
      detail: `${targetId} is not in ${client.clientId}'s token_exchange_target_clients`,
    });
  }
  const target = await deps.directory.client(targetId);
  if (!target) throw new OAuthError('invalid_request', 'Unknown target_client_id.');
  if (target.tokenEndpointAuthMethod !== 'none') {
    throw new OAuthError('invalid_request', 'target_client_id must name a public client; a confidential client obtains its own tokens.');
  }
  return target;
}
