import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Child processes of the harness (servers under test, floors, the peer). Every child is registered, so the
 * harness can stop them all on normal exit, on error and on SIGINT/SIGTERM; each child also gets an IPC channel
 * and a preload that exits when the channel drops, so not even a SIGKILLed harness leaves a server behind.
 */
const running = new Set<ChildProcess>();

const EXIT_WITH_PARENT = fileURLToPath(new URL('./exit-with-parent.js', import.meta.url));

export interface StartedProcess {
  name: string;
  pid: number;
  url: string;
  /** The last few KB the child wrote to stderr, for failure messages. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Script and arguments for node (after the node options). */
  args: string[];
  nodeOptions?: string[];
  env?: Record<string, string>;
  port: number;
  /** A path that answers (any status) once the server is up. */
  readyPath: string;
  readyTimeoutMs?: number;
}

/** A free TCP port on 127.0.0.1 (bound and released; the tiny race is acceptable on a benchmark box). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startProcess(opts: StartOptions): Promise<StartedProcess> {
  const child = spawn(process.execPath, ['--import', `file://${EXIT_WITH_PARENT}`, ...(opts.nodeOptions ?? []), ...opts.args], {
    // Servers log to stdout (pino); /dev/null keeps log serialisation in the measurement but not a pipe reader.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ...opts.env, PORT: String(opts.port), HOST: '127.0.0.1' },
  });
  running.add(child);
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  // The IPC channel exists only so the child notices our death; it must not keep us alive.
  child.channel?.unref();
  child.on('error', () => {});

  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${opts.name} exited during startup (${child.exitCode ?? child.signalCode}):\n${tail}`);
    }
    try {
      await fetch(url + opts.readyPath, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${opts.name} did not answer on ${url}${opts.readyPath} within the startup timeout:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    name: opts.name,
    pid: child.pid ?? -1,
    url,
    stderrTail: () => tail,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills every child still running (synchronous, so it also works from an 'exit' handler). */
export function killAllChildren(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
