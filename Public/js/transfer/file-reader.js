/**
 * Reads one file for sending: from an offset, in blocks, hashing every byte from 0 (the item
 * digest, transfer/item-digest.js) — the bytes before the offset only for the digest (to check the
 * receiver's prefix), the rest for the digest and the channel. One block is read ahead, so the
 * disk works while the previous block is sent.
 *
 * The bytes from the offset come from one `Blob.stream()` read into buffers the caller gives back
 * ({@link BlobReader#give}) once it has sent their bytes, with a BYOB reader where the stream is a
 * byte stream. Until 2026-12-06 each block was a `Blob.slice().arrayBuffer()`: a new read (a blob
 * data pipe set up by the browser process) per block, into fresh memory (a 4 MiB buffer is mapped
 * afresh: a page fault per 4 KiB) — measurably more CPU per GiB in the reading worker and in the
 * browser process (Benchmarks/README.md, "Browser-to-browser transfers").
 *
 * Memory: a few blocks. Runs in transfer/read-worker.js in the page and directly under Node.
 *
 * @module transfer/file-reader
 */

import { ItemDigest } from "./item-digest.js";

/** Bytes hashed per slice while skipping to the offset. */
const SKIP_BYTES = 4 * 1024 * 1024;
/** Buffers given back and kept for the next blocks, at most. */
const MAX_SPARE = 2;

export class BlobReader {
  /** @type {ItemDigest} */
  #hash;
  /** Bytes taken out of the stream so far, counted from 0. */
  #position;
  /** @type {ReadableStreamBYOBReader | null} */
  #byob = null;
  /** @type {ReadableStreamDefaultReader<Uint8Array> | null} */
  #plain = null;
  /** What the last chunk of a plain (not BYOB) reader had left. */
  #leftover = new Uint8Array(0);
  /** @type {ArrayBuffer[]} */
  #spare = [];
  /** @type {Promise<Uint8Array> | null} */
  #ahead = null;

  /**
   * @param {Blob} blob
   * @param {number} offset
   * @param {string | null} prefixSha256
   * @param {ItemDigest} hash state after the prefix
   */
  constructor(blob, offset, prefixSha256, hash) {
    this.blob = blob;
    this.#position = offset;
    this.prefixSha256 = prefixSha256;
    this.#hash = hash;
    const stream = blob.slice(offset).stream();
    try {
      this.#byob = stream.getReader({ mode: "byob" });
    } catch {
      this.#plain = stream.getReader(); // not a byte stream in this browser
    }
  }

  /**
   * @param {Blob} blob
   * @param {number} offset
   * @returns {Promise<BlobReader>}
   */
  static async open(blob, offset) {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > blob.size) throw new RangeError("offset outside the file");
    const hash = new ItemDigest();
    for (let at = 0; at < offset; ) {
      const piece = new Uint8Array(await blob.slice(at, Math.min(offset, at + SKIP_BYTES)).arrayBuffer());
      if (piece.length === 0) throw new Error("the file became shorter while it was read");
      await hash.update(piece);
      at += piece.length;
    }
    return new BlobReader(blob, offset, offset > 0 ? await hash.hex() : null, hash);
  }

  /**
   * Gives back the buffer of a block returned by {@link read} whose bytes the caller no longer
   * needs; the next blocks are read into it.
   * @param {ArrayBuffer} buffer
   */
  give(buffer) {
    if (buffer.byteLength > 0 && this.#spare.length < MAX_SPARE) this.#spare.push(buffer);
  }

  /**
   * The next up to `maxBytes` bytes of the stream, in a given-back buffer (at offset 0) if one is
   * large enough; fewer only at the end of the file.
   * @param {number} maxBytes
   * @returns {Promise<Uint8Array>}
   */
  async #fill(maxBytes) {
    const want = Math.min(maxBytes, this.blob.size - this.#position);
    this.#position += want;
    if (want <= 0) return new Uint8Array(0);
    let buffer = this.#spare.pop();
    if (!buffer || buffer.byteLength < want) buffer = new ArrayBuffer(want);
    let filled = 0;
    while (filled < want) {
      if (this.#byob) {
        // The reader takes (detaches) the view's buffer and answers with the same memory.
        const { value, done } = await this.#byob.read(new Uint8Array(buffer, filled, want - filled));
        if (value) buffer = /** @type {ArrayBuffer} */ (value.buffer);
        if (done) break;
        filled += /** @type {Uint8Array} */ (value).byteLength;
      } else {
        if (this.#leftover.length === 0) {
          const { value, done } = await /** @type {ReadableStreamDefaultReader<Uint8Array>} */ (this.#plain).read();
          if (done) break;
          this.#leftover = value;
        }
        const n = Math.min(this.#leftover.length, want - filled);
        new Uint8Array(buffer, filled, n).set(this.#leftover.subarray(0, n));
        this.#leftover = this.#leftover.subarray(n);
        filled += n;
      }
    }
    return new Uint8Array(buffer, 0, filled);
  }

  /**
   * The next block (hashed), or null at the end of the file. A block of the file's full read
   * size starts at offset 0 of its own buffer, which the caller may transfer and give back.
   * @param {number} maxBytes
   * @returns {Promise<Uint8Array | null>}
   */
  async read(maxBytes) {
    let block = await (this.#ahead ?? this.#fill(maxBytes));
    this.#ahead = null;
    if (block.length > maxBytes) {
      // The caller wants less than was read ahead (the window shrank): hand out a copy of the
      // first part and keep the rest, whose buffer is still this reader's.
      this.#ahead = Promise.resolve(block.subarray(maxBytes));
      block = block.slice(0, maxBytes);
    }
    if (block.length === 0) return null;
    await this.#hash.update(block);
    if (this.#ahead === null && this.#position < this.blob.size) {
      this.#ahead = this.#fill(maxBytes);
      this.#ahead.catch(() => {});
    }
    return block;
  }

  /** @returns {Promise<string>} the item digest of the whole file, after `read` returned null */
  sha256() {
    return this.#hash.hex();
  }
}
