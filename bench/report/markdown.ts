import type { BenchResults, ScenarioResult, TargetResult } from './results.js';

const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US'));
const ms = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const cores = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(2));
const mib = (b: number | undefined) => (b === undefined || !Number.isFinite(b) ? '–' : `${Math.round(b / 1048576)} MiB`);
const STATUS: Record<TargetResult['status'], string> = { met: '✅ met', missed: '❌ missed', pending: '⏳ pending', failed: '⚠️ not measured' };

/** Which floor each scenario is read against in the tables (the targets name their own references). */
const FLOOR_OF: Record<string, string> = {
  'refreshd-sqlite-es256': 'floor-sqlite-es256',
  'refreshd-pg-es256': 'floor-pg-es256',
  'floor-sqlite-es256': 'floor-es256',
  'floor-pg-es256': 'floor-es256',
  'refreshd-sqlite-rs256': 'floor-rs256-sync',
  'refreshd-pg-rs256': 'floor-rs256-sync',
  'floor-es256': 'floor-http',
  'floor-pg': 'floor-http',
  'floor-rs256-jose': 'floor-rs256-sync',
  'mgmt-get-refresh-token-sqlite': 'floor-fastify-get',
  'mgmt-get-refresh-token-pg': 'floor-fastify-get',
};

const per = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(1));

/** System calls per request by name, for the columns of the syscall table. */
const SYSCALL_COLUMNS: { label: string; names: string[] }[] = [
  { label: 'fcntl', names: ['fcntl'] },
  { label: 'getpid', names: ['getpid'] },
  { label: 'pwrite / pread', names: ['pwrite64', 'pread64'] },
  { label: 'fsync', names: ['fsync', 'fdatasync'] },
  { label: 'read / recv', names: ['read', 'readv', 'recvfrom', 'recvmsg'] },
  { label: 'write / send', names: ['write', 'writev', 'sendto', 'sendmsg'] },
  { label: 'futex', names: ['futex'] },
  { label: 'epoll', names: ['epoll_pwait', 'epoll_wait', 'epoll_ctl'] },
];

function syscallTable(rows: ScenarioResult[]): string {
  const out = [
    `| scenario | all threads | event loop | ${SYSCALL_COLUMNS.map((c) => c.label).join(' | ')} | other | context switches (event loop) | PostgreSQL backends: syscalls, context switches |`,
    `|---|--:|--:|${SYSCALL_COLUMNS.map(() => '--:').join('|')}|--:|--:|--:|`,
  ];
  for (const s of rows) {
    const c = s.syscalls;
    if (!c) continue;
    const sum = (names: string[]) => names.reduce((n, k) => n + (c.server.byName[k] ?? 0), 0);
    const db = c.database ? `${per(c.database.total)}, ${per(c.database.contextSwitches)}` : '';
    out.push(
      `| \`${s.id}\` | ${per(c.server.total)} | ${per(c.server.mainThread.total)} | ${SYSCALL_COLUMNS.map((col) => per(sum(col.names))).join(' | ')} | ${per(c.server.byName.other)} | ${per(c.server.contextSwitches)} (${per(c.server.mainThread.contextSwitches)}) | ${db} |`,
    );
  }
  return out.join('\n');
}

/** The rounds' lowest and highest throughput, when there were rounds. */
function roundsRange(s: ScenarioResult): string {
  const v = s.rounds?.requestsPerSecond;
  return v && v.length > 1 ? ` (${int(Math.min(...v))}–${int(Math.max(...v))})` : '';
}

