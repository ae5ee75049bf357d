/** Time source, injected everywhere so tests can move time without patching globals. Epoch milliseconds. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; used by tests and by the library's deterministic mode. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  advanceSeconds(seconds: number): void {
    this.#now += seconds * 1000;
  }
  set(ms: number): void {
    this.#now = ms;
  }
}
