import { Type, type TSchema } from '@sinclair/typebox';
import { KNOWN_GRANT_TYPES } from '../../core/types.js';
import { RefreshTokenConfigSchema } from '../../config/file-schema.js';
import { NO_CONTROL_CHARS, Text } from './management.js';

/**
 * /api/v2/clients in Auth0's field names (ClientCreate/ClientUpdate/Client). Fields refreshd has no use for (it
 * serves no login pages) are accepted and ignored, so tools that send a whole Auth0 client work; any other field
 * is refused (400 invalid_body). docs/management-api.md lists both.
 */

export const IGNORED_CLIENT_FIELDS = [
  'description',
  'logo_uri',
  'callbacks',
  'allowed_origins',
  'allowed_logout_urls',
  'allowed_clients',
  'app_type',
  'is_first_party',
  'oidc_conformant',
  'jwt_configuration',
  'sso',
  'sso_disabled',
  'cross_origin_authentication',
  'cross_origin_loc',
  'custom_login_page_on',
  'custom_login_page',
  'initiate_login_uri',
  'client_metadata',
  'mobile',
  'native_social_login',
  'organization_usage',
  'organization_require_behavior',
  'client_aliases',
  'addons',
  'form_template',
  'default_organization',
] as const;

const ignored = (names: readonly string[]): Record<string, TSchema> =>
  Object.fromEntries(names.map((n) => [n, Type.Optional(Type.Unknown({ description: 'Accepted and ignored by refreshd.' }))]));

export const ClientIdParams = Type.Object({ id: Text(1, 64, 'ID of the client') });

const AuthMethod = Type.Union([Type.Literal('none'), Type.Literal('client_secret_post'), Type.Literal('client_secret_basic')], {
  description: 'none (public), client_secret_post (default) or client_secret_basic.',
});
const GrantTypes = Type.Array(Type.Union(KNOWN_GRANT_TYPES.map((g) => Type.Literal(g))), { uniqueItems: true, maxItems: 20 });
const WebOrigins = Type.Array(Type.String({ minLength: 1, maxLength: 300, pattern: NO_CONTROL_CHARS }), { maxItems: 100, uniqueItems: true });
const TargetClients = Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._~-]+$' }), {
  maxItems: 100,
  uniqueItems: true,
  description: 'refreshd extension: the public clients this client may name as target_client_id in a token exchange.',
});
const RefreshTokenBody = Type.Union([Type.Null(), RefreshTokenConfigSchema]);

const writable = {
  token_endpoint_auth_method: Type.Optional(AuthMethod),
  grant_types: Type.Optional(GrantTypes),
  is_token_endpoint_ip_header_trusted: Type.Optional(Type.Boolean()),
  refresh_token: Type.Optional(RefreshTokenBody),
  web_origins: Type.Optional(WebOrigins),
  token_exchange_target_clients: Type.Optional(TargetClients),
  require_proof_of_possession: Type.Optional(Type.Boolean({ description: 'Every token request of this client must carry a DPoP proof (RFC 9449).' })),
  require_dpop_nonce: Type.Optional(
    Type.Union([Type.Boolean(), Type.Null()], { description: 'refreshd extension: DPoP proofs must carry a server nonce; null: the default (public clients only).' }),
  ),
  ...ignored(IGNORED_CLIENT_FIELDS),
};

export const CreateClientBody = Type.Object(
  {
    name: Text(1, 200, 'Display name.'),
    client_secret: Type.Optional(Type.String({ minLength: 32, maxLength: 512, pattern: NO_CONTROL_CHARS, description: 'Leave it out to have one generated (recommended).' })),
    ...writable,
  },
  { additionalProperties: false, title: 'CreateClientRequestContent' },
);

export const UpdateClientBody = Type.Object(
  { name: Type.Optional(Text(1, 200, 'Display name.')), ...writable },
  {
    additionalProperties: false,
    title: 'UpdateClientRequestContent',
    description: 'Only the fields given change; refresh_token fields merge into the current settings (null resets them). The secret changes only through rotate-secret.',
  },
);

const RefreshTokenWire = Type.Object({
  rotation_type: Type.String(),
  expiration_type: Type.String(),
  leeway: Type.Integer(),
  token_lifetime: Type.Integer(),
  infinite_token_lifetime: Type.Boolean(),
  idle_token_lifetime: Type.Integer(),
  infinite_idle_token_lifetime: Type.Boolean(),
  policies: Type.Optional(Type.Array(Type.Object({ audience: Type.String(), scope: Type.Array(Type.String()) }))),
});

export const Client = Type.Object(
  {
    client_id: Type.String(),
    name: Type.String(),
    client_secret: Type.Optional(Type.String({ description: 'Only in the answer to create and rotate-secret: refreshd keeps a digest, never the secret.' })),
    global: Type.Boolean(),
    is_first_party: Type.Boolean(),
    app_type: Type.String({ description: 'spa for a public client, non_interactive for client credentials only, else regular_web.' }),
    token_endpoint_auth_method: Type.String(),
    grant_types: Type.Array(Type.String()),
    is_token_endpoint_ip_header_trusted: Type.Boolean(),
    web_origins: Type.Array(Type.String()),
    refresh_token: RefreshTokenWire,
    token_exchange_target_clients: Type.Array(Type.String()),
    require_proof_of_possession: Type.Boolean(),
    require_dpop_nonce: Type.Unsafe<boolean | null>({ type: ['boolean', 'null'], description: 'refreshd extension; null: the default (required from public clients).' }),
  },
  { title: 'Client' },
);

export const ListClientsQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Page index of the results to return. First page is 0.' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Number of results per page. Defaults to 50.' })),
  include_totals: Type.Optional(Type.Boolean({ description: 'Return results inside an object with the total count (true) or as a plain array (false, default).' })),
  fields: Type.Optional(Type.String({ maxLength: 1024, pattern: NO_CONTROL_CHARS, description: 'Accepted and ignored.' })),
  include_fields: Type.Optional(Type.Boolean({ description: 'Accepted and ignored.' })),
  is_global: Type.Optional(Type.Boolean({ description: 'true lists nothing: refreshd has no global client.' })),
  is_first_party: Type.Optional(Type.Boolean({ description: 'false lists nothing: every refreshd client is first party.' })),
  app_type: Type.Optional(Type.String({ maxLength: 200, pattern: NO_CONTROL_CHARS, description: 'Comma-separated app types (spa, non_interactive, regular_web).' })),
});

export const ClientsPage = Type.Union(
  [
    Type.Array(Client),
    Type.Object({ start: Type.Integer(), limit: Type.Integer(), length: Type.Integer(), total: Type.Integer(), clients: Type.Array(Client) }),
  ],
  { title: 'ListClientsResponseContent' },
);
