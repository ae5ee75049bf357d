import { CompiledQuery, sql, type ExpressionBuilder, type Kysely, type QueryResult, type Selectable } from 'kysely';
import { claimsToText } from '../../core/claims.js';
import type { Metadata, Session, TokenFamily } from '../../core/types.js';
import type { FamilyExchange, FamilyFilter, PageRequest } from '../../ports/store.js';
import type { Database, TokenFamiliesTable } from './database.js';
import { liveFamily } from './liveness.js';
import { familyFromRow, familyToRow, metadataToText } from './mappers.js';
import { QueryTemplate, slot } from './query-template.js';
import { createSession } from './session-queries.js';

type FamilyEb = ExpressionBuilder<Database, 'token_families'>;

function matches(eb: FamilyEb, filter: FamilyFilter) {
  const conds = [];
  if (filter.ids !== undefined) conds.push(eb('id', 'in', filter.ids.length ? [...filter.ids] : ['']));
  if (filter.userId !== undefined) conds.push(eb('user_id', '=', filter.userId));
  if (filter.clientId !== undefined) conds.push(eb('client_id', '=', filter.clientId));
  if (filter.audience !== undefined) conds.push(eb('audience', '=', filter.audience));
  if (filter.sessionId !== undefined) conds.push(eb('session_id', '=', filter.sessionId));
  if (conds.length === 0) throw new TypeError('a family filter must name a user, a session or ids');
  return eb.and(conds);
}

export async function createFamily(
  db: Kysely<Database>,
  family: TokenFamily,
  options: { maxActive: number; now: number; session?: Session },
): Promise<{ evicted: string[] }> {
  return db.transaction().execute(async (trx) => {
    if (options.session) await createSession(trx, options.session);
    await trx.insertInto('token_families').values(familyToRow(family)).execute();
    // The cap counts only active families; the oldest beyond it are revoked (Auth0 revokes, never refuses).
    const beyond = await trx
      .selectFrom('token_families')
      .select('id')
      .where('user_id', '=', family.userId)
      .where('client_id', '=', family.clientId)
      .where(liveFamily(options.now))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1000)
      .offset(options.maxActive)
      .execute();
    const evicted = beyond.map((r) => r.id);
    if (evicted.length > 0) {
      await trx
        .updateTable('token_families')
        .set({ revoked_at: options.now, revoked_reason: 'limit' })
        .where('id', 'in', evicted)
        .where('revoked_at', 'is', null)
        .execute();
    }
    return { evicted };
  });
}

/** The values of one exchange, named as the slots of the compare-and-set template. */
interface ExchangeValues extends Record<string, unknown> {
  familyId: string;
  clientId: string;
  presentedGeneration: number;
  presentedHash: Buffer;
  nextGeneration: number;
  nextHash: Buffer | null;
  successorBox: Buffer | null;
  successorClaims: string | null;
  claims: string | null;
  metadata: string | null;
  now: number;
  idleExpiresAt: number | null;
  rotating: number;
  lastIp: string | null;
  lastUserAgent: string | null;
  boundJkt: string;
}

/** Every column, named: the compare-and-set is a prepared statement on PostgreSQL, so it must not say `*`. */
const FAMILY_COLUMNS = [
  'id', 'user_id', 'client_id', 'session_id', 'audience', 'scope', 'generation', 'rotating', 'current_hash', 'previous_hash',
  'successor_box', 'created_at', 'rotated_at', 'last_exchanged_at', 'idle_expires_at', 'expires_at', 'revoked_at',
  'revoked_reason', 'initial_ip', 'initial_user_agent', 'last_ip', 'last_user_agent', 'metadata', 'claims', 'successor_claims',
  'dpop_jkt',
] as const satisfies readonly (keyof TokenFamiliesTable)[];
// Compile-time check that the list is complete: a column added to the table must be added above.
const allFamilyColumnsListed: Exclude<keyof TokenFamiliesTable, (typeof FAMILY_COLUMNS)[number]> extends never ? true : never = true;
void allFamilyColumnsListed;

/** Which columns one exchange writes; each shape is its own compiled statement. */
interface ExchangeShape {
  rotates: boolean;
  slidesIdle: boolean;
  /** A token hook replaced the family's claims or metadata. */
  setsClaims: boolean;
  setsMetadata: boolean;
}

