import { parseScope } from '../../core/scopes.js';
import { optional, required } from '../params.js';
import { refreshFamily } from '../refresh.js';
import type { Grant } from './grant.js';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  confidentialOnly: false,
  async handle({ client, params, context }, deps) {
    const scope = optional(params, 'scope');
    const { response } = await refreshFamily(
      {
        client,
        refreshToken: required(params, 'refresh_token'),
        scope: scope === undefined ? null : parseScope(scope),
        audience: optional(params, 'audience') ?? null,
        context,
      },
      deps,
    );
    return response;
  },
};
