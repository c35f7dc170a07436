/**
 * Lengths and positions in a drop's RFC 8188 streams (docs/DROPS.md, "Content"), without
 * encrypting anything: the tus `Upload-Length` is known before a byte is sealed, and a resumed
 * upload or a ranged download maps a stream offset to the record that holds it.
 *
 * @module drops/sizes
 */

import { DROP_RECORD_SIZE, HEADER_BYTES, TAG_BYTES } from "./ece.js";

/** Plaintext bytes in a full record. */
export const PLAINTEXT_PER_RECORD = DROP_RECORD_SIZE - TAG_BYTES - 1;

/** Records a file of `size` bytes is sealed into (an empty file is one record). @param {number} size */
export function recordCount(size) {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError("a size is a non-negative integer");
  return Math.max(1, Math.ceil(size / PLAINTEXT_PER_RECORD));
}

/** The exact length of a file's stream: header, plaintext, and 17 bytes per record. @param {number} size */
export function encodedLength(size) {
  return HEADER_BYTES + size + recordCount(size) * (TAG_BYTES + 1);
}

/**
 * The plaintext in `files` streams of `length` bytes in all (the server knows only the total):
 * exact for one file; for several, at most 17 bytes a file too high (each file's last record is
 * partial, which the total cannot show).
 * @param {number} length
 * @param {number} files
 */
export function plaintextSize(length, files) {
  if (files <= 0) return 0;
  const body = Math.max(0, length - files * HEADER_BYTES);
  const records = Math.max(files, Math.ceil(body / DROP_RECORD_SIZE));
  return Math.max(0, body - records * (TAG_BYTES + 1));
}

/**
 * Where a stream offset falls: in the header (record -1) or in record `record`, `within` bytes
 * into it. A resume at any offset re-seals that record and skips `within` of its bytes, which
 * gives the same bytes because the salt (and so every nonce) is the same.
 * @param {number} offset
 */
export function locate(offset) {
  if (offset < HEADER_BYTES) return { record: -1, within: offset };
  const body = offset - HEADER_BYTES;
  return { record: Math.floor(body / DROP_RECORD_SIZE), within: body % DROP_RECORD_SIZE };
}

/** The stream offset where record `record` starts. @param {number} record */
export const recordStart = (record) => HEADER_BYTES + record * DROP_RECORD_SIZE;
