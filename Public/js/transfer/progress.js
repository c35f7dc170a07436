/**
 * Progress, speed and time left for one side of a transfer. Speed is measured over a sliding
 * window of recent samples (5 s by default), so it follows changes (a relay fallback, a busy
 * disk) within seconds but does not jump with every chunk; bytes skipped by a resume are not
 * counted as speed because only increases seen while running are.
 *
 * @module transfer/progress
 */

export class ProgressMeter {
  /** @type {Array<{ at: number, done: number }>} */
  #samples = [];
  #windowMs;

  /**
   * @param {number} total bytes
   * @param {object} [options]
   * @param {number} [options.done] bytes already there (a resume)
   * @param {number} [options.windowMs]
   */
  constructor(total, { done = 0, windowMs = 5000 } = {}) {
    this.total = total;
    this.done = done;
    this.#windowMs = windowMs;
  }

  /**
   * @param {number} done bytes done so far (monotonic; a smaller value restarts the window)
   * @param {number} now ms
   */
  update(done, now) {
    if (done < this.done) this.#samples = [];
    this.done = Math.min(done, this.total);
    this.#samples.push({ at: now, done: this.done });
    while (this.#samples.length > 2 && now - this.#samples[1].at >= this.#windowMs) this.#samples.shift();
  }

  /** Forgets the speed samples (after a pause or reconnect, the old speed means nothing). */
  resetSpeed() {
    this.#samples = [];
  }

  /**
   * @param {number} now ms
   * @returns {{ done: number, total: number, fraction: number, bytesPerSecond: number | null, etaMs: number | null }}
   *   speed and ETA are null until two samples at least 250 ms apart exist, or when stalled
   */
  snapshot(now) {
    const fraction = this.total > 0 ? this.done / this.total : 1;
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    let bytesPerSecond = null;
    if (first && last && last.at - first.at >= 250) {
      // A stall since the last sample counts as time too, so the speed falls while nothing comes.
      const elapsed = Math.max(now, last.at) - first.at;
      bytesPerSecond = ((last.done - first.done) * 1000) / elapsed;
    }
    const remaining = this.total - this.done;
    const etaMs = remaining === 0 ? 0 : bytesPerSecond && bytesPerSecond > 0 ? (remaining / bytesPerSecond) * 1000 : null;
    return { done: this.done, total: this.total, fraction, bytesPerSecond, etaMs };
  }
}
