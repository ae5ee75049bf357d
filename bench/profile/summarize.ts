import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile (as written by node --cpu-prof) the summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: a package, Node's internals, a refreshd source file, or V8's pseudo-frames. */
function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/dist\/(src\/.+)$/.exec(url);
  if (own) return `refreshd ${own[1]}`;
  return url;
}

function shortUrl(url: string): string {
  return url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '').replace(/^node:/, 'node:');
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  functions: { name: string; area: string; selfMs: number }[];
  areas: { area: string; selfMs: number }[];
  /** Time with the function anywhere on the stack (each sample counted once per function). */
  inclusive: { name: string; totalMs: number }[];
}

/** Self time per function and per area (package or file), from the samples of a .cpuprofile. */
export function analyzeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fns = new Map<string, { name: string; area: string; selfMs: number }>();
  const areas = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const ms = us / 1000;
    totalMs += ms;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const area = areaOf(url, functionName);
    const name = `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
    const f = fns.get(name) ?? { name, area, selfMs: 0 };
    f.selfMs += ms;
    fns.set(name, f);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  // Inclusive time: walk each sampled node up to the root, crediting every distinct function once.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)?.callFrame;
      if (!cf || cf.functionName === '(root)' || cf.functionName === '(idle)') continue;
      const name = `${cf.functionName || '(anonymous)'}${cf.url ? ` ${shortUrl(cf.url)}:${cf.lineNumber + 1}` : ''}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us / 1000);
    }
  }
  return {
    totalMs,
    idleMs,
    inclusive: [...inclusive.entries()].map(([name, ms]) => ({ name, totalMs: ms })).sort((a, b) => b.totalMs - a.totalMs),
    functions: [...fns.values()].sort((a, b) => b.selfMs - a.selfMs),
    areas: [...areas.entries()].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

export function formatSummary(s: ProfileSummary, top = 25): string {
  const busy = s.totalMs - s.idleMs;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)} %`;
  const lines = [`main thread: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (${((100 * busy) / s.totalMs).toFixed(0)} %); shares below are of busy time`, '', 'self time by area:'];
  for (const a of s.areas.slice(0, 15)) lines.push(`  ${pct(a.selfMs)}  ${a.area}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const f of s.functions.slice(0, top)) lines.push(`  ${pct(f.selfMs)}  ${f.name}`);
  lines.push('', `top ${top} refreshd and library functions by inclusive time (self + callees):`);
  const interesting = s.inclusive.filter((f) => !/^(\(|processTicksAndRejections|runMicrotasks|emit |listOnTimeout|processTimers)/.test(f.name));
  for (const f of interesting.slice(0, top)) lines.push(`  ${pct(f.totalMs)}  ${f.name}`);
  return lines.join('\n');
}

/** Summarises <dir>/<id>.cpuprofile into <dir>/<id>.txt and returns the text (null if there is no profile). */
export function summarizeProfile(dir: string, id: string): string | null {
  const file = join(dir, `${id}.cpuprofile`);
  if (!existsSync(file)) return null;
  const text = formatSummary(analyzeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile));
  writeFileSync(join(dir, `${id}.txt`), text + '\n');
  return text;
}
