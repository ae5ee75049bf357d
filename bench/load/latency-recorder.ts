/** Response times in microseconds; autocannon's own histogram keeps whole milliseconds, too coarse for floors. */
export class LatencyRecorder {
  #values = new Float64Array(1 << 16);
  #n = 0;

  record(ms: number): void {
    if (this.#n === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#n++] = ms;
  }

  get count(): number {
    return this.#n;
  }

  /** Percentiles in milliseconds (nearest-rank). */
  percentiles(): { p50: number; p90: number; p99: number; max: number; mean: number } {
    const sorted = this.#values.slice(0, this.#n).sort();
    const at = (q: number) => (this.#n === 0 ? NaN : (sorted[Math.min(this.#n - 1, Math.ceil(q * this.#n) - 1)] ?? NaN));
    let sum = 0;
    for (const v of sorted) sum += v;
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), mean: this.#n ? sum / this.#n : NaN };
  }
}
