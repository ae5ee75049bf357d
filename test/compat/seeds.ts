/**
 * The wire contract, copied verbatim from the project's seeds (../shared/seeds/get-refresh-token.txt: the
 * response example of GET /api/v2/refresh-tokens/{id}; update-refresh-token-response.txt lists the same
 * properties for the PATCH response). Tests compare responses against these shapes.
 */
export const SEED_GET_REFRESH_TOKEN_RESPONSE = {
  id: '<string>',
  user_id: 'auth0|507f1f77bcf86cd799439020',
  created_at: '2023-11-07T05:31:56Z',
  idle_expires_at: '2023-11-07T05:31:56Z',
  expires_at: '2023-11-07T05:31:56Z',
  device: {
    initial_ip: '<string>',
    initial_asn: '<string>',
    initial_user_agent: '<string>',
    last_ip: '<string>',
    last_asn: '<string>',
    last_user_agent: '<string>',
  },
  client_id: '<string>',
  session_id: '<string>',
  rotating: true,
  resource_servers: [
    {
      audience: '<string>',
      scopes: '<string>',
    },
  ],
  refresh_token_metadata: {},
  last_exchanged_at: '2023-11-07T05:31:56Z',
};

/** UpdateRefreshTokenResponseContent's properties, in the seed's order. */
export const SEED_UPDATE_REFRESH_TOKEN_PROPERTIES = [
  'id',
  'user_id',
  'created_at',
  'idle_expires_at',
  'expires_at',
  'device',
  'client_id',
  'session_id',
  'rotating',
  'resource_servers',
  'refresh_token_metadata',
  'last_exchanged_at',
];

/** Fields the seed documents as possibly null (RefreshTokenDate: string | object | null; session_id: string | null). */
const NULLABLE = new Set(['idle_expires_at', 'expires_at', 'last_exchanged_at', 'session_id']);
const DATE = new Set(['created_at', 'idle_expires_at', 'expires_at', 'last_exchanged_at']);
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * Problems with `actual` measured against the seed example: the same keys at every level (no more, no fewer),
 * the same JSON types (null only where the seed allows it), ISO 8601 dates. Empty means it matches.
 */
export function seedShapeProblems(actual: unknown, seed: unknown = SEED_GET_REFRESH_TOKEN_RESPONSE, path = ''): string[] {
  const problems: string[] = [];
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const key = path.split('.').pop() ?? '';
  if (actual === null && NULLABLE.has(key)) return problems;
  if (kind(actual) !== kind(seed)) return [`${path || '(root)'}: ${kind(actual)} where the seed has ${kind(seed)}`];
  if (typeof actual === 'string' && DATE.has(key) && !ISO_8601.test(actual)) problems.push(`${path}: not an ISO 8601 date: ${actual}`);
  if (Array.isArray(seed) && Array.isArray(actual)) {
    actual.forEach((item, i) => problems.push(...seedShapeProblems(item, seed[0], `${path}[${i}]`)));
  } else if (kind(seed) === 'object' && path !== 'refresh_token_metadata') {
    const s = seed as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of Object.keys(s)) if (!(k in a)) problems.push(`${path ? `${path}.` : ''}${k}: missing`);
    for (const k of Object.keys(a)) if (!(k in s)) problems.push(`${path ? `${path}.` : ''}${k}: not in the seed`);
    for (const k of Object.keys(s)) if (k in a) problems.push(...seedShapeProblems(a[k], s[k], path ? `${path}.${k}` : k));
  } else if (path === 'refresh_token_metadata') {
    for (const [k, v] of Object.entries(actual as Record<string, unknown>)) if (typeof v !== 'string') problems.push(`${path}.${k}: not a string`);
  }
  return problems;
}
