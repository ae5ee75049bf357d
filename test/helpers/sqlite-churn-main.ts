// A child process for test/store/sqlite-statement-lifetime.test.ts: works an SQLite store through many distinct
// SQL texts, then, with the store still open (as a server's is), allocates until the garbage collector has run
// full collections on its own (no explicit gc(): a collection started from JavaScript finalises in a context
// where the bug does not show). On Node 24.19+ a better-sqlite3 12 statement that the collector finalises while
// its database is open aborts the process.
import { openStore } from '../../src/store/open-store.js';
import { familyRecord, sessionRecord } from './records.js';

const path = process.argv[2]!;
const now = Date.UTC(2026, 5, 1);
const store = openStore(`sqlite:${path}`);
await store.migrate();
const families = Array.from({ length: 64 }, () => familyRecord(now));
for (const f of families) await store.createFamily(f, { maxActive: 200, now, session: sessionRecord(now) });
// A list of n ids is a statement of its own for every n.
for (let n = 1; n <= families.length; n++) await store.listFamilies({ ids: families.slice(0, n).map((f) => f.id) }, { limit: 100 }, now);
for (const f of families.slice(0, 8)) {
  await store.findFamily(f.id);
  await store.updateFamilyMetadata(f.id, { k: 'v' }, now);
}
await store.revokeFamilies({ ids: families.slice(0, 32).map((f) => f.id) }, now, 'churn');

// About 1.5 GB allocated, ~40 MB kept alive at a time: the old generation fills and is collected many times.
let kept: unknown[][] = [];
let full = 0;
for (let i = 0; i < 3000; i++) {
  kept.push(Array.from({ length: 8192 }, (_, j) => ({ i, j })));
  if (kept.length > 60) {
    kept = [];
    full++;
  }
}
// The store still answers after the collections, then closes cleanly.
const listed = await store.listFamilies({ ids: families.map((f) => f.id) }, { limit: 100 }, now);
await store.close();
console.log(JSON.stringify({ alive: true, families: families.length, live: listed.length, cycles: full }));
