/**
 * The receiver's bookkeeping for resuming, kept in a `localStorage`-like storage so it outlives
 * a reload:
 *
 * - **Partial files.** Each item being received has a part file named from the sender's device
 *   and the item's identity (path, size, modification time) — not from the transfer id — so the
 *   same file offered again after the sender reloaded (a new offer, a new transfer id) finds the
 *   same part file and continues from it. The prefix hash check of the `want` message (see
 *   transfer/sender.js) makes sure it really is the same content.
 * - **Accepted transfers.** An offer the user accepted is remembered with a digest of its
 *   manifest, so that when the same transfer id comes back with the same manifest from the same
 *   device after this tab reloaded, it continues without asking again; anything different is a
 *   new offer and asks.
 *
 * - **Handed-over files.** A complete part file given to the browser as a download is read from
 *   for a while, so it is deleted a grace period later; a page that goes first (closed, reloaded)
 *   leaves the deletion to the next start, which finds it here.
 *
 * Entries older than `maxAgeMs` (7 days) are pruned, and their part files reported for deletion.
 *
 * @module transfer/resume
 */

import { Sha256 } from "../sha256.js";
import { canonicalJson } from "../trust/encoding.js";

/** @typedef {import("../shell-state.js").KeyValueStorage} KeyValueStorage */
/** @typedef {import("./manifest.js").ManifestItem} ManifestItem */
/** @typedef {import("./manifest.js").Manifest} Manifest */

export const RESUME_STORAGE_KEY = "ferry.resume";
export const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The part file's name for an item from a device: 32 hex characters, nothing from the sender's
 * text (so no sanitising question arises in the OPFS).
 * @param {string} fromDevice
 * @param {Pick<ManifestItem, "path" | "size" | "modified">} item
 */
export function partName(fromDevice, item) {
  const key = canonicalJson([fromDevice, item.path, item.size, item.modified]);
  return `${Sha256.hex(new TextEncoder().encode(key)).slice(0, 32)}.part`;
}

/** @param {Manifest} manifest */
export function manifestDigest(manifest) {
  return Sha256.hex(new TextEncoder().encode(canonicalJson(manifest)));
}

/**
 * @typedef {object} ResumeData
 * @property {Record<string, { offset: number, size: number, updated: number }>} parts by part name
 * @property {Record<string, { fromDevice: string, digest: string, target: string, next: number, updated: number }>} accepted by transfer id
 * @property {Record<string, number>} [handedOver] part files given to the browser as downloads, by name: when
 */

export class ResumeBook {
  /** @type {ResumeData} */
  #data = { parts: {}, accepted: {} };
  #storage;
  #now;

  /**
   * @param {KeyValueStorage | null} storage
   * @param {() => number} [now]
   */
  constructor(storage, now = Date.now) {
    this.#storage = storage;
    this.#now = now;
    try {
      const parsed = JSON.parse(storage?.getItem(RESUME_STORAGE_KEY) ?? "null");
      if (parsed && typeof parsed.parts === "object" && typeof parsed.accepted === "object") this.#data = parsed;
    } catch {
      // start empty
    }
  }

  #save() {
    try {
      this.#storage?.setItem(RESUME_STORAGE_KEY, JSON.stringify(this.#data));
    } catch {
      // only costs the ability to resume after a reload
    }
  }

  /**
   * Records the written (acknowledged) offset of a part file.
   * @param {string} part
   * @param {number} offset
   * @param {number} size the item's size
   */
  checkpoint(part, offset, size) {
    this.#data.parts[part] = { offset, size, updated: this.#now() };
    this.#save();
  }

  /** @param {string} part @returns {number} the recorded offset, 0 when none */
  offsetOf(part) {
    return this.#data.parts[part]?.offset ?? 0;
  }

  /** The item is complete (or discarded): its part is no longer resumable. @param {string} part */
  forgetPart(part) {
    delete this.#data.parts[part];
    this.#save();
  }

  /**
   * A complete part file was handed to the browser as a download: it is to be deleted once the
   * browser has had time to read it, by this page or by a later start.
   * @param {string} part
   */
  handedOver(part) {
    (this.#data.handedOver ??= {})[part] = this.#now();
    this.#save();
  }

  /** A handed-over part file was deleted. @param {string} part */
  deletedHandedOver(part) {
    if (!this.#data.handedOver || !(part in this.#data.handedOver)) return;
    delete this.#data.handedOver[part];
    this.#save();
  }

  /**
   * The part files handed over and not deleted yet, with how long until each is due: a start
   * deletes those due and sets a timer for the others.
   * @param {number} graceMs
   * @returns {{ part: string, dueInMs: number }[]}
   */
  handedOverParts(graceMs) {
    const now = this.#now();
    return Object.entries(this.#data.handedOver ?? {}).map(([part, at]) => ({ part, dueInMs: Math.max(0, at + graceMs - now) }));
  }

  /**
   * @param {string} transferId
   * @param {string} fromDevice
   * @param {Manifest} manifest
   * @param {string} target "opfs" or "folder"
   */
  accepted(transferId, fromDevice, manifest, target) {
    this.#data.accepted[transferId] = { fromDevice, digest: manifestDigest(manifest), target, next: 0, updated: this.#now() };
    this.#save();
  }

  /**
   * Item `i` of an accepted transfer was verified and delivered: after a reload the transfer
   * continues with the next one instead of receiving (and saving) it twice.
   * @param {string} transferId
   * @param {number} i
   */
  delivered(transferId, i) {
    const entry = this.#data.accepted[transferId];
    if (!entry) return;
    entry.next = Math.max(entry.next ?? 0, i + 1);
    entry.updated = this.#now();
    this.#save();
  }

  /**
   * Whether an offer is the continuation of one accepted before (same id, device and manifest).
   * @param {string} transferId
   * @param {string} fromDevice
   * @param {Manifest} manifest
   * @returns {{ target: string, next: number } | null} the target it was accepted into and the
   *   first item not yet delivered, or null
   */
  wasAccepted(transferId, fromDevice, manifest) {
    const entry = this.#data.accepted[transferId];
    if (!entry || entry.fromDevice !== fromDevice || entry.digest !== manifestDigest(manifest)) return null;
    return { target: entry.target, next: Math.min(entry.next ?? 0, manifest.count) };
  }

  /** @param {string} transferId */
  finished(transferId) {
    delete this.#data.accepted[transferId];
    this.#save();
  }

  /**
   * How much of an offer this side already has, for the prompt ("resumes at 40 %").
   * @param {string} fromDevice
   * @param {Manifest} manifest
   */
  resumableBytes(fromDevice, manifest) {
    return manifest.items.reduce((sum, item) => sum + Math.min(item.size, this.offsetOf(partName(fromDevice, item))), 0);
  }

  /**
   * Drops entries not touched for `maxAgeMs`.
   * @param {number} [maxAgeMs]
   * @returns {string[]} part files to delete
   */
  prune(maxAgeMs = MAX_AGE_MS) {
    const limit = this.#now() - maxAgeMs;
    const dropped = [];
    for (const [part, entry] of Object.entries(this.#data.parts)) {
      if (entry.updated < limit) {
        delete this.#data.parts[part];
        dropped.push(part);
      }
    }
    for (const [id, entry] of Object.entries(this.#data.accepted)) if (entry.updated < limit) delete this.#data.accepted[id];
    this.#save();
    return dropped;
  }
}
