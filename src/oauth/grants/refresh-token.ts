import { optional, required } from '../params.js';
import { refreshFamily } from '../refresh.js';
import type { Grant } from './grant.js';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  confidentialOnly: false,
  async handle({ client, params, context, proof }, deps) {
    const { response } = await refreshFamily(
      {
        client,
        refreshToken: required(params, 'refresh_token'),
        // Raw: parsed only after the token's MAC and family check (refresh.ts).
        scope: optional(params, 'scope') ?? null,
        audience: optional(params, 'audience') ?? null,
        context,
        proof,
      },
      deps,
    );
    return response;
  },
};
