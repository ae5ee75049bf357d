import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_TAKE } from '../../management/checkpoint.js';
import { METADATA_KEY_PATTERN, METADATA_MAX_KEYS, METADATA_MAX_VALUE_LENGTH } from '../../management/metadata.js';

/**
 * The Management API's wire contract in TypeBox: every request part and every response status. The field
 * names, nesting and types follow Auth0's seeds (GetRefreshTokenResponseContent, UpdateRefreshTokenResponseContent)
 * and auth0-surface.md §1–§3. The OpenAPI document at /api/v2/openapi.json is generated from these.
 */

const DateTime = (description: string) => Type.String({ format: 'date-time', description });
/**
 * `type: [string, null]` rather than anyOf: the same JSON Schema 2020-12 meaning, but fast-json-stringify
 * serializes a type list directly, where anyOf makes it validate every value to pick a branch (hot path).
 */
const NullableString = (options: { description?: string; format?: string } = {}) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });
const NullableDateTime = (description: string) => NullableString({ format: 'date-time', description });

// ——— shared pieces ———

export const ErrorEnvelope = Type.Object(
  {
    statusCode: Type.Integer({ description: 'The HTTP status code.' }),
    error: Type.String({ description: 'The HTTP reason phrase.' }),
    message: Type.String({ description: 'What went wrong, for humans.' }),
    errorCode: Type.String({ description: 'A stable code, e.g. invalid_body, insufficient_scope, inexistent_refresh_token.' }),
  },
  { title: 'Error', description: "Auth0's Management API error envelope." },
);

export const Accepted = Type.Object({}, { additionalProperties: false, description: 'The request was accepted; its effect is immediate.' });

export const Metadata = Type.Record(Type.String({ pattern: METADATA_KEY_PATTERN }), Type.String({ maxLength: METADATA_MAX_VALUE_LENGTH }), {
  maxProperties: METADATA_MAX_KEYS,
  additionalProperties: false,
  description: 'An object with string values (max 255 chars). Maximum of 25 metadata properties allowed.',
});

/**
 * Identifiers are stored and compared as text; control characters (NUL above all, which PostgreSQL cannot store
 * in text) are refused at the edge, as a 400, instead of failing in the database.
 */
export const NO_CONTROL_CHARS = '^[^\\u0000-\\u001f\\u007f]*$';
export const Text = (minLength: number, maxLength: number, description?: string) =>
  Type.String({ minLength, maxLength, pattern: NO_CONTROL_CHARS, ...(description ? { description } : {}) });

const UserId = Text(1, 300, 'ID of the user.');
const ObjectId = (description: string) => Text(1, 64, description);

export const IdParams = (description: string) => Type.Object({ id: ObjectId(description) });
export const UserParams = Type.Object({ user_id: UserId });

const From = Type.String({ maxLength: 1024, description: 'An opaque cursor from which to start the selection (exclusive), the `next` of a previous page. Expires after 24 hours.' });
const Take = Type.Integer({ minimum: 1, maximum: MAX_TAKE, default: 50, description: 'Number of results per page. Defaults to 50.' });
const IncludeTotals = Type.Boolean({ description: 'Add `total`, the number of results across all pages.' });

// ——— refresh tokens ———

export const RefreshTokenDevice = Type.Object(
  {
    initial_ip: Type.String({ description: 'First IP address associated with the refresh token' }),
    initial_asn: Type.String({ description: 'First autonomous system number associated with the refresh token (not tracked: always empty)' }),
    initial_user_agent: Type.String({ description: 'First user agent associated with the refresh token' }),
    last_ip: Type.String({ description: 'Last IP address from which the refresh token was exchanged' }),
    last_asn: Type.String({ description: 'Last autonomous system number (not tracked: always empty)' }),
    last_user_agent: Type.String({ description: 'Last user agent from which the refresh token was exchanged' }),
  },
  { description: 'Device used while issuing/exchanging the refresh token' },
);

export const RefreshTokenResourceServer = Type.Object({
  audience: Type.String({ description: 'Resource server ID' }),
  scopes: Type.String({ description: 'List of scopes for the refresh token, space separated' }),
});

