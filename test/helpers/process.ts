import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { after } from 'node:test';

export const CLI = resolve('dist/src/cli.js');

// Every server a test file starts is killed when the file's tests end, even after a failed assertion, so a
// failing test can never leave a process behind (or keep the test runner waiting on it).
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A port that was free a moment ago (the OS picks it), for servers whose issuer must name their port. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  baseUrl: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `refreshd serve` as a real process and waits until it answers /health/live. */
export async function startProcess(cwd: string, env: Record<string, string>, port: number): Promise<ServerProcess> {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd, env: { ...process.env, PORT: String(port), LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  exited.catch(() => {});
  const baseUrl = `http://127.0.0.1:${port}`;
  // Generous: a loaded 2-core box (parallel test files, other work) can take 20 s+ to start Node and migrate.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${err}${out}`);
    try {
      if ((await fetch(`${baseUrl}/health/live`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${err}${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    baseUrl,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      // Bounded: a server that does not stop within 15 s is killed (and the test sees a null exit code).
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a CLI command to completion. */
export function runCli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
