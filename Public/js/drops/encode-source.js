/**
 * A file's RFC 8188 stream, produced piece by piece from the file itself: `read(offset, max)`
 * seals just the records that cover `[offset, offset + max)` from `File.slice`s, so a 10 GiB file
 * is never in memory, and a resumed upload starts at the server's offset with the same bytes
 * (the salt, hence every key and nonce, is the one used before).
 *
 * @module drops/encode-source
 */

import { RecordSealer } from "./ece.js";
import { PLAINTEXT_PER_RECORD, encodedLength, locate, recordCount, recordStart } from "./sizes.js";

/**
 * @param {Blob} file
 * @param {Uint8Array} ikm the drop's content IKM
 * @param {Uint8Array} salt the file's salt
 * @param {{ crypto?: Crypto }} [options]
 */
export async function createEncodeSource(file, ikm, salt, { crypto = globalThis.crypto } = {}) {
  const sealer = await RecordSealer.create(ikm, salt, { crypto });
  const size = file.size;
  const records = recordCount(size);
  const length = encodedLength(size);

  /**
   * Stream bytes from `offset`, at most `max`, ending on a record boundary when `max` allows
   * (so checksummed chunks keep later offsets aligned).
   * @param {number} offset
   * @param {number} max
   * @returns {Promise<Uint8Array>}
   */
  async function read(offset, max) {
    if (offset < 0 || offset > length) throw new RangeError("offset outside the stream");
    const end = Math.min(length, offset + max);
    const parts = [];
    let at = offset;
    const { record: first, within } = locate(offset);
    if (first < 0) {
      parts.push(sealer.header.subarray(within, Math.min(sealer.header.length, within + (end - offset))));
      at = sealer.header.length;
    }
    let record = Math.max(first, 0);
    if (at < end) {
      const last = locate(end - 1).record;
      const plain = new Uint8Array(await file.slice(record * PLAINTEXT_PER_RECORD, Math.min(size, (last + 1) * PLAINTEXT_PER_RECORD)).arrayBuffer());
      sealer.skipTo(record);
      const sealedRecords = await sealer.sealRecords(plain, last === records - 1);
      for (; record <= last; record++) {
        const sealed = sealedRecords[record - Math.max(first, 0)];
        const start = recordStart(record);
        parts.push(sealed.subarray(Math.max(0, at - start), Math.min(sealed.length, end - start)));
        at = Math.min(end, start + sealed.length);
      }
    }
    const total = parts.reduce((sum, part) => sum + part.length, 0);
    const out = new Uint8Array(total);
    let put = 0;
    for (const part of parts) {
      out.set(part, put);
      put += part.length;
    }
    return out;
  }

  return { length, read };
}

/** The largest chunk not above `max` that ends on a record boundary, from `offset` (at least one record). */
export function alignedChunk(offset, max, length) {
  const end = Math.min(length, offset + max);
  if (end === length) return end - offset;
  const { record } = locate(end);
  const boundary = record < 0 ? end : recordStart(record);
  return boundary > offset ? boundary - offset : end - offset;
}