export const RefreshToken = Type.Object(
  {
    id: Type.String({ description: 'The ID of the refresh token' }),
    user_id: Type.String({ description: 'ID of the user which can be used when interacting with other APIs.' }),
    created_at: DateTime('The date and time when the refresh token was created'),
    idle_expires_at: NullableDateTime('When the refresh token expires if it is not exchanged before; null if it does not expire idle'),
    expires_at: NullableDateTime('When the refresh token expires; null if it never does'),
    device: RefreshTokenDevice,
    client_id: Type.String({ description: 'ID of the client application granted with this refresh token' }),
    session_id: NullableString({ description: 'ID of the authenticated session used to obtain this refresh-token' }),
    rotating: Type.Boolean({ description: 'True if the token is a rotating refresh token' }),
    resource_servers: Type.Array(RefreshTokenResourceServer, {
      description: 'A list of the resource server IDs associated to this refresh-token and their granted scopes',
    }),
    refresh_token_metadata: Metadata,
    last_exchanged_at: NullableDateTime('When the refresh token was last exchanged; null if never'),
    access_token_claims: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'refreshd extension (Auth0 has no such field): the custom claims put into every access token of this refresh token, set at issuance (`access_token_claims`) or by the token hook. Present only when there are some.',
      }),
    ),
    dpop_jkt: Type.Optional(
      Type.String({
        description:
          'refreshd extension (Auth0 has no such field): the RFC 7638 SHA-256 thumbprint of the DPoP key this refresh token is bound to (RFC 9449 §5); every exchange must prove possession of that key. Present only when the token is bound.',
      }),
    ),
  },
  { title: 'RefreshToken' },
);

/** Every field a `fields` selection may name, in wire order. */
export const REFRESH_TOKEN_FIELDS = Object.keys(RefreshToken.properties) as (keyof typeof RefreshToken.properties)[];

export const RefreshTokenListItem = Type.Partial(RefreshToken, { title: 'RefreshTokenListItem', description: 'A refresh token; only the selected fields when `fields` is given.' });

export const ListRefreshTokensQuery = Type.Object({
  user_id: UserId,
  client_id: Type.Optional(Text(1, 64, 'Only tokens of this client (only valid with user_id)')),
  from: Type.Optional(From),
  take: Type.Optional(Take),
  fields: Type.Optional(
    Type.String({ maxLength: 512, description: `Comma-separated list of fields to include or exclude (see include_fields): ${REFRESH_TOKEN_FIELDS.join(', ')}` }),
  ),
  include_fields: Type.Optional(Type.Boolean({ description: 'Whether the listed fields are included (true, default) or excluded (false)' })),
});

export const RefreshTokensPage = Type.Object(
  { refresh_tokens: Type.Array(RefreshTokenListItem), next: Type.Optional(Type.String({ description: 'Cursor of the next page; absent on the last page' })) },
  { title: 'GetRefreshTokensPaginatedResponseContent' },
);

export const UserRefreshTokensQuery = Type.Object({ include_totals: Type.Optional(IncludeTotals), from: Type.Optional(From), take: Type.Optional(Take) });

export const UserRefreshTokensPage = Type.Object(
  {
    tokens: Type.Array(RefreshToken),
    next: Type.Optional(Type.String({ description: 'Cursor of the next page; absent on the last page' })),
    total: Type.Optional(Type.Integer({ description: 'With include_totals=true: the number of tokens across all pages' })),
  },
  { title: 'ListRefreshTokensPaginatedResponseContent' },
);

export const UpdateRefreshTokenBody = Type.Object(
  {
    refresh_token_metadata: Type.Union([Metadata, Type.Null()], {
      description: 'Metadata associated with the refresh token. Replaces the current metadata; pass null or {} to remove all metadata.',
    }),
  },
  { additionalProperties: false, title: 'UpdateRefreshTokenRequestContent' },
);

export const RevokeRefreshTokensBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Text(1, 30), { minItems: 1, maxItems: 100, description: 'Refresh token IDs; limited to 100 at a time.' })),
    user_id: Type.Optional(Text(1, 300, 'Every refresh token of this user')),
    client_id: Type.Optional(Text(1, 64, 'Narrows user_id to one client; must be paired with user_id')),
    audience: Type.Optional(Text(1, 600, 'Narrows user_id + client_id to one API; must be used with both')),
  },
  {
    additionalProperties: false,
    title: 'RevokeRefreshTokensRequestContent',
    description:
      'Exactly one of: ids; user_id; user_id + client_id; user_id + client_id + audience. ids cannot be combined with the others; client_id alone is not allowed.',
  },
);

// ——— sessions ———

