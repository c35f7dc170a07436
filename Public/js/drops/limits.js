/**
 * The server's limits for drops (`GET /api/v1/drops/limits`, docs/DROPS.md): what the page checks
 * before it uploads a byte. The server checks a drop's total size, its file count and its sealed
 * metadata only when the drop is made, after the uploads; a folder of too many files would
 * otherwise be uploaded whole and then refused.
 *
 * @module drops/limits
 */

import { formatBytes, formatInteger } from "../format.js";
import { TAG_BYTES } from "./ece.js";
import { MAX_METADATA_BYTES, NONCE_BYTES, paddedSize } from "./metadata.js";

/**
 * @typedef {{ maxDropSize: number, maxDropFiles: number, maxMetadataSize: number,
 *   expiresIn: { min: number, default: number, max: number },
 *   maxDownloads: { min: number, max: number } }} DropLimits
 */

/** Bytes of the metadata document once sealed (what the server counts). @param {Record<string, unknown>} document */
export function sealedSize(document) {
  return NONCE_BYTES + paddedSize(new TextEncoder().encode(JSON.stringify(document)).length) + TAG_BYTES;
}

/** Whether `document` seals within the server's limit and the format's. @param {Record<string, unknown>} document @param {DropLimits | null} limits */
export function metadataFits(document, limits) {
  const size = sealedSize(document);
  return size - NONCE_BYTES - TAG_BYTES <= MAX_METADATA_BYTES && (limits === null || size <= limits.maxMetadataSize);
}

/** Two sizes in words, in bytes when rounding would make them look alike. @param {number} size @param {number} limit */
function sizes(size, limit) {
  const [a, b] = [formatBytes(size), formatBytes(limit)];
  return a === b ? [`${formatInteger(size, "en")} bytes`, `${formatInteger(limit, "en")} bytes`] : [a, b];
}

/**
 * What a drop of `fileCount` files of `ciphertextSize` bytes in all breaks, in words for the
 * page; empty when it fits. Quotas and each file's size are not here: creating the uploads
 * checks them before a byte is sent (all but the sealed metadata's share, counted when the drop
 * is made).
 * @param {{ fileCount: number, ciphertextSize: number }} drop
 * @param {DropLimits} limits
 * @returns {string[]}
 */
export function limitProblems({ fileCount, ciphertextSize }, limits) {
  const problems = [];
  if (fileCount > limits.maxDropFiles) {
    problems.push(`That is ${formatInteger(fileCount, "en")} files: this server takes at most ${formatInteger(limits.maxDropFiles, "en")} in one drop.`);
  }
  if (ciphertextSize > limits.maxDropSize) {
    const [size, limit] = sizes(ciphertextSize, limits.maxDropSize);
    problems.push(`These files come to ${size} encrypted: this server takes drops of at most ${limit}.`);
  }
  return problems;
}

/** The message for metadata that does not fit, even without thumbnails. @param {number} fileCount @param {Record<string, unknown>} document @param {DropLimits | null} limits */
export function metadataProblem(fileCount, document, limits) {
  const limit = Math.min(limits?.maxMetadataSize ?? Infinity, NONCE_BYTES + MAX_METADATA_BYTES + TAG_BYTES);
  const [size, most] = sizes(sealedSize(document), limit);
  return `The names of these ${formatInteger(fileCount, "en")} files take ${size} sealed: this server takes at most ${most}. Send fewer files in one drop.`;
}