function scenarioTable(rows: ScenarioResult[], all: ScenarioResult[]): string {
  const byId = new Map(all.map((s) => [s.id, s]));
  const out = [
    '| scenario | req/s | p50 ms | p90 ms | p99 ms | server CPU, cores | server CPU µs/req (kernel) | event loop µs/req | syscalls/req (event loop) | PostgreSQL CPU µs/req | load gen CPU | other CPU | server peak RSS | vs floor |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const s of rows) {
    if (s.status === 'pending' || s.status === 'skipped') {
      out.push(`| \`${s.id}\` ${s.title} | ${s.status}: ${s.note ?? ''} | | | | | | | | | | | | |`);
      continue;
    }
    const floor = byId.get(FLOOR_OF[s.id] ?? '');
    const vs = floor?.requestsPerSecond && s.requestsPerSecond ? `${(s.requestsPerSecond / floor.requestsPerSecond).toFixed(2)} × \`${floor.id}\`` : '';
    const flag = (s.status === 'failed' ? ' **FAILED**' : '') + (s.contended ? ' (contended)' : '');
    const perReq = s.cpu && s.requestsPerSecond ? (s.cpu.serverCores * 1e6) / s.requestsPerSecond : undefined;
    const loopPerReq = s.cpu && s.requestsPerSecond ? (s.cpu.serverMainThreadCores * 1e6) / s.requestsPerSecond : undefined;
    const kernel = s.cpu?.serverSystemCores !== undefined && s.requestsPerSecond ? ` (${int((s.cpu.serverSystemCores * 1e6) / s.requestsPerSecond)})` : '';
    const db = s.cpu?.databaseCores && s.requestsPerSecond ? int((s.cpu.databaseCores * 1e6) / s.requestsPerSecond) : '';
    const sc = s.syscalls ? `${per(s.syscalls.server.total)} (${per(s.syscalls.server.mainThread.total)})` : '–';
    out.push(
      `| \`${s.id}\`${flag} ${s.title} | ${int(s.requestsPerSecond)}${roundsRange(s)} | ${ms(s.latencyMs?.p50)} | ${ms(s.latencyMs?.p90)} | ${ms(s.latencyMs?.p99)} | ${cores(s.cpu?.serverCores)} | ${int(perReq)}${kernel} | ${int(loopPerReq)} | ${sc} | ${db} | ${cores(s.cpu?.loadgenCores)} | ${cores(s.cpu?.otherCores)} | ${mib(s.peakRssBytes)} | ${vs} |`,
    );
  }
  return out.join('\n');
}

function rowsTable(scenarios: ScenarioResult[]): string {
  const out = ['| scenario | refreshes (warm-up + measured) | rows added during them | rows per refresh | tables at start → end (incl. tokens issued for the runs) |', '|---|--:|--:|--:|---|'];
  for (const s of scenarios) {
    if (!s.rows) continue;
    const changes = Object.keys(s.rows.after)
      .filter((t) => ['token_families', 'sessions'].includes(t) || s.rows!.after[t] !== s.rows!.before[t])
      .map((t) => `${t} ${int(s.rows!.before[t])} → ${int(s.rows!.after[t])}`)
      .join('; ');
    out.push(`| \`${s.id}\` | ${int(s.rows.refreshes)} | ${s.rows.addedByRefreshes} | ${s.rows.addedPerRefresh} | ${changes} |`);
  }
  return out.join('\n');
}

export interface MarkdownExtras {
  /** Hand-written analysis (profile findings, changes), inserted verbatim. */
  findings: string;
  /** A compare-mode run (each refreshd scenario on the old and the new build), for the before/after table. */
  beforeAfter?: BenchResults | undefined;
  /** The scale mode's results (bench/results/scale.json), if it was run. */
  scale?: ScaleResults | undefined;
  /** Variant runs (`--variant=…`), each rendered as a table of its own under its file name. */
  experiments?: { name: string; results: BenchResults }[];
}

interface ScaleLoad {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  serverCpuMicrosPerRefresh: number;
  eventLoopMicrosPerRefresh: number;
  databaseCpuMicrosPerRefresh: number;
  otherCores: number;
}

/** bench/results/scale.json, as bench/scale.ts writes it. */
export interface ScaleResults {
  startedAt: string;
  wallSeconds: number;
  machine: { cpus: number; loadAverageAtStart: number[] };
  settings: { sizes: number[]; seconds: number; memoryRefreshes: number; expired: number; connections: number };
  stores: {
    store: string;
    sizes: { families: number; insertSeconds: number; diskBytes: number; load: ScaleLoad }[];
    memory: { families: number; refreshes: number; rssBytes: number; peakRssBytes: number }[];
    cleanup?: { activeFamilies: number; expiredFamilies: number; without: ScaleLoad; during: ScaleLoad; deletedDuring: number; gcBatches: string };
    twoInstances?: { families: number; one: ScaleLoad; two: ScaleLoad };
    problems: string[];
  }[];
}

