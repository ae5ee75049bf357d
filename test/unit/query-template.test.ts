import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { QueryTemplate, slot } from '../../src/store/sql/query-template.js';
import { withStatementCache } from '../../src/store/sql/sqlite-statement-cache.js';

interface Db {
  t: { id: string; n: number; note: string | null };
}

function open() {
  const raw = new BetterSqlite3(':memory:');
  raw.exec("create table t (id text primary key, n integer not null, note text); insert into t values ('a', 1, null), ('b', 2, null)");
  let prepared = 0;
  const counting = { prepare: (s: string) => (prepared++, raw.prepare(s)), close: () => raw.close() };
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: withStatementCache(counting as unknown as BetterSqlite3.Database) }) });
  return { db, prepared: () => prepared };
}

describe('query templates and the SQLite statement cache', () => {
  test('a template is compiled once and bound with each call\'s values, repeated slots included', async () => {
    const { db } = open();
    const template = new QueryTemplate<{ id: string; n: number; note: string | null }, { id: string; n: number }>(
      db
        .updateTable('t')
        .set({ n: slot<number>('n'), note: slot<string | null>('note') })
        .where('id', '=', slot<string>('id'))
        .where('n', '<', slot<number>('n'))
        .returning(['id', 'n']),
    );
    const first = await db.executeQuery(template.bind({ id: 'a', n: 5, note: 'x' }));
    assert.deepEqual(first.rows, [{ id: 'a', n: 5 }]);
    const second = await db.executeQuery(template.bind({ id: 'b', n: 1, note: null }));
    assert.deepEqual(second.rows, [], 'n < 1 is false for b (n = 2): the repeated slot got the same value twice');
    await db.destroy();
  });

  test('a literal value in a template is refused: every value must be a slot', () => {
    const { db } = open();
    assert.throws(() => new QueryTemplate(db.selectFrom('t').selectAll().where('id', '=', 'a')), /literal value, not a slot/);
  });

  test('a prepared-statement name marks the SQL, and only valid names are accepted', () => {
    const { db } = open();
    const q = db.selectFrom('t').selectAll().where('id', '=', slot<string>('id'));
    assert.match(new QueryTemplate(q, { preparedStatement: 'find_t' }).bind({ id: 'a' }).sql, /^\/\* prepare:find_t \*\/ select/);
    assert.throws(() => new QueryTemplate(q, { preparedStatement: 'bad name; drop' }), TypeError);
  });

  test('statements are prepared once per SQL text, however the texts interleave', async () => {
    const { db, prepared } = open();
    for (let i = 0; i < 3; i++) await db.selectFrom('t').selectAll().where('id', '=', 'a').execute();
    assert.equal(prepared(), 1);
    await db.selectFrom('t').select('id').execute();
    await db.selectFrom('t').select('n').execute();
    await db.selectFrom('t').selectAll().where('id', '=', 'b').execute();
    assert.equal(prepared(), 3);
    await db.destroy();
  });
});
