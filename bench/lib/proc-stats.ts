import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds a process has used so far (all threads; with `tid`, that thread's only), in user and kernel mode. */
export function processCpuTimes(pid: number, tid?: number): { user: number; system: number } {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  // The command name is in parentheses and may contain spaces; fields are counted after the closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5) are utime and stime; here they are at 11 and 12 (state is field 3 → index 0).
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

/** CPU seconds (user + system, all threads) a process has used so far; with `tid`, that thread's only. */
export function processCpuSeconds(pid: number, tid?: number): number {
  const t = processCpuTimes(pid, tid);
  return t.user + t.system;
}

/** Peak resident set size (VmHWM) in bytes. */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function systemCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / CLK_TCK, total: (busy + idle + iowait) / CLK_TCK };
}

/** CPU seconds this (load-generator) process has used. */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The PostgreSQL backends serving `database` (their process title names it). */
export function databaseBackendPids(database: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('postgres:') && cmdline.includes(` ${database} `)) out.push(Number(entry));
    } catch {
      // the process ended between readdir and read
    }
  }
  return out;
}

/** CPU seconds of every PostgreSQL backend serving `database`, by pid. */
function databaseCpuSeconds(database: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of databaseBackendPids(database)) {
    try {
      out.set(pid, processCpuSeconds(pid));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

export interface CpuWindow {
  /** Server process CPU over the window, in cores (1.0 = one core busy the whole time). */
  serverCores: number;
  /** The part of serverCores spent in the kernel (system calls, page faults, scheduling). */
  serverSystemCores: number;
  /** The server's main thread (the event loop) alone, in cores. */
  serverMainThreadCores: number;
  /** Load generator (this process) CPU, in cores. */
  loadgenCores: number;
  /** PostgreSQL backends connected to the benchmark database, in cores (0 on SQLite and for floors without a DB). */
  databaseCores: number;
  /** Processes serving the target beside it (the token hook server), in cores. */
  helperCores: number;
  /** Everything else on the machine (other tenants, PostgreSQL's shared processes, kernel), in cores. */
  otherCores: number;
  wallSeconds: number;
}

/** Starts a CPU accounting window over `pid` (and the backends of `database`); call the result to close it. */
export function cpuWindow(pid: number, database?: string, helperPids: readonly number[] = []): () => CpuWindow {
  const t0 = performance.now();
  const helpers = () => helperPids.reduce((sum, p) => sum + processCpuSeconds(p), 0);
  const helpers0 = helpers();
  const server0 = processCpuTimes(pid);
  const main0 = processCpuSeconds(pid, pid);
  const self0 = selfCpuSeconds();
  const sys0 = systemCpuSeconds();
  const db0 = database ? databaseCpuSeconds(database) : new Map<number, number>();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const serverTimes = processCpuTimes(pid);
    const server = serverTimes.user + serverTimes.system - server0.user - server0.system;
    const main = processCpuSeconds(pid, pid) - main0;
    const self = selfCpuSeconds() - self0;
    const sys = systemCpuSeconds().busy - sys0.busy;
    const helper = helpers() - helpers0;
    let db = 0;
    // Backends are pooled, so the same pids normally span the window; a backend started inside it counts fully.
    if (database) for (const [p, cpu] of databaseCpuSeconds(database)) db += cpu - (db0.get(p) ?? 0);
    return {
      serverCores: server / wall,
      serverSystemCores: (serverTimes.system - server0.system) / wall,
      serverMainThreadCores: main / wall,
      loadgenCores: self / wall,
      databaseCores: db / wall,
      helperCores: helper / wall,
      otherCores: Math.max(0, sys - server - self - db - helper) / wall,
      wallSeconds: wall,
    };
  };
}

/**
 * Waits until the rest of the machine is quiet (other tenants below `thresholdCores`, this process excluded),
 * for at most `maxWaitMs`. Returns how long it waited and the last level seen.
 */
export async function waitForQuiet(thresholdCores = 0.2, maxWaitMs = 60_000, sampleMs = 1000): Promise<{ waitedMs: number; cores: number }> {
  const t0 = performance.now();
  for (;;) {
    const sys0 = systemCpuSeconds().busy;
    const self0 = selfCpuSeconds();
    await new Promise((r) => setTimeout(r, sampleMs));
    const cores = (systemCpuSeconds().busy - sys0 - (selfCpuSeconds() - self0)) / (sampleMs / 1000);
    const waitedMs = performance.now() - t0;
    if (cores < thresholdCores || waitedMs >= maxWaitMs) return { waitedMs, cores };
  }
}
