/**
 * A file's RFC 8188 stream, produced piece by piece from the file itself: `read(offset, max)`
 * seals just the records that cover `[offset, offset + max)` from `File.slice`s, so a 10 GiB file
 * is never in memory, and a resumed upload starts at the server's offset with the same bytes
 * (the salt, hence every key and nonce, is the one used before).
 *
 * Where workers exist, the reading and sealing run in a worker of their own (drops/seal-worker.js),
 * so the next chunk is read and sealed on another thread while the caller hashes and sends this one;
 * elsewhere (node) on the caller's thread. The bytes are the same either way.
 *
 * @module drops/encode-source
 */

import { RecordSealer } from "./ece.js";
import { PLAINTEXT_PER_RECORD, encodedLength, locate, recordCount, recordStart } from "./sizes.js";

/**
 * The sealed records `first` to `last` (inclusive) of `file`'s stream, back to back: one read of
 * their plaintext, every record's encryption asked for at once (RecordSealer.sealRecords, in place),
 * then one buffer.
 * @param {Blob} file
 * @param {RecordSealer} sealer
 * @param {number} first
 * @param {number} last
 * @returns {Promise<Uint8Array>}
 */
export async function sealSpan(file, sealer, first, last) {
  const size = file.size;
  const plain = new Uint8Array(await file.slice(first * PLAINTEXT_PER_RECORD, Math.min(size, (last + 1) * PLAINTEXT_PER_RECORD)).arrayBuffer());
  sealer.skipTo(first);
  const sealed = await sealer.sealRecords(plain, last === recordCount(size) - 1);
  const out = new Uint8Array(sealed.reduce((sum, record) => sum + record.length, 0));
  let put = 0;
  for (const record of sealed) {
    out.set(record, put);
    put += record.length;
  }
  return out;
}

/**
 * Seals spans in a worker of its own; one span at a time is asked for at most twice (the
 * upload's chunk and the one read ahead), answered in order.
 * @param {Blob} file @param {Uint8Array} ikm @param {Uint8Array} salt
 */
function workerSealer(file, ikm, salt) {
  const worker = new Worker(new URL("./seal-worker.js", import.meta.url), { type: "module" });
  /** @type {Map<number, { resolve: (bytes: Uint8Array) => void, reject: (error: Error) => void }>} */
  const waiting = new Map();
  let nextId = 0;
  const failAll = (/** @type {Error} */ error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  worker.addEventListener("message", ({ data }) => {
    const entry = waiting.get(data.id);
    if (!entry) return;
    waiting.delete(data.id);
    if (data.bytes) entry.resolve(data.bytes);
    else entry.reject(new Error(data.message));
  });
  worker.addEventListener("error", (event) => failAll(new Error(event.message || "the seal worker failed")));
  worker.postMessage({ op: "init", file, ikm, salt });
  return {
    /** @param {number} first @param {number} last @returns {Promise<Uint8Array>} */
    span(first, last) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ op: "seal", id, first, last });
      });
    },
    close() {
      worker.terminate();
      failAll(new Error("the encode source was closed"));
    },
  };
}

/**
 * @param {Blob} file
 * @param {Uint8Array} ikm the drop's content IKM
 * @param {Uint8Array} salt the file's salt
 * @param {{ crypto?: Crypto, worker?: boolean }} [options] `worker: false` seals on this thread
 */
export async function createEncodeSource(file, ikm, salt, { crypto = globalThis.crypto, worker = typeof Worker === "function" } = {}) {
  // The header (and a check of the key material) comes from a sealer here in any case.
  const sealer = await RecordSealer.create(ikm, salt, { crypto });
  const size = file.size;
  const length = encodedLength(size);
  const remote = worker && crypto === globalThis.crypto ? workerSealer(file, ikm, salt) : null;
  /** @type {(first: number, last: number) => Promise<Uint8Array>} */
  const span = remote ? remote.span : (first, last) => sealSpan(file, sealer, first, last);

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
    /** @type {Uint8Array} */
    let header = new Uint8Array(0);
    let at = offset;
    const { record: first, within } = locate(offset);
    if (first < 0) {
      header = sealer.header.subarray(within, Math.min(sealer.header.length, within + (end - offset)));
      at = sealer.header.length;
    }
    if (at >= end) return header.slice();
    const from = Math.max(first, 0);
    const records = await span(from, locate(end - 1).record);
    // A chunk on record boundaries (every one but a resume's first) is the span itself, uncopied.
    const body = records.subarray(at - recordStart(from), end - recordStart(from));
    if (header.length === 0) return body;
    const out = new Uint8Array(header.length + body.length);
    out.set(header);
    out.set(body, header.length);
    return out;
  }

  return { length, read, close: () => remote?.close() };
}

/** The largest chunk not above `max` that ends on a record boundary, from `offset` (at least one record). */
export function alignedChunk(offset, max, length) {
  const end = Math.min(length, offset + max);
  if (end === length) return end - offset;
  const { record } = locate(end);
  const boundary = record < 0 ? end : recordStart(record);
  return boundary > offset ? boundary - offset : end - offset;
}
