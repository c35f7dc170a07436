/**
 * Reads one file for sending: from an offset, in blocks, hashing every byte from 0 (the item
 * digest, transfer/item-digest.js) — the bytes before the offset only for the digest (to check the
 * receiver's prefix), the rest for the digest and the channel. One block is read ahead, so the
 * disk works while the previous block is sent.
 * Memory: two blocks. Runs in transfer/read-worker.js in the page and directly under Node.
 *
 * @module transfer/file-reader
 */

import { ItemDigest } from "./item-digest.js";

/** Bytes hashed per slice while skipping to the offset. */
const SKIP_BYTES = 4 * 1024 * 1024;

export class BlobReader {
  /** @type {ItemDigest} */
  #hash;
  #position;
  /** @type {Promise<Uint8Array> | null} */
  #ahead = null;
  #aheadBytes = 0;

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

  /** @param {number} maxBytes */
  #slice(maxBytes) {
    const start = this.#position;
    const end = Math.min(this.blob.size, start + maxBytes);
    this.#position = end;
    return this.blob.slice(start, end).arrayBuffer().then((buffer) => new Uint8Array(buffer));
  }

  /**
   * The next block (hashed), or null at the end of the file.
   * @param {number} maxBytes
   * @returns {Promise<Uint8Array | null>}
   */
  async read(maxBytes) {
    let block;
    if (this.#ahead && this.#aheadBytes <= maxBytes) {
      block = await this.#ahead;
    } else {
      if (this.#ahead) {
        // The caller wants less than was read ahead (the window shrank): keep the excess.
        const ahead = await this.#ahead;
        this.#ahead = null;
        await this.#hash.update(ahead.subarray(0, maxBytes));
        const rest = ahead.subarray(maxBytes);
        this.#ahead = Promise.resolve(rest);
        this.#aheadBytes = rest.length;
        return ahead.subarray(0, maxBytes);
      }
      if (this.#position >= this.blob.size) return null;
      block = await this.#slice(maxBytes);
    }
    this.#ahead = null;
    if (block.length === 0) return null;
    await this.#hash.update(block);
    if (this.#position < this.blob.size) {
      this.#aheadBytes = Math.min(maxBytes, this.blob.size - this.#position);
      this.#ahead = this.#slice(maxBytes);
      this.#ahead.catch(() => {});
    }
    return block;
  }

  /** @returns {Promise<string>} the item digest of the whole file, after `read` returned null */
  sha256() {
    return this.#hash.hex();
  }
}