export const SessionDevice = Type.Object({
  initial_user_agent: Type.String({ description: 'First user agent of the device from which this user logged in' }),
  initial_ip: NullableString({ description: 'First IP address associated with this session' }),
  initial_asn: Type.String({ description: 'First autonomous system number (not tracked: always empty)' }),
  last_user_agent: Type.String({ description: 'Last user agent of the device from which this user logged in' }),
  last_ip: NullableString({ description: 'Last IP address from which this user logged in' }),
  last_asn: Type.String({ description: 'Last autonomous system number (not tracked: always empty)' }),
});

export const Session = Type.Object(
  {
    id: Type.String({ description: 'The ID of the session' }),
    user_id: Type.String({ description: 'ID of the user which can be used when interacting with other APIs.' }),
    created_at: DateTime('The date and time when the session was created'),
    updated_at: DateTime('The date and time when the session was last updated'),
    authenticated_at: DateTime('The date and time when the user last authenticated'),
    idle_expires_at: NullableDateTime('When the session expires if idle; null if it does not'),
    expires_at: NullableDateTime('When the session expires; null if it does not'),
    last_interacted_at: DateTime('The date and time of the last interaction with the session'),
    device: SessionDevice,
    clients: Type.Array(Type.Object({ client_id: Type.String() }), { description: 'List of client details for the session' }),
    authentication: Type.Object(
      { methods: Type.Array(Type.Object({ name: Type.String(), timestamp: Type.Optional(DateTime('When the method was used')), type: Type.Optional(Type.String()) })) },
      { description: 'Details about authentication signals obtained during the login flow (none are recorded here)' },
    ),
    session_metadata: Metadata,
  },
  { title: 'Session' },
);

export const UserSessionsQuery = UserRefreshTokensQuery;

export const UserSessionsPage = Type.Object(
  {
    sessions: Type.Array(Session),
    next: Type.Optional(Type.String({ description: 'Cursor of the next page; absent on the last page' })),
    total: Type.Optional(Type.Integer({ description: 'With include_totals=true: the number of sessions across all pages' })),
  },
  { title: 'ListUserSessionsPaginatedResponseContent' },
);

export const UpdateSessionBody = Type.Object(
  {
    session_metadata: Type.Union([Metadata, Type.Null()], {
      description: 'Metadata associated with the session. Replaces the current metadata; pass null or {} to remove all session_metadata.',
    }),
  },
  { additionalProperties: false, title: 'UpdateSessionRequestContent' },
);

export const RevokeAccessBody = Type.Object(
  {
    session_id: Type.Optional(Text(1, 50, 'Only this session (and its refresh tokens); otherwise every session of the user')),
    preserve_refresh_tokens: Type.Optional(Type.Boolean({ default: false, description: 'Whether to preserve the refresh tokens associated with the session(s).' })),
  },
  { additionalProperties: false, title: 'RevokeUserAccessRequestContent' },
);

// ——— responses per status ———

const describe = <T extends TSchema>(schema: T, description: string): T => ({ ...schema, description });

/** The error rows every authenticated route can answer. */
export function errorResponses(...extra: (400 | 404 | 409 | 413)[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {
    401: describe(ErrorEnvelope, 'Missing, malformed, expired, not yet valid or wrongly signed token, or one for another issuer or audience.'),
    403: describe(ErrorEnvelope, 'The token lacks the scope this endpoint requires (insufficient_scope).'),
    429: describe(ErrorEnvelope, 'Too many requests for this token, or from this address with tokens not yet verified (too_many_requests); see the X-RateLimit-* and Retry-After headers.'),
    500: describe(ErrorEnvelope, 'Unexpected server error.'),
    503: describe(ErrorEnvelope, 'The store is unavailable; retry shortly.'),
  };
  for (const code of extra) {
    if (code === 400) out[400] = describe(ErrorEnvelope, 'Invalid request URI, query string or body (invalid_uri, invalid_query_string, invalid_body).');
    if (code === 404) out[404] = describe(ErrorEnvelope, 'The object does not exist (inexistent_refresh_token, inexistent_session, inexistent_client, …).');
    if (code === 409) out[409] = describe(ErrorEnvelope, 'A duplicate (conflict), or an entry the configuration file declares (managed_by_configuration_file).');
    if (code === 413) out[413] = describe(ErrorEnvelope, 'The request body is larger than 1 MB.');
  }
  return out;
}
