import { Type, type Static } from '@sinclair/typebox';
import { CLAIM_NAME_MAX_LENGTH } from '../core/claims.js';
import { METADATA_KEY_PATTERN, METADATA_MAX_KEYS, METADATA_MAX_VALUE_LENGTH } from '../core/metadata.js';

// The token hook's contract, both directions. The request schema documents what refreshd sends (and the tests
// check every body against it); the response schema is enforced: an answer that does not match is a failure,
// handled by `on_failure`. docs/token-hook.md prints both, and a test keeps the page equal to these.

export const TOKEN_HOOK_EVENTS = ['issuance', 'refresh'] as const;
export type TokenHookEventName = (typeof TOKEN_HOOK_EVENTS)[number];

/** A reason a hook gives for deny or revoke: shown to the client (deny) and kept in the security event. */
export const HOOK_REASON_MAX_LENGTH = 500;

const Json = Type.Unknown({ description: 'Any JSON value.' });
const ClaimName = Type.String({ minLength: 1, maxLength: CLAIM_NAME_MAX_LENGTH });
const storedClaims = (description: string) => Type.Record(ClaimName, Json, { description });
const metadata = (description: string) =>
  Type.Record(Type.String({ pattern: METADATA_KEY_PATTERN }), Type.String({ maxLength: METADATA_MAX_VALUE_LENGTH }), {
    maxProperties: METADATA_MAX_KEYS,
    description,
  });
const reason = (description: string) => Type.String({ minLength: 1, maxLength: HOOK_REASON_MAX_LENGTH, description });

export const TokenHookRequestSchema = Type.Object(
  {
    event: Type.Union(TOKEN_HOOK_EVENTS.map((e) => Type.Literal(e)), { description: '`issuance` (token exchange) or `refresh` (refresh_token grant).' }),
    request_id: Type.String({ description: 'Unique per call; also the `webhook-id` header.' }),
    idempotency_key: Type.String({
      description:
        'The same for every call about the same decision: `<refresh token id>.<generation presented>` on refresh (requests racing with one token share it; only one answer is ever used), the request id on issuance.',
    }),
    user_id: Type.String(),
    client_id: Type.String({ description: 'The client the tokens are for.' }),
    audience: Type.String({ description: 'The API of the access token being issued.' }),
    scope: Type.Object(
      {
        requested: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'What the request asked for; null when it named no scope (a refresh keeps the grant).' }),
        granted: Type.Array(Type.String(), { description: 'What the access token will carry.' }),
      },
      { additionalProperties: false },
    ),
    session_id: Type.Union([Type.String(), Type.Null()]),
    access_token: Type.Object(
      { claims: storedClaims('The custom claims the access token carries unless this answer changes them.') },
      { additionalProperties: false },
    ),
    refresh_token: Type.Union(
      [
        Type.Object(
          {
            id: Type.String({ description: 'The refresh token (family) id: the Management API `id`. At issuance, the id the new family will have.' }),
            claims: storedClaims('The claims stored with the family.'),
            metadata: metadata('The family\'s `refresh_token_metadata`.'),
            rotating: Type.Boolean(),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'null when no refresh token is issued (no `offline_access`).' },
    ),
    device: Type.Object({ ip: Type.Union([Type.String(), Type.Null()]), user_agent: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }),
  },
  { additionalProperties: false, title: 'TokenHookRequest', $id: 'https://refreshd.dev/schemas/token-hook-request.json' },
);

export const TokenHookResponseSchema = Type.Object(
  {
    access_token: Type.Optional(
      Type.Object(
        {
          claims: Type.Optional(
            Type.Record(ClaimName, Json, {
              description: 'Merged into this answer\'s access token over the family\'s claims: a value sets the claim, null removes it, claims not named stay.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    refresh_token: Type.Optional(
      Type.Object(
        {
          claims: Type.Optional(storedClaims('Replaces the claims stored with the family, from this answer on ({} clears them).')),
          metadata: Type.Optional(
            Type.Record(Type.String({ pattern: METADATA_KEY_PATTERN }), Type.Union([Type.String({ maxLength: METADATA_MAX_VALUE_LENGTH }), Type.Null()]), {
              description: 'Merged into `refresh_token_metadata` as Auth0 Actions\' setMetadata does: a string sets the key, null deletes it.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    deny: Type.Optional(reason('Refuse this request: 403 access_denied with this text as error_description; nothing is written.')),
    revoke: Type.Optional(reason('Revoke the refresh token\'s family (event srrt): the client gets invalid_grant. At issuance, where no family exists yet, the same as deny.')),
  },
  { additionalProperties: false, title: 'TokenHookResponse', $id: 'https://refreshd.dev/schemas/token-hook-response.json' },
);

export type TokenHookEvent = Static<typeof TokenHookRequestSchema>;
export type TokenHookDecision = Static<typeof TokenHookResponseSchema>;
