import { Type } from '@sinclair/typebox';

/** Token and revocation requests: a flat map of string parameters, form-encoded or JSON (no nesting, no arrays). */
export const OAuthRequestBody = Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 8192 }), {
  description: 'RFC 6749 parameters; each at most once.',
});

export const TokenResponseBody = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
  refresh_token: Type.Optional(Type.String()),
  issued_token_type: Type.Optional(Type.String()),
});

export const OAuthErrorBody = Type.Object({
  error: Type.String(),
  error_description: Type.String(),
});
