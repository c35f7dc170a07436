/**
 * A first-in first-out queue between two async loops of one thread (decode-stream.js: the loop
 * that fetches ranges and the loop that writes them): `take` waits for an item, `end` says no more
 * will come, and `fail` ends both sides with one error, so neither loop waits forever on the
 * other once one of them has failed.
 *
 * @module drops/async-queue
 * @template T
 */
export class AsyncQueue {
  /** @type {T[]} */
  #items = [];
  /** @type {{ resolve: (item: T | undefined) => void, reject: (error: unknown) => void }[]} */
  #waiting = [];
  #ended = false;
  /** @type {{ error: unknown } | null} */
  #failure = null;

  /** @param {T[]} [items] what the queue starts with */
  constructor(items = []) {
    this.#items.push(...items);
  }

  /** Adds an item (ignored once the queue ended or failed). @param {T} item */
  put(item) {
    if (this.#ended || this.#failure) return;
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(item);
    else this.#items.push(item);
  }

  /** No more items: `take` answers undefined once the queue is empty. */
  end() {
    this.#ended = true;
    for (const waiter of this.#waiting.splice(0)) waiter.resolve(undefined);
  }

  /** Ends the queue with `error`: every `take`, now or later, rejects with it. @param {unknown} error */
  fail(error) {
    if (this.#failure) return;
    this.#failure = { error };
    this.#items.length = 0;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }

  /** The next item; undefined once the queue ended and is empty. @returns {Promise<T | undefined>} */
  take() {
    if (this.#failure) return Promise.reject(this.#failure.error);
    if (this.#items.length) return Promise.resolve(/** @type {T} */ (this.#items.shift()));
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }
}
