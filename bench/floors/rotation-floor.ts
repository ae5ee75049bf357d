import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import pg from 'pg';
import { CLIENT_ID, CLIENT_SECRET, ES256_AUDIENCE, SCOPE, type SeedResponse } from '../lib/bench-client.js';
import { accessClaims, exitOnSignals, readBody, sendError, sendTokenResponse } from './token-response.js';

/**
 * Floor: node:http + the rotation as ONE statement (a compare-and-set UPDATE … RETURNING) on refreshd's own
 * token_families table, and optionally the same ES256 access token refreshd signs (jose on the event loop, as the
 * plain ES256 floor does). The fair reference for refreshd's refresh grant: the same request, the same durable
 * write, the same signature, and nothing else.
 *   FLOOR_STORE=postgres (node-postgres, named prepared statement, pool of 10 as refreshd) | sqlite (better-sqlite3,
 *   WAL, synchronous=NORMAL as refreshd, one cached statement, autocommit)
 *   FLOOR_SIGN=ES256 | none (a placeholder of an ES256 token's length, so the answers have the same bytes)
 *   DATABASE_URL=postgres://… | sqlite:<path>  (already migrated by the harness)
 */
const port = Number(process.env.PORT ?? 0);
const url = process.env.DATABASE_URL ?? '';
const storeKind = process.env.FLOOR_STORE ?? 'postgres';
const signAlg = process.env.FLOOR_SIGN ?? 'none';
const issuer = `http://127.0.0.1:${port}/`;
const secretDigest = createHash('sha256').update(CLIENT_SECRET).digest();
const PLACEHOLDER_JWT = 'x'.repeat(520);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
const DAY_MS = 86_400_000;

// version(1) ‖ familyId(16) ‖ generation(4) ‖ secret(32) ‖ 16 bytes where refreshd has its MAC: same length.
function formatToken(familyId: Buffer, generation: number, secret: Buffer): string {
  const raw = Buffer.alloc(69);
  raw[0] = 1;
  familyId.copy(raw, 1);
  raw.writeUInt32BE(generation, 17);
  secret.copy(raw, 21);
  return 'rfd_rt_' + raw.toString('base64url');
}

/** The values of one rotation, in the order both statements bind them. */
type RotateValues = [nextHash: Buffer, now: number, idleExpiresAt: number, ip: string | null, userAgent: string | null, familyId: string, clientId: string, presentedHash: Buffer];

interface FloorStore {
  seed(rows: { id: string; userId: string; hash: Buffer; now: number }[]): Promise<void>;
  /** The new generation, or null when the compare-and-set did not apply. */
  rotate(values: RotateValues): Promise<number | null>;
  close(): Promise<void>;
}

const INSERT = `insert into token_families (id, user_id, client_id, session_id, audience, scope, generation, rotating, current_hash, created_at, idle_expires_at, expires_at, initial_ip, initial_user_agent, last_ip, last_user_agent)
  values ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, '127.0.0.1', 'bench', '127.0.0.1', 'bench')`;
const ROTATE = `update token_families
  set generation = generation + 1, current_hash = $1, previous_hash = current_hash, rotated_at = $2, last_exchanged_at = $2,
      idle_expires_at = $3, last_ip = $4, last_user_agent = $5
  where id = $6 and client_id = $7 and current_hash = $8 and revoked_at is null
    and (expires_at is null or expires_at > $2) and (idle_expires_at is null or idle_expires_at > $2)
  returning user_id, session_id, audience, scope, generation`;

function postgresStore(): FloorStore {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {});
  return {
    async seed(rows) {
      for (const r of rows) {
        await pool.query(INSERT, [r.id, r.userId, CLIENT_ID, randomBytes(16).toString('base64url'), ES256_AUDIENCE, SCOPE, true, r.hash, r.now, r.now + 15 * DAY_MS, r.now + 30 * DAY_MS]);
      }
    },
    async rotate(values) {
      const r = await pool.query<{ generation: number }>({ name: 'rotate', text: ROTATE, values });
      return r.rows[0]?.generation ?? null;
    },
    close: () => pool.end(),
  };
}

function sqliteStore(): FloorStore {
  const db = new BetterSqlite3(url.replace(/^sqlite:(\/\/)?/, ''));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  // better-sqlite3 binds an array to plain `?` in order: the same statements, each $n spelled out as `?`.
  const positional = (sqlText: string) => {
    const order: number[] = [];
    const text = sqlText.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(Number(n) - 1);
      return '?';
    });
    const statement = db.prepare(text);
    return { statement, args: (values: readonly unknown[]) => order.map((i) => values[i]) };
  };
  const insert = positional(INSERT);
  const rotate = positional(ROTATE);
  return {
    async seed(rows) {
      for (const r of rows) {
        insert.statement.run(insert.args([r.id, r.userId, CLIENT_ID, randomBytes(16).toString('base64url'), ES256_AUDIENCE, SCOPE, 1, r.hash, r.now, r.now + 15 * DAY_MS, r.now + 30 * DAY_MS]));
      }
    },
    async rotate(values) {
      // all(), not get(): get() leaves the statement before SQLITE_DONE, and SQLite runs its WAL hook (the automatic
      // checkpoint) only on SQLITE_DONE, so the WAL would grow without bound.
      const row = rotate.statement.all(rotate.args(values))[0] as { generation: number } | undefined;
      return row?.generation ?? null;
    },
    close: async () => {
      db.close();
    },
  };
}

const store = storeKind === 'sqlite' ? sqliteStore() : postgresStore();
let signer: ((claims: Record<string, unknown>) => Promise<string>) | null = null;
if (signAlg === 'ES256') {
  const { privateKey } = await generateKeyPair('ES256');
  signer = (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'floor-key-0000000000001', typ: 'JWT' }).sign(privateKey as CryptoKey);
}

async function seed(n: number): Promise<string[]> {
  const now = Date.now();
  const rows = Array.from({ length: n }, (_, i) => ({ fid: randomBytes(16), secret: randomBytes(32), i }));
  await store.seed(rows.map((r) => ({ id: r.fid.toString('base64url'), userId: `auth0|floor-${r.i}`, hash: sha256(r.secret), now })));
  return rows.map((r) => formatToken(r.fid, 0, r.secret));
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
    const generation = await store.rotate([
      sha256(nextSecret),
      now,
      now + 15 * DAY_MS,
      req.socket.remoteAddress ?? null,
      req.headers['user-agent'] ?? null,
      fid.toString('base64url'),
      CLIENT_ID,
      sha256(raw.subarray(21, 53)),
    ]);
    if (generation === null) return sendError(res, 400, 'invalid_grant');
    const accessToken = signer ? await signer(accessClaims(issuer, ES256_AUDIENCE, Math.floor(now / 1000))) : PLACEHOLDER_JWT;
    sendTokenResponse(res, accessToken, formatToken(fid, generation, nextSecret));
  } catch (err) {
    sendError(res, 500, String(err));
  }
});
server.keepAliveTimeout = 72_000;
server.listen(port, '127.0.0.1');
exitOnSignals(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await store.close();
});
