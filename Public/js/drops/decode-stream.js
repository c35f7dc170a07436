/**
 * Downloads and opens one file's RFC 8188 stream in ranges (2 MiB by default: 32 records, one
 * batch of the opener), as a pipeline of up to ten ranges: one is being fetched, those before it
 * are being opened (on a worker of their own in a browser: drops/open-records.js, so AES-GCM
 * overlaps with fetching and writing), and the oldest is handed to `write` once every record of
 * it verified. Each range is read into the memory of one already written (drops/range-reader.js
 * reads it there from answers of up to 64 MiB), so a download reuses up to ten 2 MiB buffers
 * throughout.
 *
 * Why small ranges, many in flight (2026-12-07, Benchmarks/README.md): with 16 MiB ranges, three
 * in flight, a range was written only once all of it had been fetched and opened, in one burst
 * while the next fetch stalled behind it (fetching is the critical path: the thread that reads
 * also writes); 2 MiB ranges keep fetching, opening and writing flowing in small steps: the
 * decrypting download ran 3–11 % faster in the median of seven of eight paired runs (−1.5 % in
 * the other), with 20 MiB of buffers instead of 48.
 * Everything that does not add up — a header salt other than the metadata's, a length
 * other than the metadata's size, a record that does not open — throws a DamagedError, and the
 * caller throws away what it wrote.
 *
 * @module drops/decode-stream
 */

import { AsyncQueue } from "./async-queue.js";
import { DROP_RECORD_SIZE, DamagedError, HEADER_BYTES, RecordOpener } from "./ece.js";
import { OPEN_RECORDS, defaultOpeners } from "./open-records.js";
import { PLAINTEXT_PER_RECORD, encodedLength, recordCount, recordStart } from "./sizes.js";

export { OPEN_RECORDS };

/** Records per range: 32 records are 2 MiB of plaintext, one batch of the opener. */
export const RANGE_RECORDS = OPEN_RECORDS;
/** Ranges in the pipeline at a time: one fetched, the others opened or waiting to be written. */
export const PIPELINE_RANGES = 10;

/**
 * @param {object} options
 * @param {(start: number, end: number, into?: ArrayBuffer | null) => Promise<Uint8Array>} options.fetchRange
 *   bytes `[start, end)` of the stream (fewer when the answer is short); `into`, when given, is
 *   memory for them (at least `end − start` bytes, no longer used here) that the fetcher may read
 *   them into, or ignore; the returned bytes' whole buffer is handed over (it is overwritten in
 *   place, transferred to the opening worker, and given back as `into` once written). No `into`
 *   (the header alone, before a resume): just these bytes are wanted.
 * @param {number} options.length the stream's length as the server says
 * @param {number} options.size the plaintext size the metadata says
 * @param {Uint8Array} options.salt the salt the metadata says
 * @param {Uint8Array} options.ikm
 * @param {(bytes: Uint8Array) => Promise<void> | void} options.write gets the plaintext, 32
 *   records at a time, in order; the bytes are lent until `write` returns (or its promise
 *   settles)
 * @param {(done: number) => void} [options.onProgress] plaintext bytes written
 * @param {number} [options.rangeRecords]
 * @param {number} [options.pipelineRanges] ranges in the pipeline at a time (an integer, at least 2)
 * @param {number} [options.fromRecord] the first record to open (a resume: the plaintext before
 *   it is already written)
 * @param {Crypto} [options.crypto]
 * @param {import("./open-records.js").Openers} [options.openers] where records are opened
 *   (default: a worker of their own where one can be started)
 */
