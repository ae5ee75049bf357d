import { OAuthError } from '../../core/errors.js';
import { apiRequiresProof, proofRequired } from '../../core/proof-of-possession.js';
import { formatScope, parseScopeParameter } from '../../core/scopes.js';
import { boundTo, tokenTypeFor } from '../dpop-binding.js';
import { optional, required } from '../params.js';
import type { Grant } from './grant.js';

/** Machine-to-machine access tokens per the client's grants, including the Management API. */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  confidentialOnly: true,
  async handle({ client, params, context, proof }, deps) {
    const audience = required(params, 'audience');
    const api = await deps.directory.resourceServer(audience);
    const fail = (e: OAuthError) => {
      deps.events.emit({
        type: 'feccft',
        date: deps.clock.now(),
        description: e.description,
        clientId: client.clientId,
        ip: context.ip,
        userAgent: context.userAgent,
        details: { audience },
      });
      return e;
    };
    if (!api) throw fail(new OAuthError('access_denied', `Service not enabled within domain: ${audience}`));
    if (apiRequiresProof(api, client) && !proof) throw fail(proofRequired(`${audience} requires DPoP-bound tokens`));
    const grant = await deps.directory.clientGrant(client.clientId, audience, 'client');
    if (!grant) {
      throw fail(
        new OAuthError(
          'access_denied',
          `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API.`,
        ),
      );
    }
    const requested = optional(params, 'scope');
    let scopes = grant.scope;
    if (requested !== undefined) {
      const wanted = parseScopeParameter(requested);
      const missing = wanted.filter((s) => !grant.scope.includes(s));
      if (missing.length > 0) throw fail(new OAuthError('access_denied', `Client has not been granted scopes: ${missing.join(', ')}`));
      scopes = wanted;
    }
    const now = deps.clock.now();
    const at = await deps.accessTokens.mint(
      { sub: `${client.clientId}@clients`, aud: audience, azp: client.clientId, scope: formatScope(scopes), gty: 'client-credentials', ...boundTo(proof) },
      { alg: api.signingAlg, lifetimeSeconds: api.tokenLifetimeSeconds, now },
    );
    deps.events.emit({
      type: 'seccft',
      date: now,
      description: 'Client Credentials for Access Token',
      clientId: client.clientId,
      ip: context.ip,
      userAgent: context.userAgent,
      details: { audience, scope: formatScope(scopes) },
    });
    return { access_token: at.token, token_type: tokenTypeFor(proof), expires_in: at.expiresIn, scope: formatScope(scopes) };
  },
};
