import { Type, type Static } from '@sinclair/typebox';
import { KNOWN_GRANT_TYPES, SIGNING_ALGS } from '../core/types.js';

// The configuration file, in Auth0's own field names. Every optional field defaults to what Auth0's API fills in.

const lifetime = (description: string) => Type.Integer({ minimum: 1, maximum: 157_788_000, description });

export const RefreshTokenConfigSchema = Type.Object(
  {
    rotation_type: Type.Optional(Type.Union([Type.Literal('rotating'), Type.Literal('non-rotating')], {
        description: 'Default non-rotating (Auth0). A public client (token_endpoint_auth_method none) with the refresh_token grant must say rotating (RFC 9700 §4.14.2).',
      })),
    expiration_type: Type.Optional(Type.Union([Type.Literal('expiring'), Type.Literal('non-expiring')], { description: 'Default non-expiring.' })),
    leeway: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds during which the previous token may be retried and gets the same successor. Default 0.' }),
    ),
    token_lifetime: Type.Optional(lifetime('Absolute lifetime of a family in seconds, fixed at issuance. Default 2592000.')),
    infinite_token_lifetime: Type.Optional(Type.Boolean({ description: 'Overrides token_lifetime. Default true unless expiring.' })),
    idle_token_lifetime: Type.Optional(lifetime('Inactivity lifetime in seconds, renewed on each exchange. Default 1296000.')),
    infinite_idle_token_lifetime: Type.Optional(Type.Boolean({ description: 'Overrides idle_token_lifetime. Default true unless expiring.' })),
    policies: Type.Optional(
      Type.Union([
        Type.Null(),
        Type.Array(
          Type.Object(
            {
              audience: Type.String({ minLength: 1, maxLength: 600 }),
              scope: Type.Array(Type.String({ minLength: 1, maxLength: 280, pattern: '^\\S+$' })),
            },
            { additionalProperties: false },
          ),
          { minItems: 1, description: 'Multi-resource refresh token policies: other audiences this client\'s refresh tokens may obtain tokens for.' },
        ),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const ClientConfigSchema = Type.Object(
  {
    client_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._~-]+$', description: 'Letters, digits, `._~-`.' }),
    client_secret: Type.Optional(
      Type.String({ minLength: 32, maxLength: 512, description: 'At least 32 characters; stored only as a SHA-256 digest.' }),
    ),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Display name. Default the client_id.' })),
    token_endpoint_auth_method: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('client_secret_post'), Type.Literal('client_secret_basic')], {
        description: 'Default client_secret_post.',
      }),
    ),
    grant_types: Type.Optional(
      Type.Array(Type.Union(KNOWN_GRANT_TYPES.map((g) => Type.Literal(g))), {
        uniqueItems: true,
        description: 'Default authorization_code, implicit, refresh_token, client_credentials.',
      }),
    ),
    is_token_endpoint_ip_header_trusted: Type.Optional(Type.Boolean({ description: 'Trust auth0-forwarded-for from this client (only one that authenticates with a secret, as Auth0 requires). Default false.' })),
    refresh_token: Type.Optional(Type.Union([Type.Null(), RefreshTokenConfigSchema])),
    web_origins: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
        maxItems: 100,
        uniqueItems: true,
        description: 'Browser origins (`https://app.example.com`, no path) allowed to call `/oauth/token` and `/oauth/revoke` as this client (CORS). Default none.',
      }),
    ),
    token_exchange_target_clients: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._~-]+$' }), {
        maxItems: 100,
        uniqueItems: true,
        description:
          'refreshd extension: the public clients this client may name as `target_client_id` in a token exchange (tokens issued in their name). Default none: it exchanges only for itself.',
      }),
    ),
    require_proof_of_possession: Type.Optional(
      Type.Boolean({
        description:
          'Every token request of this client must carry a DPoP proof (RFC 9449); for a public client, a token exchange naming it as `target_client_id` must send `dpop_jkt`. Default false.',
      }),
    ),
    require_dpop_nonce: Type.Optional(
      Type.Boolean({ description: 'refreshd extension: whether this client\'s DPoP proofs must carry a server nonce (`use_dpop_nonce`). Default true for a public client (as Auth0), false otherwise.' }),
    ),
  },
  { additionalProperties: false },
);