/** The compare-and-set as Kysely builds it; every value is a slot (see query-template.ts). */
function buildExchange(db: Kysely<Database>, shape: ExchangeShape) {
  const rotation = shape.rotates
    ? {
        generation: slot<number>('nextGeneration'),
        current_hash: slot<Buffer>('nextHash'),
        previous_hash: slot<Buffer>('presentedHash'),
        successor_box: slot<Buffer | null>('successorBox'),
        successor_claims: slot<string | null>('successorClaims'),
        rotated_at: slot<number>('now'),
      }
    : {};
  const idleExpiresAt = slot<number | null>('idleExpiresAt');
  return db
    .updateTable('token_families')
    .set({
      ...rotation,
      ...(shape.setsClaims ? { claims: slot<string | null>('claims') } : {}),
      ...(shape.setsMetadata ? { metadata: slot<string | null>('metadata') } : {}),
      rotating: slot<number>('rotating'),
      last_exchanged_at: slot<number>('now'),
      last_ip: slot<string | null>('lastIp'),
      last_user_agent: slot<string | null>('lastUserAgent'),
      // Idle expiry slides, but never past the absolute expiry fixed at issuance.
      idle_expires_at: shape.slidesIdle
        ? sql<number>`case when expires_at is not null and expires_at < ${idleExpiresAt} then expires_at else ${idleExpiresAt} end`
        : idleExpiresAt,
    })
    .where('id', '=', slot<string>('familyId'))
    .where('client_id', '=', slot<string>('clientId'))
    .where('generation', '=', slot<number>('presentedGeneration'))
    .where('current_hash', '=', slot<Buffer>('presentedHash'))
    // The key binding as the exchange verified it ('' for an unbound family): checked by the write itself.
    .where(sql<string>`coalesce(dpop_jkt, '')`, '=', slot<string>('boundJkt'))
    .where(liveFamily(slot<number>('now')))
    .returning(FAMILY_COLUMNS);
}

type ExchangeTemplate = QueryTemplate<ExchangeValues, Selectable<TokenFamiliesTable>>;
const exchangeTemplates = new WeakMap<Kysely<Database>, Map<string, ExchangeTemplate>>();

function exchangeTemplate(db: Kysely<Database>, shape: ExchangeShape): ExchangeTemplate {
  let byShape = exchangeTemplates.get(db);
  if (!byShape) exchangeTemplates.set(db, (byShape = new Map()));
  const { rotates, slidesIdle, setsClaims, setsMetadata } = shape;
  const key = `${rotates}/${slidesIdle}/${setsClaims}/${setsMetadata}`;
  let template = byShape.get(key);
  if (!template) {
    const name = `refreshd_exchange_family_${rotates ? 'rotate' : 'keep'}${slidesIdle ? '_slide' : ''}${setsClaims ? '_claims' : ''}${setsMetadata ? '_meta' : ''}`;
    template = new QueryTemplate(buildExchange(db, shape), { preparedStatement: name }) as ExchangeTemplate;
    byShape.set(key, template);
  }
  return template;
}

/** Runs a compiled statement: the database itself, or SQLite's group commit (sqlite-group-commit.ts). */
export type Execute = <R>(query: CompiledQuery<R>) => Promise<QueryResult<R>>;

/**
 * The rotation compare-and-set: one UPDATE … RETURNING, on both dialects, compiled once per shape. `execute` runs
 * it (on SQLite, in a group commit with the other refreshes of the event-loop turn).
 */
export async function exchangeFamily(db: Kysely<Database>, x: FamilyExchange, execute: Execute = (q) => db.executeQuery(q)): Promise<TokenFamily | null> {
  const template = exchangeTemplate(db, {
    rotates: x.next !== null,
    slidesIdle: x.idleExpiresAt !== null,
    setsClaims: x.claims !== undefined,
    setsMetadata: x.metadata !== undefined,
  });
  const values: ExchangeValues = {
    familyId: x.familyId,
    clientId: x.clientId,
    presentedGeneration: x.presentedGeneration,
    presentedHash: x.presentedHash,
    nextGeneration: x.presentedGeneration + 1,
    nextHash: x.next?.currentHash ?? null,
    successorBox: x.next?.successorBox ?? null,
    successorClaims: x.next?.successorClaims ? JSON.stringify(x.next.successorClaims) : null,
    claims: x.claims === undefined ? null : claimsToText(x.claims),
    metadata: x.metadata === undefined ? null : metadataToText(x.metadata),
    now: x.now,
    idleExpiresAt: x.idleExpiresAt,
    rotating: x.rotating ? 1 : 0,
    lastIp: x.lastIp,
    lastUserAgent: x.lastUserAgent,
    boundJkt: x.boundJkt ?? '',
  };
  const { rows } = await execute(template.bind(values));
  const row = rows[0];
  return row ? familyFromRow(row) : null;
}

