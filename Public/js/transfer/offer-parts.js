/**
 * An offer on the wire (docs/TRANSFERS.md, "Offer"): the manifest split into parts small enough
 * for one signalling message, and put back together on the other side, part by part, before
 * anything is shown to the receiver.
 *
 * ```js
 * for (const body of offerMessages({ transfer, manifest, caps, resume })) await messenger.send(peerId, "offer", body);
 *
 * const assembly = new OfferAssembly({ timers });       // receiver
 * if (!isOfferPart(body)) return;
 * if (body.part === 0 && !assembly.has(key)) assembly.start(key, body, () => …);   // the rest never came
 * const done = assembly.add(key, body);                // null until every part is here
 * if (done?.ok) show(done.manifest);
 * ```
 *
 * @module transfer/offer-parts
 */

import { validateManifest } from "./manifest.js";

/** @typedef {import("./manifest.js").Manifest} Manifest */
/** @typedef {import("./manifest.js").ManifestItem} ManifestItem */

/** Manifest JSON per offer message; the server takes at most 64 KiB per message, sealing adds a third. */
export const OFFER_PART_BYTES = 36 * 1024;
/** Parts per offer at most: about 1.1 MiB of names, thousands of files. */
export const MAX_OFFER_PARTS = 32;
/** How long the receiver keeps the first parts of an offer whose rest does not come. */
export const ASSEMBLY_TIMEOUT_MS = 60_000;

/**
 * Splits manifest items into groups of at most {@link OFFER_PART_BYTES} of JSON.
 * @param {ManifestItem[]} items
 * @returns {ManifestItem[][]}
 */
export function splitItems(items) {
  /** @type {ManifestItem[][]} */
  const parts = [[]];
  let bytes = 0;
  const encoder = new TextEncoder();
  for (const item of items) {
    const size = encoder.encode(JSON.stringify(item)).length + 1;
    if (bytes + size > OFFER_PART_BYTES && parts.at(-1)?.length) {
      parts.push([]);
      bytes = 0;
    }
    parts.at(-1)?.push(item);
    bytes += size;
  }
  return parts;
}

/**
 * The bodies of one offer's messages, in order.
 * @param {{ transfer: string, manifest: Manifest, caps: Record<string, any>, resume: boolean }} offer
 * @returns {Array<Record<string, any>>}
 * @throws {RangeError} when the manifest needs more than {@link MAX_OFFER_PARTS} parts
 */
export function offerMessages({ transfer, manifest, caps, resume }) {
  const parts = splitItems(manifest.items);
  if (parts.length > MAX_OFFER_PARTS) throw new RangeError("too many files or names too long for one offer; send fewer at once");
  return parts.map((items, part) => ({ transfer, part, parts: parts.length, count: manifest.count, totalSize: manifest.totalSize, items, caps, resume }));
}

/**
 * Whether an offer message's part fields are in range (what the rest of the body says is checked
 * once every part is here, by the manifest's validation).
 * @param {Record<string, any>} body
 */
export function isOfferPart(body) {
  const { part, parts, items } = body;
  return Number.isSafeInteger(parts) && parts >= 1 && parts <= MAX_OFFER_PARTS && Number.isSafeInteger(part) && part >= 0 && part < parts && Array.isArray(items);
}

/**
 * Offers being put back together, one entry per sender tab and transfer (the caller's key). An
 * entry starts with part 0, whose count, total size, capabilities and resume flag stand for the
 * offer; parts come in any order, each once; an entry whose parts stop coming is forgotten after
 * {@link ASSEMBLY_TIMEOUT_MS}.
 */
export class OfferAssembly {
  /** @type {Map<string, { parts: any[][], expected: number, received: number, count: number, totalSize: number, caps: any, resume: boolean, timer: any }>} */
  #entries = new Map();

  /**
   * @param {{ timers: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }, timeoutMs?: number }} options
   */
  constructor({ timers, timeoutMs = ASSEMBLY_TIMEOUT_MS }) {
    this.timers = timers;
    this.timeoutMs = timeoutMs;
  }

  /** @param {string} key */
  has(key) {
    return this.#entries.has(key);
  }

  /**
   * Starts an offer's entry from its part 0 (added next with {@link add}).
   * @param {string} key
   * @param {Record<string, any>} first part 0's body
   * @param {() => void} onExpired the rest never came; the entry is already gone
   */
  start(key, first, onExpired) {
    if (this.#entries.has(key)) return;
    const timer = this.timers.setTimeout(() => {
      this.#entries.delete(key);
      onExpired();
    }, this.timeoutMs);
    this.#entries.set(key, { parts: [], expected: first.parts, received: 0, count: first.count, totalSize: first.totalSize, caps: first.caps, resume: first.resume === true, timer });
  }

  /**
   * Adds one part. Null while parts are missing (or when the part is a repeat, has no entry, or
   * names another number of parts than part 0 did);
   * once the last one is here the entry is gone and the result says whether the whole manifest
   * is valid.
   * @param {string} key
   * @param {Record<string, any>} body a part that passed {@link isOfferPart}
   * @returns {null | { ok: true, manifest: Manifest, caps: any, resume: boolean } | { ok: false }}
   */
  add(key, body) {
    const entry = this.#entries.get(key);
    if (!entry || body.parts !== entry.expected || entry.parts[body.part] !== undefined) return null;
    entry.parts[body.part] = body.items;
    entry.received++;
    if (entry.received < entry.expected) return null;
    this.timers.clearTimeout(entry.timer);
    this.#entries.delete(key);
    const checked = validateManifest({ items: entry.parts.flat(), count: entry.count, totalSize: entry.totalSize });
    return checked.ok ? { ok: true, manifest: checked.manifest, caps: entry.caps, resume: entry.resume } : { ok: false };
  }
}