export const ResourceServerConfigSchema = Type.Object(
  {
    identifier: Type.String({ minLength: 1, maxLength: 600, description: 'The API audience.' }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Display name. Default the identifier.' })),
    scopes: Type.Optional(
      Type.Array(
        Type.Object(
          { value: Type.String({ minLength: 1, maxLength: 280, pattern: '^\\S+$' }), description: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
      ),
    ),
    allow_offline_access: Type.Optional(Type.Boolean({ description: 'Whether refresh tokens may be issued for this API. Default false.' })),
    token_lifetime: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_592_000, description: 'Access-token lifetime in seconds. Default 86400.' })),
    signing_alg: Type.Optional(Type.Union(SIGNING_ALGS.map((a) => Type.Literal(a)), { description: 'Default RS256.' })),
    proof_of_possession: Type.Optional(
      Type.Union([
        Type.Null(),
        Type.Object(
          {
            mechanism: Type.Literal('dpop', { description: 'The only mechanism refreshd implements (Auth0 also has mtls).' }),
            required: Type.Boolean({ description: 'Whether tokens for this API must be DPoP-bound.' }),
            required_for: Type.Optional(
              Type.Union([Type.Literal('public_clients'), Type.Literal('all_clients')], { description: 'Which clients must bind them. Default all_clients.' }),
            ),
          },
          { additionalProperties: false, description: 'Auth0\'s proof_of_possession: access tokens for this API are issued only DPoP-bound. Default none.' },
        ),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const ClientGrantConfigSchema = Type.Object(
  {
    client_id: Type.String({ minLength: 1, maxLength: 64, description: 'A client of this file or of the database.' }),
    audience: Type.String({ minLength: 1, maxLength: 600, description: 'An API of this file, or the Management API `https://{domain}/api/v2/`.' }),
    scope: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 280, pattern: '^\\S+$' }), { description: 'The most the client may obtain from the API. Default none.' })),
    subject_type: Type.Optional(
      Type.Union([Type.Literal('client'), Type.Literal('user')], {
        description: 'Who the tokens are for (Auth0): `client`, the client itself (client_credentials); `user`, users it vouches for (token exchange). Default client.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const TokenHookConfigSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'The hook\'s http(s) URL; refreshd POSTs each event to it (REFRESHD_TOKEN_HOOK_URL overrides).' })),
    secret: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Standard Webhooks signing secret, `whsec_` + base64 of 24 to 64 random bytes (REFRESHD_TOKEN_HOOK_SECRET overrides; prefer it to keeping the secret in this file).',
      }),
    ),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 50, maximum: 30_000, description: 'How long one call may take, connection included. Default 5000.' })),
    on_failure: Type.Optional(
      Type.Union([Type.Literal('deny'), Type.Literal('allow')], { description: 'A failed call (timeout, 5xx, bad answer, …) refuses the request (`deny`, the default) or goes on without the hook (`allow`).' }),
    ),
    events: Type.Optional(
      Type.Array(Type.Union([Type.Literal('issuance'), Type.Literal('refresh')]), { minItems: 1, uniqueItems: true, description: 'Which events call the hook. Default both.' }),
    ),
  },
  { additionalProperties: false, description: 'The token hook (docs/token-hook.md).' },
);

export const FileConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    clients: Type.Optional(Type.Array(ClientConfigSchema)),
    resource_servers: Type.Optional(Type.Array(ResourceServerConfigSchema)),
    client_grants: Type.Optional(Type.Array(ClientGrantConfigSchema)),
    token_hook: Type.Optional(TokenHookConfigSchema),
  },
  { additionalProperties: false },
);

export type FileConfig = Static<typeof FileConfigSchema>;
export type ClientConfig = Static<typeof ClientConfigSchema>;
export type ResourceServerConfig = Static<typeof ResourceServerConfigSchema>;
export type RefreshTokenConfig = Static<typeof RefreshTokenConfigSchema>;
export type TokenHookConfig = Static<typeof TokenHookConfigSchema>;
