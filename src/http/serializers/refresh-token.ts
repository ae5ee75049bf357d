import type { Static } from '@sinclair/typebox';
import { invalidQueryString } from '../../management/errors.js';
import { formatScope } from '../../core/scopes.js';
import type { TokenFamily } from '../../core/types.js';
import { REFRESH_TOKEN_FIELDS, type RefreshToken } from '../schemas/management.js';
import { isoDate, isoDateOrNull } from './dates.js';

export type RefreshTokenWire = Static<typeof RefreshToken>;

/**
 * A token family as Auth0's refresh-token object. Only this function turns families into JSON, so digests and
 * sealed successors can never reach a response. The store tracks no ASN, and IPs or user agents it did not see
 * are empty strings, so all six device fields are always present with the type the seed gives them.
 */
export function refreshTokenToWire(f: TokenFamily): RefreshTokenWire {
  return {
    id: f.id,
    user_id: f.userId,
    created_at: isoDate(f.createdAt),
    idle_expires_at: isoDateOrNull(f.idleExpiresAt),
    expires_at: isoDateOrNull(f.expiresAt),
    device: {
      initial_ip: f.device.initialIp ?? '',
      initial_asn: '',
      initial_user_agent: f.device.initialUserAgent ?? '',
      last_ip: f.device.lastIp ?? '',
      last_asn: '',
      last_user_agent: f.device.lastUserAgent ?? '',
    },
    client_id: f.clientId,
    session_id: f.sessionId,
    rotating: f.rotating,
    resource_servers: [{ audience: f.audience, scopes: formatScope(f.scope) }],
    refresh_token_metadata: f.metadata,
    last_exchanged_at: isoDateOrNull(f.lastExchangedAt),
    // A refreshd extension, after Auth0's fields and only when there is something to show: a family without
    // claims is exactly Auth0's object.
    ...(Object.keys(f.claims).length > 0 ? { access_token_claims: f.claims } : {}),
    ...(f.dpopJkt !== null ? { dpop_jkt: f.dpopJkt } : {}),
  };
}

export type FieldName = (typeof REFRESH_TOKEN_FIELDS)[number];

/**
 * The fields a `fields` / `include_fields` pair selects: the listed ones, or all but them. Unknown names are a
 * 400 rather than silently ignored, so a typo does not quietly return everything.
 */
export function selectFields(fields: string | undefined, includeFields: boolean | undefined): FieldName[] | null {
  if (fields === undefined) return null;
  const named = fields
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const unknown = named.filter((f) => !(REFRESH_TOKEN_FIELDS as readonly string[]).includes(f));
  if (unknown.length > 0) throw invalidQueryString(`Query validation error: unknown field(s) in fields: ${unknown.join(',').slice(0, 200)}`);
  const set = new Set(named);
  return REFRESH_TOKEN_FIELDS.filter((f) => (includeFields === false ? !set.has(f) : set.has(f)));
}

export function pickFields(token: RefreshTokenWire, fields: readonly FieldName[] | null): Partial<RefreshTokenWire> {
  if (fields === null) return token;
  const out: Partial<Record<FieldName, unknown>> = {};
  for (const f of fields) out[f] = token[f];
  return out as Partial<RefreshTokenWire>;
}
