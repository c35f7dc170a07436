/**
 * The finished rows of "Transfers", kept for the tab in sessionStorage, so a reload does not
 * lose what happened — above all a received text message, which exists nowhere else (files were
 * saved by the browser) — and the outgoing ones a reload cut off, which come back as stopped
 * with what to do (the picked files went with the page). Tab-scoped on purpose: it goes with the tab. And it belongs to one
 * identity (`owner`: `user:ID` on a member's page, `guest:PAIRING` on a guest's): a page of
 * another identity in the same tab (after signing out, another pairing) neither shows it nor
 * keeps it. Bounded: the newest {@link MAX_ROWS} rows, at most {@link MAX_CHARS} characters of
 * JSON (the oldest rows go first).
 *
 * @module app/transfer-history
 */

import { isFinalState } from "./model.js";

/** What a restored outgoing row that was not finished says. */
export const STOPPED_NOTE = "stopped when this page was reloaded: send the same files again to continue where it stopped";

/** Versioned: rows of an older shape (a tab that outlived a server upgrade) are not read. */
export const HISTORY_KEY = "ferry.transfer-history.1";
export const MAX_ROWS = 50;
export const MAX_CHARS = 1_000_000;

/** @typedef {{ view: import("../peer-client.js").TransferView, text?: string }} HistoryEntry */

export class TransferHistory {
  /** @type {Storage | null} */
  #storage;
  /** @type {() => string | null} */
  #owner;
  /** @type {HistoryEntry[]} oldest first */
  #entries = [];
  #forgotten = false;

  /**
   * @param {Storage | null} storage sessionStorage, or null where the browser refuses it
   * @param {() => string | null} owner whose rows these are, as far as the page knows yet (null:
   *   nobody yet — nothing is shown, and rows are kept from when it is known)
   */
  constructor(storage, owner) {
    this.#storage = storage;
    this.#owner = owner;
    try {
      const saved = JSON.parse(storage?.getItem(HISTORY_KEY) ?? "null");
      const mine = saved && owner() !== null && saved.owner === owner();
      if (mine && Array.isArray(saved.entries)) this.#entries = saved.entries.filter((entry) => typeof entry?.view?.id === "string");
    } catch {
      this.#entries = []; // unreadable: start afresh
    }
  }

  /**
   * The kept rows, oldest first. A row that was not finished when it was kept (an outgoing
   * transfer whose page was reloaded: the picked files went with it) comes back as stopped, with
   * what to do.
   * @returns {HistoryEntry[]}
   */
  entries() {
    return this.#entries.map((entry) =>
      isFinalState(entry.view.state) ? entry : { ...entry, view: { ...entry.view, state: "cancelled", note: STOPPED_NOTE } },
    );
  }

  /**
   * Keeps a row (again: the newest view of a transfer replaces the one before, keeping its text):
   * finished rows, and outgoing ones at each change of state, so that a reload can say where a
   * send stopped. The same row in the same state again writes nothing (progress, a finish told
   * twice), unless `progress` asks for the bytes done too (the page is going: a send cut short
   * comes back saying how far it got).
   * @param {import("../peer-client.js").TransferView} view
   * @param {string} [text]
   * @param {{ progress?: boolean }} [options]
   */
  record(view, text, { progress = false } = {}) {
    if (this.#forgotten) return;
    const before = this.#entries.find((entry) => entry.view.id === view.id);
    const sameProgress = !progress || before?.view.done === view.done;
    if (before && before.view.state === view.state && sameProgress && (text === undefined || text === before.text)) return;
    const kept = text ?? before?.text;
    // A saved file's object URL dies with the page: a restored row offers no "Save again".
    // A sent text is kept once, as the entry's text.
    const { saved: _urls, sentText: _text, ...lasting } = /** @type {any} */ (view);
    const entry = { view: lasting, ...(kept !== undefined ? { text: kept } : {}) };
    this.#entries = [...this.#entries.filter((e) => e.view.id !== view.id), entry].slice(-MAX_ROWS);
    this.#save();
  }

  /** Forgets one row (an offer withdrawn because another tab answered it). @param {string} id */
  remove(id) {
    if (!this.#entries.some((entry) => entry.view.id === id)) return;
    this.#entries = this.#entries.filter((entry) => entry.view.id !== id);
    this.#save();
  }

  /** Forgets the finished rows (the user cleared them), keeping the sends still under way. */
  clearFinished() {
    this.#entries = this.#entries.filter((entry) => !isFinalState(entry.view.state));
    this.#save();
  }

  /** Forgets every row. */
  clear() {
    this.#entries = [];
    this.#save();
  }

  /** Forgets the rows for good: nothing is kept from now on (the identity is ending). */
  forget() {
    this.clear();
    this.#forgotten = true;
  }

  #save() {
    if (!this.#storage) return;
    const owner = this.#owner();
    while (owner !== null && this.#entries.length > 0) {
      const json = JSON.stringify({ owner, entries: this.#entries });
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
