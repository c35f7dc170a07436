/**
 * Limits incoming offers per sending device, so a peer cannot flood the receiver with prompts:
 * a token bucket (burst, then one every `refillMs`; an accepted offer gives its token back) and a
 * cap on offers waiting for an answer.
 * Offers over the limit are declined automatically with reason "rate-limited" and never shown.
 *
 * @module transfer/rate-limit
 */

export class OfferLimiter {
  /** @type {Map<string, { tokens: number, at: number, pending: Set<string> }>} */
  #peers = new Map();

  /**
   * @param {object} [options]
   * @param {number} [options.burst]
   * @param {number} [options.refillMs]
   * @param {number} [options.maxPending]
   */
  constructor({ burst = 5, refillMs = 10_000, maxPending = 3 } = {}) {
    this.burst = burst;
    this.refillMs = refillMs;
    this.maxPending = maxPending;
  }

  /**
   * @param {string} device
   * @param {string} offerId
   * @param {number} now
   * @returns {boolean} true when the offer may be shown (it is then pending)
   */
  admit(device, offerId, now) {
    let state = this.#peers.get(device);
    if (!state) this.#peers.set(device, (state = { tokens: this.burst, at: now, pending: new Set() }));
    state.tokens = Math.min(this.burst, state.tokens + (now - state.at) / this.refillMs);
    state.at = now;
    if (state.pending.size >= this.maxPending || state.tokens < 1) return false;
    state.tokens -= 1;
    state.pending.add(offerId);
    return true;
  }

  /**
   * The offer was answered (or withdrawn). One the receiver accepted gives its token back: the
   * limit is against prompts nobody asked for, not against a colleague sending several things
   * the receiver takes one after another.
   * @param {string} device @param {string} offerId @param {{ accepted?: boolean }} [answer]
   */
  settle(device, offerId, { accepted = false } = {}) {
    const state = this.#peers.get(device);
    if (!state?.pending.delete(offerId)) return;
    if (accepted) state.tokens = Math.min(this.burst, state.tokens + 1);
  }
}
