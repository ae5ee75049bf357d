import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { CLIENT_ID, CLIENT_SECRET, ES256_AUDIENCE, SCOPE, type SeedResponse } from '../lib/bench-client.js';
import { exitOnSignals, readBody, sendError, sendTokenResponse } from './token-response.js';

/**
 * Floor: node:http + node-postgres doing the rotation as ONE statement (a compare-and-set UPDATE … RETURNING,
 * as a named prepared statement) on refreshd's own token_families table, no JWT: the answer carries a static
 * placeholder of an ES256 token's length, so the bytes match. Same pool size as refreshd (10).
 *   DATABASE_URL=postgres://…  (already migrated by the harness)
 */
const port = Number(process.env.PORT ?? 0);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => {});
const secretDigest = createHash('sha256').update(CLIENT_SECRET).digest();
const PLACEHOLDER_JWT = 'x'.repeat(520);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

// version(1) ‖ familyId(16) ‖ generation(4) ‖ secret(32) ‖ 16 bytes where refreshd has its MAC: same length.
function formatToken(familyId: Buffer, generation: number, secret: Buffer): string {
  const raw = Buffer.alloc(69);
  raw[0] = 1;
  familyId.copy(raw, 1);
  raw.writeUInt32BE(generation, 17);
  secret.copy(raw, 21);
  return 'rfd_rt_' + raw.toString('base64url');
}

const ROTATE = `update token_families
  set generation = generation + 1, current_hash = $1, previous_hash = current_hash, rotated_at = $2, last_exchanged_at = $2,
      idle_expires_at = $3, last_ip = $4, last_user_agent = $5
  where id = $6 and client_id = $7 and current_hash = $8 and revoked_at is null
    and (expires_at is null or expires_at > $2) and (idle_expires_at is null or idle_expires_at > $2)
  returning user_id, session_id, audience, scope, generation`;

async function seed(n: number): Promise<string[]> {
  const now = Date.now();
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const fid = randomBytes(16);
    const secret = randomBytes(32);
    await pool.query(
      `insert into token_families (id, user_id, client_id, session_id, audience, scope, generation, rotating, current_hash, created_at, idle_expires_at, expires_at, initial_ip, initial_user_agent, last_ip, last_user_agent)
       values ($1, $2, $3, $4, $5, $6, 0, true, $7, $8, $9, $10, '127.0.0.1', 'bench', '127.0.0.1', 'bench')`,
      [fid.toString('base64url'), `auth0|floor-${i}`, CLIENT_ID, randomBytes(16).toString('base64url'), ES256_AUDIENCE, SCOPE, sha256(secret), now, now + 1_296_000_000, now + 2_592_000_000],
    );
    tokens.push(formatToken(fid, 0, secret));
  }
  return tokens;
}

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'GET' && req.url?.startsWith('/__seed')) {
      const body: SeedResponse = { tokens: await seed(Number(new URL(req.url, 'http://x').searchParams.get('n') ?? '64')) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const params = new URLSearchParams(await readBody(req));
    const presented = params.get('refresh_token') ?? '';
    if (params.get('grant_type') !== 'refresh_token' || params.get('client_id') !== CLIENT_ID) return sendError(res, 400, 'invalid_request');
    if (!createHash('sha256').update(params.get('client_secret') ?? '').digest().equals(secretDigest)) return sendError(res, 401, 'invalid_client');
    const raw = Buffer.from(presented.slice(7), 'base64url');
    if (raw.length !== 69) return sendError(res, 400, 'invalid_grant');
    const fid = raw.subarray(1, 17);
    const nextSecret = randomBytes(32);
    const now = Date.now();
    const r = await pool.query<{ generation: number }>({
      name: 'rotate',
      text: ROTATE,
      values: [sha256(nextSecret), now, now + 1_296_000_000, req.socket.remoteAddress ?? null, req.headers['user-agent'] ?? null, fid.toString('base64url'), CLIENT_ID, sha256(raw.subarray(21, 53))],
    });
    const row = r.rows[0];
    if (!row) return sendError(res, 400, 'invalid_grant');
    sendTokenResponse(res, PLACEHOLDER_JWT, formatToken(fid, row.generation, nextSecret));
  } catch (err) {
    sendError(res, 500, String(err));
  }
});
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1');
exitOnSignals(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await pool.end();
});
