import { Type } from '@sinclair/typebox';

/** A token-exchange parameter that holds a JSON object: in a JSON body the object itself, or the JSON text of it. */
const JsonObjectParameter = (description: string) =>
  Type.Union([Type.String({ maxLength: 8192 }), Type.Object({}, { additionalProperties: true })], { description });

/**
 * Token and revocation requests: string parameters, form-encoded or JSON (no arrays). The two refreshd extension
 * parameters that hold a JSON object may be sent as one in a JSON body (a form can only carry their JSON text).
 */
export const OAuthRequestBody = Type.Object(
  {
    access_token_claims: Type.Optional(JsonObjectParameter('refreshd extension: custom claims for every access token of the new family.')),
    refresh_token_metadata: Type.Optional(JsonObjectParameter("Auth0's refresh_token_metadata for the new family.")),
  },
  {
    additionalProperties: Type.String({ maxLength: 8192 }),
    propertyNames: { maxLength: 256 },
    description: 'RFC 6749 parameters; each at most once.',
  },
);

/** The names of OAuthRequestBody's object-valued parameters. */
export const JSON_OBJECT_PARAMETERS = ['access_token_claims', 'refresh_token_metadata'] as const;

export const TokenResponseBody = Type.Object({
  access_token: Type.String(),
  token_type: Type.Union([Type.Literal('Bearer'), Type.Literal('DPoP')]),
  expires_in: Type.Integer(),
  scope: Type.String(),
  refresh_token: Type.Optional(Type.String()),
  issued_token_type: Type.Optional(Type.String()),
});

export const OAuthErrorBody = Type.Object({
  error: Type.String(),
  error_description: Type.String(),
});
