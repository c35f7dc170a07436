/**
 * A minimal event emitter for the client's state machines: `on` returns its own unsubscribe, a
 * throwing listener does not stop the others (it is reported to `console.error`), and nothing
 * depends on the DOM, so it runs under Node.
 *
 * @module emitter
 */

export class Emitter {
  /** @type {Map<string, Set<(value: any) => void>>} */
  #listeners = new Map();

  /**
   * @param {string} type
   * @param {(value: any) => void} listener
   * @returns {() => void} removes the listener
   */
  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type)?.add(listener);
    return () => this.#listeners.get(type)?.delete(listener);
  }

  /**
   * @param {string} type
   * @param {any} [value]
   */
  emit(type, value) {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      try {
        listener(value);
      } catch (error) {
        console.error(error);
      }
    }
  }
}