export async function decodeStream({ fetchRange, length, size, salt, ikm, write, onProgress = () => {}, rangeRecords = RANGE_RECORDS, pipelineRanges = PIPELINE_RANGES, fromRecord = 0, crypto = globalThis.crypto, openers = defaultOpeners }) {
  if (length !== encodedLength(size)) throw new DamagedError("the stream's length does not match the file's size");
  if (!Number.isSafeInteger(fromRecord) || fromRecord < 0 || fromRecord >= recordCount(size)) throw new RangeError("no such record");
  if (!Number.isSafeInteger(pipelineRanges) || pipelineRanges < 2) throw new RangeError("a pipeline holds two ranges or more");
  if (!Number.isSafeInteger(rangeRecords) || rangeRecords < 1) throw new RangeError("a range holds one record or more");
  const rangeBytes = rangeRecords * DROP_RECORD_SIZE;
  // The ranges' memory: a range's buffer, once written, holds a later range.
  const capacity = HEADER_BYTES + rangeBytes;
  /** @type {ArrayBuffer[]} */
  const free = [];
  /**
   * The bytes `[start, end)`; more than asked is refused.
   * @param {number} start @param {number} end @param {boolean} [range] a range of the pipeline
   */
  const read = async (start, end, range = true) => {
    const bytes = await fetchRange(start, end, range ? (free.pop() ?? new ArrayBuffer(capacity)) : null);
    if (bytes.length > end - start) throw new Error("the answer is longer than the range asked for");
    return bytes;
  };
  // From the start, the header comes with the first range; a resume asks for the header alone
  // (it is checked again: the salt says the stream is this file's), then from its record on.
  const first = await read(0, fromRecord === 0 ? Math.min(length, HEADER_BYTES + rangeBytes) : HEADER_BYTES, fromRecord === 0);
  if (first.length < HEADER_BYTES) throw new DamagedError("the stream is shorter than its header");
  const header = RecordOpener.parseHeader(first);
  if (header.length !== HEADER_BYTES || header.recordSize !== DROP_RECORD_SIZE) throw new DamagedError("not a drop stream header");
  if (header.salt.some((byte, index) => byte !== salt[index])) throw new DamagedError("the stream belongs to another file");
  const opener = await openers(ikm, first.slice(0, HEADER_BYTES), { crypto });

  // The reading loop puts each range's opening (a promise, in order) into `opened`; the writing
  // loop takes them in order and writes them; `slots` bounds the ranges in the pipeline.
  // The first failure stops both loops, and is thrown once neither runs any more (no write is
  // under way when the caller cleans up).
  /** @type {AsyncQueue<Promise<import("./open-records.js").Opened>>} */
  const opened = new AsyncQueue();
  const slots = new AsyncQueue(Array.from({ length: pipelineRanges - 1 }, () => true));
  /** @type {{ error: unknown } | null} */
  let failure = null;
  const fail = (/** @type {unknown} */ error) => {
    failure ??= { error };
    opened.fail(error);
    slots.fail(error);
  };
  let finished = false;
  let done = fromRecord * PLAINTEXT_PER_RECORD;
  const reading = (async () => {
    let at = recordStart(fromRecord);
    let record = fromRecord;
    /** @type {Uint8Array | null} */
    let bytes = fromRecord === 0 ? first : null;
    let skip = fromRecord === 0 ? HEADER_BYTES : 0;
    while (at < length) {
      if (bytes === null) {
        await slots.take();
        // Ranges end on record boundaries, so a range is whole records but at the stream's end.
        bytes = await read(at, Math.min(length, at + rangeBytes));
        skip = 0;
        if (failure) return;
      }
      const got = bytes.length - skip;
      const end = at + got === length;
      const whole = end ? got : got - (got % DROP_RECORD_SIZE);
      // A short answer: its whole records are opened, the cut record is asked for again.
      if (whole === 0) throw new DamagedError("the stream is truncated");
      const job = opener.open({ buffer: /** @type {ArrayBuffer} */ (bytes.buffer), offset: bytes.byteOffset + skip, length: whole, sequence: record, last: end });
      job.catch(() => {}); // taken and awaited in order below
      opened.put(job);
      at += whole;
      record += Math.ceil(whole / DROP_RECORD_SIZE);
      bytes = null;
    }
    opened.end();
  })().catch(fail);
  const writing = (async () => {
    for (;;) {
      const job = await opened.take();
      if (job === undefined) return;
      const { buffer, plaintext, finished: last } = await job;
      if (failure) return;
      if (done + plaintext > size) throw new DamagedError("the stream is longer than the file's size");
      // 32 records at a time, as they were opened before: the same progress steps and resume
      // points (a zip saves its state every 8 MiB written).
      let put = 0;
      do {
        const piece = new Uint8Array(buffer, put, Math.min(OPEN_RECORDS * PLAINTEXT_PER_RECORD, plaintext - put));
        await write(piece);
        if (failure) return;
        put += piece.length;
        done += piece.length;
        onProgress(done);
      } while (put < plaintext);
      finished = last;
      if (buffer.byteLength >= capacity) free.push(buffer);
      slots.put(true);
    }
  })().catch(fail);
  try {
    await Promise.all([reading, writing]);
  } finally {
    opener.close();
  }
  if (failure) throw failure.error;
  if (done !== size || !finished) throw new DamagedError("the stream is shorter than the file's size");
}
