import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * System calls and context switches of processes over a window, counted in the kernel by `perf stat` on the
 * syscall tracepoints (no ptrace: strace would stop every thread twice per call and change what it measures).
 * Counts do not depend on how loaded the machine is, which throughput on a shared box does; what each call costs
 * does, and differs between machines (on a VM where every system call traps to the hypervisor it is ~1 µs even
 * for getppid), which is why the counts are reported next to the CPU figures.
 */

/** The calls counted by name; everything else is counted in `other` (all calls minus these). */
export const NAMED_SYSCALLS = [
  'fcntl', 'getpid', 'pwrite64', 'pread64', 'fsync', 'fdatasync', 'read', 'write', 'writev', 'readv',
  'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'epoll_pwait', 'epoll_wait', 'epoll_ctl', 'futex', 'getrandom',
  'madvise', 'mmap', 'munmap', 'mprotect', 'openat', 'close', 'ioctl', 'sched_yield', 'clock_gettime',
] as const;

export interface SyscallCounts {
  /** All system calls of the processes' threads. */
  total: number;
  /** The same, by name (NAMED_SYSCALLS, plus `other`). */
  byName: Record<string, number>;
  /** Context switches (voluntary and involuntary): each is a thread going to sleep or being preempted. */
  contextSwitches: number;
  /** The first process's main thread only (the event loop of a Node server). */
  mainThread: { total: number; byName: Record<string, number>; contextSwitches: number };
}

let availability: { ok: boolean; why?: string } | undefined;

/** Whether perf can count syscall tracepoints here (root or perf_event_paranoid ≤ 1, and tracefs). */
export function syscallCountingAvailable(): { ok: boolean; why?: string } {
  if (availability) return availability;
  try {
    execFileSync('perf', ['stat', '-x', ',', '-e', 'raw_syscalls:sys_enter', '--', 'true'], { stdio: 'pipe', timeout: 10_000 });
    availability = { ok: true };
  } catch (err) {
    availability = { ok: false, why: `perf stat on syscall tracepoints failed: ${(err as Error).message.split('\n')[0]}` };
  }
  return availability;
}

const EVENTS = ['raw_syscalls:sys_enter', 'context-switches', ...NAMED_SYSCALLS.map((s) => `syscalls:sys_enter_${s}`)];

/**
 * Starts counting the system calls of `pids` (all their threads, as they are when counting starts); resolves once
 * perf is attached. Call the result to stop and read the counts; the first pid's own thread is reported apart.
 */
export async function countSyscalls(pids: number[]): Promise<() => Promise<SyscallCounts>> {
  const dir = mkdtempSync(join(tmpdir(), 'refreshd-syscalls-'));
  const out = join(dir, 'perf.csv');
  // --per-thread: one line per thread and event, so the event loop can be told from the other threads.
  const child = spawn('perf', ['stat', '-x', ',', '--per-thread', '-o', out, '-e', EVENTS.join(','), '-p', pids.join(',')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // perf opens one counter per thread and event before it counts; give it time to attach to every thread.
  await new Promise((r) => setTimeout(r, 200 + 10 * threadCount(pids)));
  return async () => {
    child.kill('SIGINT');
    const code = await exited;
    try {
      if (code !== 0 && code !== null) throw new Error(`perf stat exited ${code}: ${stderr.slice(0, 500)}`);
      return parse(readFileSync(out, 'utf8'), pids[0]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function threadCount(pids: number[]): number {
  let n = 0;
  for (const pid of pids) {
    try {
      n += readdirSync(`/proc/${pid}/task`).length;
    } catch {
      // gone
    }
  }
  return n;
}

/** perf's CSV with --per-thread: `comm-tid,count,unit,event,…`; `<not counted>` for threads that never ran. */
function parse(csv: string, mainTid: number): SyscallCounts {
  const all: Record<string, number> = {};
  const main: Record<string, number> = {};
  for (const line of csv.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [thread = '', count = '', , event = ''] = line.split(',');
    const n = Number(count);
    if (!Number.isFinite(n)) continue;
    const tid = Number(thread.slice(thread.lastIndexOf('-') + 1));
    const name = event === 'raw_syscalls:sys_enter' ? '*' : event === 'context-switches' ? 'cs' : event.replace('syscalls:sys_enter_', '');
    all[name] = (all[name] ?? 0) + n;
    if (tid === mainTid) main[name] = (main[name] ?? 0) + n;
  }
  const named = (counts: Record<string, number>) => {
    const byName: Record<string, number> = {};
    let sum = 0;
    for (const s of NAMED_SYSCALLS) {
      if (counts[s]) byName[s] = counts[s]!;
      sum += counts[s] ?? 0;
    }
    byName.other = Math.max(0, (counts['*'] ?? 0) - sum);
    return { total: counts['*'] ?? 0, byName, contextSwitches: counts.cs ?? 0 };
  };
  return { ...named(all), mainThread: named(main) };
}

/** Counts divided by `n` (per request). */
export function perRequest(c: SyscallCounts, n: number): SyscallCounts {
  const div = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v / n]));
  return {
    total: c.total / n,
    byName: div(c.byName),
    contextSwitches: c.contextSwitches / n,
    mainThread: { total: c.mainThread.total / n, byName: div(c.mainThread.byName), contextSwitches: c.mainThread.contextSwitches / n },
  };
}
