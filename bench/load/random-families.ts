import type { ConnectionSource } from './run-load.js';

/**
 * Refreshes spread over the whole table, as a service with millions of active users sees them: each request
 * presents the token of a family picked at random among those never presented (generation 0, minted by the
 * harness), so every refresh touches a row, and a page, nothing else touched lately. Once every family has been
 * refreshed, requests present successors taken at random from the answers. Every token is presented at most once.
 */
export class RandomFamilies {
  readonly #mint: (i: number) => string;
  readonly #from: number;
  readonly #span: number;
  readonly #stride: number;
  #used = 0;
  /** Successors from answers, presented (at random) once fresh families run out. */
  readonly #successors: string[];
  ok = 0;
  failed = 0;
  failures: { status: number; body: string }[] = [];

  /**
   * Families `from` … `to`-1 are fresh (never presented); `mint(i)` is family i's generation-0 token. `successors`
   * carries the unpresented successors of an earlier phase over the smaller table.
   */
  constructor(from: number, to: number, mint: (i: number) => string, successors: string[] = []) {
    this.#from = from;
    this.#span = to - from;
    this.#mint = mint;
    this.#successors = successors;
    // A stride coprime with the span visits every index once, in an order unrelated to insertion order.
    let stride = Math.max(1, Math.floor(this.#span * 0.6180339887)) | 1;
    while (gcd(stride, this.#span) !== 1) stride += 2;
    this.#stride = stride;
  }

  /** The successors not presented yet, for the next phase. */
  get successors(): string[] {
    return this.#successors;
  }

  #take(): string | null {
    if (this.#used < this.#span) return this.#mint(this.#from + ((this.#used++ * this.#stride) % this.#span));
    if (this.#successors.length === 0) return null;
    const at = Math.floor(Math.random() * this.#successors.length);
    const token = this.#successors[at]!;
    this.#successors[at] = this.#successors[this.#successors.length - 1]!;
    this.#successors.pop();
    return token;
  }

  source(body: (token: string) => string, path: string): ConnectionSource {
    return {
      next: () => {
        const token = this.#take();
        return token === null ? null : { path, body: body(token) };
      },
      done: (status, text) => {
        if (status === 200) {
          this.ok++;
          const key = '"refresh_token":"';
          const at = text.indexOf(key);
          if (at >= 0) this.#successors.push(text.slice(at + key.length, text.indexOf('"', at + key.length)));
          return;
        }
        this.failed++;
        if (this.failures.length < 5) this.failures.push({ status, body: text.slice(0, 200) });
      },
      abandon: () => {},
    };
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