const findTemplates = new WeakMap<Kysely<Database>, QueryTemplate<{ id: string }, Selectable<TokenFamiliesTable>>>();

/**
 * One family by id: every refresh reads it before deciding (oauth/refresh.ts), and so does the Management API's
 * GET by id. Compiled once per Kysely instance, and on PostgreSQL a named prepared statement like the
 * compare-and-set (parsed and planned once per connection), so it names its columns.
 */
export async function findFamily(db: Kysely<Database>, id: string, execute: Execute = (q) => db.executeQuery(q)): Promise<TokenFamily | null> {
  let template = findTemplates.get(db);
  if (template === undefined) {
    const query = db.selectFrom('token_families').select(FAMILY_COLUMNS).where('id', '=', slot<string>('id'));
    template = new QueryTemplate(query, { preparedStatement: 'refreshd_find_family' });
    findTemplates.set(db, template);
  }
  const { rows } = await execute(template.bind({ id }));
  const row = rows[0];
  return row ? familyFromRow(row) : null;
}

export async function revokeFamily(db: Kysely<Database>, id: string, now: number, reason: string): Promise<boolean> {
  const r = await db
    .updateTable('token_families')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function revokeFamilies(db: Kysely<Database>, filter: FamilyFilter, now: number, reason: string): Promise<number> {
  const r = await db
    .updateTable('token_families')
    .set({ revoked_at: now, revoked_reason: reason })
    .where((eb) => matches(eb, filter))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** One batch of revoking a client's families: the next `limit` live ones by id after `afterId`. */
export async function revokeClientFamiliesAfter(
  db: Kysely<Database>,
  clientId: string,
  afterId: string,
  now: number,
  reason: string,
  limit: number,
): Promise<{ revoked: number; lastId: string | null }> {
  const ids = (
    await db
      .selectFrom('token_families')
      .select('id')
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute()
  ).map((r) => r.id);
  if (ids.length === 0) return { revoked: 0, lastId: null };
  // revokeFamilies skips a family revoked since the select, so it keeps its first reason.
  const revoked = await revokeFamilies(db, { ids }, now, reason);
  return { revoked, lastId: ids.length < limit ? null : ids[ids.length - 1]! };
}

export async function listFamilies(db: Kysely<Database>, filter: FamilyFilter, page: PageRequest, now: number): Promise<TokenFamily[]> {
  let q = db
    .selectFrom('token_families')
    .selectAll()
    .where((eb) => matches(eb, filter))
    .where(liveFamily(now));
  const after = page.after;
  if (after) {
    q = q.where((eb) =>
      eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]),
    );
  }
  const rows = await q.orderBy('created_at').orderBy('id').limit(page.limit).execute();
  return rows.map(familyFromRow);
}

export async function countFamilies(db: Kysely<Database>, filter: FamilyFilter, now: number): Promise<number> {
  const r = await db
    .selectFrom('token_families')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where((eb) => matches(eb, filter))
    .where(liveFamily(now))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function updateFamilyMetadata(db: Kysely<Database>, id: string, metadata: Metadata, now: number): Promise<TokenFamily | null> {
  const row = await db
    .updateTable('token_families')
    .set({ metadata: metadataToText(metadata) })
    .where('id', '=', id)
    .where(liveFamily(now))
    .returningAll()
    .executeTakeFirst();
  return row ? familyFromRow(row) : null;
}

export async function countActiveFamilies(db: Kysely<Database>, now: number): Promise<number> {
  const r = await db
    .selectFrom('token_families')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where(liveFamily(now))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