function scaleSection(r: ScaleResults): string {
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  const out = [
    `Measured by \`npm run bench:scale\` (\`bench/scale.ts\`, \`bench/results/scale.json\`), ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(r.wallSeconds / 60)} min end to end, load average at start ${r.machine.loadAverageAtStart.map((l) => l.toFixed(1)).join(' / ')}. Families are inserted by SQL; every refresh presents the token of a family picked at random over the whole table (never one presented before), ${r.settings.connections} connections, ${r.settings.seconds} s windows after a 3 s warm-up.`,
    '',
    '| store | families | disk used | req/s | p50 ms | p99 ms | server CPU µs/refresh | event loop µs/refresh | PostgreSQL CPU µs/refresh | other CPU | vs the smallest |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const s of r.stores) {
    const first = s.sizes[0]?.load.requestsPerSecond;
    for (const z of s.sizes) {
      const l = z.load;
      out.push(
        `| ${s.store} | ${int(z.families)} | ${gib(z.diskBytes)} | ${int(l.requestsPerSecond)} | ${ms(l.p50)} | ${ms(l.p99)} | ${int(l.serverCpuMicrosPerRefresh)} | ${int(l.eventLoopMicrosPerRefresh)} | ${s.store === 'postgres' ? int(l.databaseCpuMicrosPerRefresh) : ''} | ${cores(l.otherCores)} | ${first ? (l.requestsPerSecond / first).toFixed(2) + ' ×' : ''} |`,
      );
    }
  }
  out.push('', '| store | families | refreshes served | server RSS after | server peak RSS |', '|---|--:|--:|--:|--:|');
  for (const s of r.stores) for (const m of s.memory) out.push(`| ${s.store} | ${int(m.families)} | ${int(m.refreshes)} | ${mib(m.rssBytes)} | ${mib(m.peakRssBytes)} |`);
  const cleanups = r.stores.filter((s) => s.cleanup);
  if (cleanups.length) {
    out.push('', '| store | active + expired families | p99 ms without cleanup | p99 ms while it deletes | ratio | expired families deleted in the window | req/s without → during |', '|---|--:|--:|--:|--:|--:|--:|');
    for (const s of cleanups) {
      const c = s.cleanup!;
      out.push(`| ${s.store} | ${int(c.activeFamilies)} + ${int(c.expiredFamilies)} | ${ms(c.without.p99)} | ${ms(c.during.p99)} | ${(c.during.p99 / c.without.p99).toFixed(2)} × | ${int(c.deletedDuring)} | ${int(c.without.requestsPerSecond)} → ${int(c.during.requestsPerSecond)} |`);
    }
  }
  const two = r.stores.filter((s) => s.twoInstances);
  for (const s of two) {
    const t = s.twoInstances!;
    out.push(
      '',
      `Two refreshd instances on one PostgreSQL (${int(t.families)} families, connections split between them): one instance ${int(t.one.requestsPerSecond)}/s (server ${int(t.one.serverCpuMicrosPerRefresh)} µs + PostgreSQL ${int(t.one.databaseCpuMicrosPerRefresh)} µs of CPU per refresh, p99 ${ms(t.one.p99)} ms); two instances ${int(t.two.requestsPerSecond)}/s (servers ${int(t.two.serverCpuMicrosPerRefresh)} µs + PostgreSQL ${int(t.two.databaseCpuMicrosPerRefresh)} µs per refresh, p99 ${ms(t.two.p99)} ms).`,
    );
  }
  const problems = r.stores.flatMap((s) => s.problems.map((p) => `${s.store}: ${p}`));
  if (problems.length) out.push('', '**Problems in this run:**', '', ...problems.map((p) => `- ${p}`));
  return out.join('\n');
}

