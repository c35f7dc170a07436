/**
 * The offer manifest: what a sender proposes (names, sizes, count), built from the picked files,
 * folder or text, and validated by the receiver before anything is shown or written.
 *
 * ```
 * { items: [{ i, kind: "file" | "text", path, size, type, modified }], count, totalSize }
 * ```
 * `path` is relative with "/" separators (a picked folder keeps its structure: "Photos/2024/a.jpg").
 * A text message is one item of kind "text" whose bytes travel like a file's, encrypted, after the
 * receiver accepted — so not even its length-limited preview passes the server.
 *
 * @module transfer/manifest
 */

import { isPlainObject } from "../trust/encoding.js";
import { sanitizePath, uniquePaths } from "./names.js";

export const MAX_ITEMS = 10_000;
/** Longest text message, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 1024 * 1024;
const MIME = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/i;

/**
 * @typedef {object} ManifestItem
 * @property {number} i index, 0…count-1 in order
 * @property {"file" | "text"} kind
 * @property {string} path
 * @property {number} size bytes
 * @property {string} type media type, "" when unknown
 * @property {number} modified ms since the epoch, 0 when unknown
 */

/**
 * @typedef {object} Manifest
 * @property {ManifestItem[]} items
 * @property {number} count
 * @property {number} totalSize
 */

/**
 * Builds the manifest for picked files. A file from a folder pick or a dropped folder carries
 * `webkitRelativePath` (or an explicit `path`), which is kept.
 * @param {Array<{ name: string, size: number, type?: string, lastModified?: number, webkitRelativePath?: string, path?: string }>} files
 * @returns {Manifest}
 */
export function manifestForFiles(files) {
  if (files.length === 0) throw new RangeError("nothing to send");
  if (files.length > MAX_ITEMS) throw new RangeError(`at most ${MAX_ITEMS} files per offer`);
  const items = files.map((file, i) => ({
    i,
    kind: /** @type {const} */ ("file"),
    path: file.path || file.webkitRelativePath || file.name,
    size: file.size,
    type: MIME.test(file.type ?? "") ? /** @type {string} */ (file.type) : "",
    modified: Number.isSafeInteger(file.lastModified) ? /** @type {number} */ (file.lastModified) : 0,
  }));
  return { items, count: items.length, totalSize: items.reduce((sum, item) => sum + item.size, 0) };
}

/**
 * @param {string} text
 * @returns {{ manifest: Manifest, bytes: Uint8Array }}
 */
export function manifestForText(text) {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length === 0) throw new RangeError("empty message");
  if (bytes.length > MAX_TEXT_BYTES) throw new RangeError("message too long");
  const item = { i: 0, kind: /** @type {const} */ ("text"), path: "message.txt", size: bytes.length, type: "text/plain", modified: 0 };
  return { manifest: { items: [item], count: 1, totalSize: bytes.length }, bytes };
}

/**
 * Validates a manifest from another device. Shape errors refuse the whole offer (a well-behaved
 * sender never makes them); names are not errors, they are sanitised — the receiver sees and
 * saves the safe names — and made unique.
 * @param {unknown} raw
 * @returns {{ ok: true, manifest: Manifest } | { ok: false, error: string }}
 */
export function validateManifest(raw) {
  if (!isPlainObject(raw) || !Array.isArray(raw.items)) return { ok: false, error: "manifest is not an object with items" };
  const { items, count, totalSize } = raw;
  if (items.length === 0 || items.length > MAX_ITEMS) return { ok: false, error: "item count out of range" };
  if (count !== items.length) return { ok: false, error: "count does not match the items" };
  // Sanitised first, so the folders every item needs are known before any file is named.
  const safe = items.map((item) => (isPlainObject(item) && typeof item.path === "string" && item.path.length <= 8192 ? sanitizePath(item.path) : ""));
  const unique = uniquePaths(safe);
  /** @type {ManifestItem[]} */
  const clean = [];
  let sum = 0;
  for (const [index, item] of items.entries()) {
    if (!isPlainObject(item)) return { ok: false, error: `item ${index} is not an object` };
    if (item.i !== index) return { ok: false, error: `item ${index} has index ${item.i}` };
    if (item.kind !== "file" && item.kind !== "text") return { ok: false, error: `item ${index} has an unknown kind` };
    if (typeof item.path !== "string" || item.path.length > 8192) return { ok: false, error: `item ${index} has no usable path` };
    if (!Number.isSafeInteger(item.size) || item.size < 0) return { ok: false, error: `item ${index} has a bad size` };
    if (item.kind === "text" && (items.length !== 1 || item.size > MAX_TEXT_BYTES || item.size === 0)) {
      return { ok: false, error: "a text message is one item of at most 1 MiB" };
    }
    sum += item.size;
    if (!Number.isSafeInteger(sum)) return { ok: false, error: "total size too large" };
    clean.push({
      i: index,
      kind: item.kind,
      path: unique[index],
      size: item.size,
      type: typeof item.type === "string" && MIME.test(item.type) ? item.type.toLowerCase() : "",
      modified: Number.isSafeInteger(item.modified) && item.modified >= 0 ? item.modified : 0,
    });
  }
  if (totalSize !== sum) return { ok: false, error: "totalSize does not match the items" };
  return { ok: true, manifest: { items: clean, count: clean.length, totalSize: sum } };
}

/**
 * What the receiver's prompt shows: counts, total size, the top-level names (folders once each).
 * @param {Manifest} manifest a validated one
 * @param {number} [limit] names listed at most
 * @returns {{ count: number, totalSize: number, isText: boolean, folders: string[], names: string[], more: number }}
 */
export function summarizeManifest(manifest, limit = 10) {
  const folders = new Set();
  const names = [];
  for (const item of manifest.items) {
    const slash = item.path.indexOf("/");
    if (slash > 0) folders.add(item.path.slice(0, slash));
    else names.push(item.path);
  }
  const listed = [...[...folders].map((f) => `${f}/`), ...names];
  return {
    count: manifest.count,
    totalSize: manifest.totalSize,
    isText: manifest.items[0]?.kind === "text",
    folders: [...folders],
    names: listed.slice(0, limit),
    more: Math.max(0, listed.length - limit),
  };
}
