/**
 * Downloads and opens one file's RFC 8188 stream in ranges: the worker holds one range (16 MiB
 * by default) and the next one coming, opens the range's records 32 at a time and hands their
 * plaintext to `write` once every one of them verified. Everything that does not add up — a
 * header salt other than the metadata's, a length other than the metadata's size, a record that
 * does not open — throws a DamagedError, and the caller throws away what it wrote.
 *
 * @module drops/decode-stream
 */

import { DROP_RECORD_SIZE, DamagedError, HEADER_BYTES, RecordOpener } from "./ece.js";
import { PLAINTEXT_PER_RECORD, encodedLength, recordCount, recordStart } from "./sizes.js";

/** Records per range: 256 records are 16 MiB of plaintext. */
export const RANGE_RECORDS = 256;
/** Records opened together and written in one piece: 32 are 2 MiB of plaintext. */
export const OPEN_RECORDS = 32;

/**
 * @param {object} options
 * @param {(start: number, end: number) => Promise<Uint8Array>} options.fetchRange bytes
 *   `[start, end)` of the stream
 * @param {number} options.length the stream's length as the server says
 * @param {number} options.size the plaintext size the metadata says
 * @param {Uint8Array} options.salt the salt the metadata says
 * @param {Uint8Array} options.ikm
 * @param {(bytes: Uint8Array) => Promise<void> | void} options.write gets each batch's
 *   plaintext; the bytes are lent until `write` returns (or its promise settles), then reused
 * @param {(done: number) => void} [options.onProgress] plaintext bytes written
 * @param {number} [options.rangeRecords]
 * @param {number} [options.fromRecord] the first record to open (a resume: the plaintext before
 *   it is already written)
 * @param {Crypto} [options.crypto]
 */
export async function decodeStream({ fetchRange, length, size, salt, ikm, write, onProgress = () => {}, rangeRecords = RANGE_RECORDS, fromRecord = 0, crypto = globalThis.crypto }) {
  if (length !== encodedLength(size)) throw new DamagedError("the stream's length does not match the file's size");
  if (!Number.isSafeInteger(fromRecord) || fromRecord < 0 || fromRecord >= recordCount(size)) throw new RangeError("no such record");
  const rangeBytes = rangeRecords * DROP_RECORD_SIZE;
  // From the start, the header comes with the first range; a resume asks for the header alone
  // (it is checked again: the salt says the stream is this file's), then from its record on.
  const buffer = await fetchRange(0, fromRecord === 0 ? Math.min(length, HEADER_BYTES + rangeBytes) : HEADER_BYTES);
  if (buffer.length < HEADER_BYTES) throw new DamagedError("the stream is shorter than its header");
  const header = RecordOpener.parseHeader(buffer);
  if (header.length !== HEADER_BYTES || header.recordSize !== DROP_RECORD_SIZE) throw new DamagedError("not a drop stream header");
  if (header.salt.some((byte, index) => byte !== salt[index])) throw new DamagedError("the stream belongs to another file");
  const opener = await RecordOpener.create(ikm, buffer.subarray(0, HEADER_BYTES), { crypto });
  opener.skipTo(fromRecord);
  let consumed = recordStart(fromRecord);
  let at = fromRecord === 0 ? buffer.length : consumed;
  let view = fromRecord === 0 ? buffer.subarray(HEADER_BYTES) : new Uint8Array(0);
  let done = fromRecord * PLAINTEXT_PER_RECORD;
  // One buffer for every batch's joined plaintext, lent to `write`: a fresh 2 MiB per batch is
  // fresh memory, and Chromium pays a page fault per 4 KiB of it (about 1 GiB of them per GiB).
  /** @type {Uint8Array | null} */
  let joined = null;
  // The next range is fetched while this one is opened: one range ahead, no more.
  /** @type {{ start: number, bytes: Promise<Uint8Array> } | null} */
  let ahead = null;
  const fetchAt = (/** @type {number} */ start) => {
    const bytes = fetchRange(start, Math.min(length, start + rangeBytes));
    bytes.catch(() => {}); // awaited below, or dropped with the error that ends the stream
    return { start, bytes };
  };
  while (consumed < length) {
    if (view.length < DROP_RECORD_SIZE && at < length) {
      const more = await (ahead?.start === at ? ahead : fetchAt(at)).bytes;
      ahead = null;
      if (more.length === 0) throw new DamagedError("the stream is truncated");
      if (view.length === 0) {
        view = more; // ranges end on record boundaries: usually nothing is left to join
      } else {
        const joined = new Uint8Array(view.length + more.length);
        joined.set(view);
        joined.set(more, view.length);
        view = joined;
      }
      at += more.length;
    }
    if (ahead === null && at < length) ahead = fetchAt(at);
    // Up to OPEN_RECORDS whole records are opened at once (open takes its nonce before it
    // awaits, so WebCrypto works on them together), and their plaintext is written in one piece
    // once all of them verified. Batches, not the whole range: fewer buffers alive at a time.
    const opening = [];
    let taken = 0;
    while (consumed + taken < length && opening.length < OPEN_RECORDS) {
      const take = Math.min(DROP_RECORD_SIZE, length - consumed - taken);
      if (view.length - taken < take) break;
      opening.push(opener.open(view.subarray(taken, taken + take), consumed + taken + take === length));
      taken += take;
    }
    if (opening.length === 0) throw new DamagedError("the stream is truncated");
    const plaintexts = await Promise.all(opening);
    const bytes = plaintexts.reduce((sum, plaintext) => sum + plaintext.length, 0);
    view = view.subarray(taken);
    consumed += taken;
    done += bytes;
    if (done > size) throw new DamagedError("the stream is longer than the file's size");
    let plaintext = plaintexts[0];
    if (plaintexts.length > 1) {
      if (joined === null || joined.length < bytes) joined = new Uint8Array(Math.max(bytes, OPEN_RECORDS * PLAINTEXT_PER_RECORD));
      plaintext = joined.subarray(0, bytes);
      let put = 0;
      for (const part of plaintexts) {
        plaintext.set(part, put);
        put += part.length;
      }
    }
    await write(plaintext);
    onProgress(done);
  }
  if (done !== size || !opener.finished) throw new DamagedError("the stream is shorter than the file's size");
}