/** One variant run: every scenario with the figures that do and do not depend on the machine's load. */
function experimentTable(name: string, r: BenchResults): string {
  const rows = r.scenarios.filter((s) => s.cpu && s.requestsPerSecond);
  const out = [
    `### \`${name}\` (${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${r.settings.durationSeconds} s windows, load average at start ${r.machine.loadAverageAtStart.map((l) => l.toFixed(1)).join(' / ')})`,
    '',
    '| scenario | req/s | p99 ms | server CPU µs/req (kernel) | event loop µs/req | syscalls/req (event loop) | context switches/req | largest syscall counts per request | other CPU |',
    '|---|--:|--:|--:|--:|--:|--:|---|--:|',
  ];
  for (const s of rows) {
    const rps = s.requestsPerSecond!;
    const c = s.syscalls?.server;
    const top = c
      ? Object.entries(c.byName)
          .filter(([k, v]) => k !== 'other' && v >= 0.1)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', ')
      : '';
    out.push(
      `| \`${s.id}\` | ${int(rps)} | ${ms(s.latencyMs?.p99)} | ${int((s.cpu!.serverCores * 1e6) / rps)} (${int(((s.cpu!.serverSystemCores ?? NaN) * 1e6) / rps)}) | ${int((s.cpu!.serverMainThreadCores * 1e6) / rps)} | ${c ? `${per(c.total)} (${per(c.mainThread.total)})` : '–'} | ${c ? per(c.contextSwitches) : '–'} | ${top} | ${cores(s.cpu!.otherCores)} |`,
    );
  }
  return out.join('\n');
}

function beforeAfter(c: BenchResults): string {
  const byId = new Map(c.scenarios.map((s) => [s.id, s]));
  const perReq = (s: ScenarioResult | undefined, main: boolean) =>
    s?.cpu && s.requestsPerSecond ? int(((main ? s.cpu.serverMainThreadCores : s.cpu.serverCores) * 1e6) / s.requestsPerSecond) : '–';
  const out = [
    `Measured in one run (${c.startedAt.slice(0, 16).replace('T', ' ')} UTC, \`npm run bench -- --before-cli=…\`, \`bench/results/before-after.json\`): each scenario ran on an older or altered build (*before*: which one, and how it was built, is in the findings below) and right after on this code, same database, same load; floors in the same run. *(contended)*: other tenants used more than ${c.settings.contendedCores} cores during even the best window.`,
    '',
    '| scenario | before req/s | after req/s | after / before | before p99 ms | after p99 ms | event-loop µs/req before → after | server CPU µs/req before → after | after × floor |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const s of c.scenarios) {
    if (s.id.endsWith('@before') || s.group !== 'refreshd') continue;
    const b = byId.get(`${s.id}@before`);
    const floor = byId.get(FLOOR_OF[s.id] ?? '');
    const gain = b?.requestsPerSecond && s.requestsPerSecond ? `${(s.requestsPerSecond / b.requestsPerSecond).toFixed(2)} ×` : '–';
    const note = (r: ScenarioResult | undefined) => (r?.contended ? ' (contended)' : '');
    const vsFloor = floor?.requestsPerSecond && s.requestsPerSecond ? (s.requestsPerSecond / floor.requestsPerSecond).toFixed(2) : '–';
    out.push(
      `| \`${s.id}\` | ${int(b?.requestsPerSecond)}${note(b)} | ${int(s.requestsPerSecond)}${note(s)} | ${gain} | ${ms(b?.latencyMs?.p99)} | ${ms(s.latencyMs?.p99)} | ${perReq(b, true)} → ${perReq(s, true)} | ${perReq(b, false)} → ${perReq(s, false)} | ${vsFloor} |`,
    );
  }
  return out.join('\n');
}

