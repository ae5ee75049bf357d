import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Reply {
  id: number;
  port: number;
  connections: number;
  error?: string;
}

/**
 * A TCP proxy in front of a database or Redis that a test can cut and restore, to simulate an outage without
 * touching the real server (other test files share it). `cut()` resets every open connection and refuses new
 * ones; `restore()` listens again on the same port. It runs in a child process (tcp-proxy-main.ts): sockets reset
 * mid-stream must never keep the test process alive, and the child can always be killed.
 */
export class TcpProxy {
  readonly #child: ChildProcess;
  readonly #port: number;
  readonly #pending = new Map<number, (r: Reply) => void>();
  #next = 1;
  #connections = 0;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.#port = port;
    child.on('message', (r: Reply) => {
      this.#connections = r.connections;
      this.#pending.get(r.id)?.(r);
      this.#pending.delete(r.id);
    });
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const child = fork(fileURLToPath(new URL('./tcp-proxy-main.js', import.meta.url)), [String(targetPort), targetHost], { stdio: 'inherit' });
    const first = await new Promise<Reply>((ok, fail) => {
      child.once('message', (r: Reply) => ok(r));
      child.once('exit', (code) => fail(new Error(`tcp proxy exited with ${code}`)));
    });
    child.removeAllListeners('exit');
    return new TcpProxy(child, first.port);
  }

  get port(): number {
    return this.#port;
  }

  /** Connections accepted so far, as of the last command (to prove traffic really went through the proxy). */
  get connections(): number {
    return this.#connections;
  }

  #send(cmd: 'cut' | 'restore' | 'stats'): Promise<Reply> {
    const id = this.#next++;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`tcp proxy did not answer ${cmd}`)), 10_000);
      this.#pending.set(id, (r) => {
        clearTimeout(timer);
        if (r.error) fail(new Error(r.error));
        else ok(r);
      });
      this.#child.send({ id, cmd });
    });
  }

  /** The outage: every open connection is reset, new ones are refused. */
  async cut(): Promise<void> {
    await this.#send('cut');
  }

  /** The server is back. */
  async restore(): Promise<void> {
    await this.#send('restore');
  }

  async stats(): Promise<{ connections: number }> {
    return { connections: (await this.#send('stats')).connections };
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((ok) => this.#child.once('exit', ok));
    this.#child.kill('SIGKILL');
    await exited;
  }
}
