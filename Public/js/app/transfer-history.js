/**
 * The finished rows of "Transfers", kept for the tab in sessionStorage, so a reload does not
 * lose what happened — above all a received text message, which exists nowhere else (files were
 * saved by the browser). Tab-scoped on purpose: it goes with the tab, and nobody using this
 * browser later sees it. Bounded: the newest {@link MAX_ROWS} rows, at most {@link MAX_CHARS}
 * characters of JSON (the oldest rows go first).
 *
 * @module app/transfer-history
 */

export const HISTORY_KEY = "ferry.transfer-history";
export const MAX_ROWS = 50;
export const MAX_CHARS = 1_000_000;

/** @typedef {{ view: import("../peer-client.js").TransferView, text?: string }} HistoryEntry */

export class TransferHistory {
  /** @type {Storage | null} */
  #storage;
  /** @type {HistoryEntry[]} oldest first */
  #entries = [];

  /** @param {Storage | null} storage sessionStorage, or null where the browser refuses it */
  constructor(storage) {
    this.#storage = storage;
    try {
      const saved = JSON.parse(storage?.getItem(HISTORY_KEY) ?? "[]");
      if (Array.isArray(saved)) this.#entries = saved.filter((entry) => typeof entry?.view?.id === "string");
    } catch {
      this.#entries = []; // unreadable: start afresh
    }
  }

  /** The kept rows, oldest first. @returns {HistoryEntry[]} */
  entries() {
    return this.#entries.slice();
  }

  /**
   * Keeps a finished row (again: the newest view of a transfer replaces the one before, keeping
   * its text).
   * @param {import("../peer-client.js").TransferView} view
   * @param {string} [text]
   */
  record(view, text) {
    const before = this.#entries.find((entry) => entry.view.id === view.id);
    const entry = { view, ...((text ?? before?.text) !== undefined ? { text: text ?? before?.text } : {}) };
    this.#entries = [...this.#entries.filter((e) => e.view.id !== view.id), entry].slice(-MAX_ROWS);
    this.#save();
  }

  /** Forgets the rows (the user cleared the finished ones). */
  clear() {
    this.#entries = [];
    this.#save();
  }

  #save() {
    if (!this.#storage) return;
    while (this.#entries.length > 0) {
      const json = JSON.stringify(this.#entries);
      if (json.length <= MAX_CHARS) {
        try {
          this.#storage.setItem(HISTORY_KEY, json);
          return;
        } catch {
          // over the browser's quota: fewer rows
        }
      }
      this.#entries.shift();
    }
    try {
      this.#storage.removeItem(HISTORY_KEY);
    } catch {
      // nothing kept either way
    }
  }
}