export function renderMarkdown(r: BenchResults, extras: MarkdownExtras): string {
  const m = r.machine;
  const refresh = r.scenarios.filter((s) => s.group === 'refreshd');
  const refs = r.scenarios.filter((s) => s.group === 'floor' || s.group === 'peer');
  const mgmt = r.scenarios.filter((s) => s.group === 'management');
  const targets = r.targets.filter((t) => !t.informational);
  const info = r.targets.filter((t) => t.informational);
  const claimsLabel = `${int(r.settings.claimsBytes ?? 0)} B`;
  const storageRows = (['sqlite', 'postgres'] as const)
    .flatMap((k) => [[k, 'none', r.storage[k]] as const, [k, claimsLabel, r.storageWithClaims?.[k]] as const])
    .filter(([, , f]) => f)
    .map(([k, claims, f]) => `| ${k} | ${claims} | ${int(f!.families)} | ${int(f!.tableBytes)} | ${int(f!.indexBytes)} | ${int(f!.totalBytes)} | **${int(f!.bytesPerFamily)}** | ${f!.method} |`);

  return `# Benchmarks

<!-- Generated by \`npm run bench\` (bench/run.ts); edit bench/FINDINGS.md for the analysis section, not this file. -->

**Machine:** ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel} · Node ${m.node} · PostgreSQL ${m.postgres} · SQLite ${m.sqlite} (better-sqlite3) · autocannon ${m.autocannon} · oidc-provider ${m.oidcProvider}

**Run:** ${r.startedAt.slice(0, 19).replace('T', ' ')} UTC, ${r.mode} mode, ${Math.round(r.wallSeconds)} s end to end · ${r.settings.connections} connections, ${(r.settings.rounds ?? 1) > 1 ? `${r.settings.rounds} rounds of ` : ''}${r.settings.warmupSeconds} s warm-up + ${r.settings.durationSeconds} s measured per scenario · refreshd at LOG_LEVEL=${r.settings.logLevel} · load average at start ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(' / ')}

The load generator (autocannon, in the harness process) shares the same ${m.cpus} cores with the server under test, and on PostgreSQL with the database too: every figure below is for the whole system on one small box, and every ratio compares figures taken minutes apart in the same run, and on this kind of VM the same scenario moves by 10–40 % from one minute to the next (see the findings). *server CPU* is the server process (all its threads: the event loop, signing workers, libuv's pool) over the measured window, in cores, and per request; *event loop* is the main thread alone, per request; *PostgreSQL CPU* is the backends serving the benchmark database; *other CPU* is everything else on the machine: PostgreSQL's shared processes, the kernel, and other tenants. This box is shared with other work, so before each measured window the harness waits for the rest of the machine to be quiet (< ${r.settings.quietCores} cores) and measures again (up to 2 windows) when a window was contended (other CPU > ${r.settings.contendedCores} cores); the least contended window is the round's figure, and a row is marked *(contended)* if even that one was in any round.${(r.settings.rounds ?? 1) > 1 ? ` Each scenario was measured in ${r.settings.rounds} rounds: *req/s* is their median (lowest–highest in brackets), the row's other figures are from the median round, and each target's ratio is the median of the per-round ratios.` : ''}

## Targets

| target | measured (same run) | status |
|---|---|---|
${targets.map((t) => `| ${t.label} | ${t.measured} | ${STATUS[t.status]} |`).join('\n')}
${info.length ? `\nFor context (not targets):\n\n| figure | measured | against the same bar |\n|---|---|---|\n${info.map((t) => `| ${t.label} | ${t.measured} | ${STATUS[t.status]} |`).join('\n')}\n` : ''}
${r.problems.length ? `\n**Problems in this run:**\n\n${r.problems.map((p) => `- ${p}`).join('\n')}\n` : ''}
## Refresh grant with rotation

Every refresh token is presented exactly once: each connection presents its token and presents the successor from the answer next (${r.scenarios.reduce((n, s) => n + (s.chains?.duplicates ?? 0), 0)} duplicates over the run; a dropped answer abandons its chain instead of retrying it). Non-2xx answers fail the run.

${scenarioTable(refresh, r.scenarios)}

## Floors and the peer

${scenarioTable(refs, r.scenarios)}

## Management API

${scenarioTable(mgmt, r.scenarios)}

## System calls per request

Counted in the kernel (\`perf stat\` on the syscall tracepoints, every thread of the server) in an extra ${r.settings.countSeconds ?? 0} s window after each scenario's measured one, under the same load; divided by the 2xx answers of that window. Counts do not depend on how busy the machine is; what each call costs does, and it differs between machines (on this VM a bare \`getppid\` costs ~1.2 µs: every system call traps to the hypervisor). *event loop* is the server's main thread; the rest run on the signing workers, libuv's pool and V8's helper threads. Context switches count every time a thread sleeps or is preempted: each hand-off between threads costs one or two.

${syscallTable(r.scenarios)}

## Storage

${int(r.settings.families)} active families inserted in bulk, shaped as refreshd writes them after a few rotations (Auth0-style ids, both digests, browser IP and User-Agent for first and last use; no leeway box: +60 B for clients with a rotation leeway)${r.storageWithClaims && Object.keys(r.storageWithClaims).length ? `; measured again on a database of their own with ${int(r.settings.claimsBytes ?? 0)} bytes of custom access-token claims in every family (JSON, different in every family), which live in the family's own row` : ''}. The refresh scenarios run over the families without claims.

| store | claims | families | table bytes | index bytes | total bytes | bytes per family | method |
|---|--:|--:|--:|--:|--:|--:|---|
${storageRows.join('\n')}

Rows added by refreshes (every table, counted just before and just after each load run; the tokens issued between runs are not refreshes):

${rowsTable(r.scenarios)}

${extras.beforeAfter ? `## Before and after\n\n${beforeAfter(extras.beforeAfter)}\n\n` : ''}${extras.scale ? `## How cost grows with the data\n\n${scaleSection(extras.scale)}\n\n` : ''}${extras.experiments?.length ? `## Experiments (variants measured in one run)\n\nEach table is one run of \`npm run bench -- --variant=…\` (\`bench/results/experiments/\`): a refreshd scenario right after the same scenario with other settings, same database, same load. Runs taken while other tenants kept the box busy (see *other CPU*) have inflated CPU per request and throughput that means little; their system-call counts hold.\n\n${extras.experiments.map((e) => experimentTable(e.name, e.results)).join('\n\n')}\n\n` : ''}${extras.findings.trim()}

## How it is measured

- \`npm run bench\` builds, then \`bench/run.ts\` runs every scenario of \`bench/scenarios.ts\` in order and evaluates \`bench/targets.ts\`; it writes this file and \`bench/results/latest.json\`. Options (after \`--\`): \`--quick\` a short smoke run (\`bench/results/quick.json\` only); \`--only=<id or prefix,…>\`; \`--profile\` runs refreshd under \`--cpu-prof\` and summarises each profile (\`bench/profile/\`, summaries in \`bench/results/profiles/\`); \`--before-cli=<dist/src/cli.js of another build>\` runs each refreshd scenario on both builds, interleaved (\`bench/results/before-after.json\`, the *Before and after* table); \`--cli=<…>\` runs another build instead; \`--render\` rewrites this file from \`latest.json\` without measuring.
- refreshd runs as \`node dist/src/cli.js serve\` in its own process, configured by environment and a generated configuration file (one rotating client, an ES256 API and an RS256 API), on an SQLite file in a temporary directory or on a fresh PostgreSQL database that is dropped at the end (also on Ctrl-C; databases left by a killed run are dropped by the next run). Each scenario starts a fresh server process, so peak RSS is per scenario. Servers log at \`info\` to /dev/null (pino still formats every line).
- Refresh tokens are pre-issued over HTTP (token exchange, one user each): 32 per load run plus spares, because autocannon ends a run by closing its connections, which abandons the 32 requests then in flight and ends their chains. Chaining: autocannon's \`setupClient\` gives each connection its own \`setRequests\` closures, so \`setupRequest\` presents that connection's current token and \`onResponse\` takes the successor out of the answer. (autocannon's own per-connection \`context\` cannot carry it: it is reset whenever the request list wraps, i.e. after every request of a one-request list.)
- Rounds: a full run goes through the whole scenario list ${r.settings.rounds ?? 1} times, starting each scenario's server afresh every round, so each refreshd scenario is measured right after its floor in every round. *req/s* is the median of the rounds (their lowest and highest in brackets); the other figures of a row come from the round whose throughput is the median; a target's ratio is the median of the per-round ratios (their range is given), so one disturbed round moves neither. System calls are counted in the last round.
- Latency is measured by the harness from \`setupRequest\` (just before the write) to \`onResponse\`, in microseconds: autocannon's histogram keeps whole milliseconds. Throughput is 2xx answers over the measured window.
- Floors run as separate processes loaded by the same generator with the same requests: the same parse, client-secret check and SHA-256 of the presented token, then (ES256/RS256 floors) the same JWT claims signed with jose as refreshd does, or (\`floor-rs256-sync\`) signed with node:crypto on the event loop, i.e. single-threaded; the pg floor does the rotation as one named prepared \`UPDATE … RETURNING\` on refreshd's own \`token_families\` table with the same pool size (10). All answer the same JSON (the pg and bare floors with a placeholder of a JWT's length).
- The peer, oidc-provider, mints its initial refresh tokens in-process through its own Grant and RefreshToken models and then serves the same chained load on its \`/token\` endpoint (rotation on, in-memory adapter, opaque access tokens, no id_token).
- CPU is read from \`/proc/<pid>/stat\` (utime + stime of all threads) over the measured window, peak RSS from \`/proc/<pid>/status\` (VmHWM), the machine total from \`/proc/stat\`.
`;
}
