import { Type, type TSchema } from '@sinclair/typebox';
import { SIGNING_ALGS } from '../../core/types.js';
import { ResourceServerConfigSchema } from '../../config/file-schema.js';
import { NO_CONTROL_CHARS, Text } from './management.js';

/**
 * /api/v2/resource-servers and /api/v2/client-grants in Auth0's field names. Fields refreshd does not use are
 * accepted and ignored (listed below and in docs/management-api.md); any other field is refused.
 */

export const IGNORED_RESOURCE_SERVER_FIELDS = [
  'token_lifetime_for_web',
  'skip_consent_for_verifiable_first_party_clients',
  'enforce_policies',
  'token_dialect',
  'consent_policy',
  'authorization_details',
  'verificationLocation',
  'client',
] as const;

export const IGNORED_CLIENT_GRANT_FIELDS = ['organization_usage', 'allow_any_organization', 'authorization_details_types'] as const;

const ignored = (names: readonly string[]): Record<string, TSchema> =>
  Object.fromEntries(names.map((n) => [n, Type.Optional(Type.Unknown({ description: 'Accepted and ignored by refreshd.' }))]));

const ScopeValue = Type.String({ minLength: 1, maxLength: 280, pattern: '^\\S+$' });
const Scopes = Type.Array(
  Type.Object({ value: ScopeValue, description: Type.Optional(Type.String({ maxLength: 500, description: 'Accepted and ignored (not stored).' })) }, { additionalProperties: false }),
  { maxItems: 1000 },
);

const writable = {
  name: Type.Optional(Text(1, 200, 'Display name.')),
  scopes: Type.Optional(Scopes),
  allow_offline_access: Type.Optional(Type.Boolean({ description: 'Whether refresh tokens may be issued for this API.' })),
  token_lifetime: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_592_000, description: 'Access-token lifetime in seconds.' })),
  signing_alg: Type.Optional(Type.Union(SIGNING_ALGS.map((a) => Type.Literal(a)), { description: 'RS256 (default), ES256 or EdDSA; HS256 and PS256 are refused.' })),
  proof_of_possession: ResourceServerConfigSchema.properties.proof_of_possession,
  ...ignored(IGNORED_RESOURCE_SERVER_FIELDS),
};

export const CreateResourceServerBody = Type.Object(
  { identifier: Text(1, 600, 'The API audience; cannot change.'), ...writable },
  { additionalProperties: false, title: 'CreateResourceServerRequestContent' },
);

export const UpdateResourceServerBody = Type.Object(writable, { additionalProperties: false, title: 'UpdateResourceServerRequestContent' });

export const ResourceServerParams = Type.Object({ id: Text(1, 600, 'The id or the identifier (audience) of the API') });

export const ResourceServer = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    identifier: Type.String(),
    is_system: Type.Boolean(),
    scopes: Type.Array(Type.Object({ value: Type.String() })),
    signing_alg: Type.String(),
    allow_offline_access: Type.Boolean(),
    token_lifetime: Type.Integer(),
    token_lifetime_for_web: Type.Integer(),
    proof_of_possession: Type.Optional(Type.Object({ mechanism: Type.String(), required: Type.Boolean(), required_for: Type.String() })),
  },
  { title: 'ResourceServer' },
);

export const ListResourceServersQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  include_totals: Type.Optional(Type.Boolean()),
  include_fields: Type.Optional(Type.Boolean({ description: 'Accepted and ignored.' })),
  identifiers: Type.Optional(Type.Union([Text(1, 600), Type.Array(Text(1, 600), { maxItems: 100 })], { description: 'Only these identifiers.' })),
});

export const ResourceServersPage = Type.Union(
  [
    Type.Array(ResourceServer),
    Type.Object({ start: Type.Integer(), limit: Type.Integer(), length: Type.Integer(), total: Type.Integer(), resource_servers: Type.Array(ResourceServer) }),
  ],
  { title: 'ListResourceServersResponseContent' },
);

// ——— client grants ———

const SubjectType = Type.Union([Type.Literal('client'), Type.Literal('user')], {
  description: 'client: the client itself (client credentials, default); user: users it vouches for (token exchange).',
});
const GrantScope = Type.Array(ScopeValue, { maxItems: 1000 });

export const CreateClientGrantBody = Type.Object(
  {
    client_id: Text(1, 64, 'The client.'),
    audience: Text(1, 600, 'The API identifier.'),
    scope: GrantScope,
    subject_type: Type.Optional(SubjectType),
    ...ignored(IGNORED_CLIENT_GRANT_FIELDS),
  },
  { additionalProperties: false, title: 'CreateClientGrantRequestContent' },
);

export const UpdateClientGrantBody = Type.Object(
  { scope: Type.Optional(GrantScope), ...ignored(IGNORED_CLIENT_GRANT_FIELDS) },
  { additionalProperties: false, title: 'UpdateClientGrantRequestContent' },
);

export const ClientGrantParams = Type.Object({ id: Text(1, 64, 'ID of the client grant') });

export const ClientGrant = Type.Object(
  { id: Type.String(), client_id: Type.String(), audience: Type.String(), scope: Type.Array(Type.String()), subject_type: Type.String() },
  { title: 'ClientGrant' },
);

export const ListClientGrantsQuery = Type.Object({
  audience: Type.Optional(Text(1, 600, 'Only grants for this API.')),
  client_id: Type.Optional(Text(1, 64, 'Only grants of this client.')),
  subject_type: Type.Optional(SubjectType),
  from: Type.Optional(Type.String({ maxLength: 64, pattern: NO_CONTROL_CHARS, description: 'Checkpoint: the `next` of the previous page.' })),
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Checkpoint page size (default 50).' })),
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Offset paging: page index.' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Offset paging: page size.' })),
  include_totals: Type.Optional(Type.Boolean()),
  allow_any_organization: Type.Optional(Type.Boolean({ description: 'Accepted and ignored.' })),
});

export const ClientGrantsPage = Type.Union(
  [
    Type.Array(ClientGrant),
    Type.Object({
      client_grants: Type.Array(ClientGrant),
      next: Type.Optional(Type.String()),
      start: Type.Optional(Type.Integer()),
      limit: Type.Optional(Type.Integer()),
      total: Type.Optional(Type.Integer()),
    }),
  ],
  { title: 'ListClientGrantsResponseContent' },
);
