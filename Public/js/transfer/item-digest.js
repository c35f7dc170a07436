/**
 * The digest that proves a transferred item arrived intact (docs/TRANSFERS.md, "Integrity"):
 * a SHA-256 hash list over fixed 512 KiB blocks,
 * ```
 * digest(bytes) = SHA-256( SHA-256(B0) ‖ SHA-256(B1) ‖ … ‖ SHA-256(Bn-1) )
 * Bk = bytes[k · 512 KiB, min((k + 1) · 512 KiB, length))          n = ceil(length / 512 KiB)
 * ```
 * (an empty item: SHA-256 of nothing). Blocks sit at fixed offsets from byte 0, so the digest does
 * not depend on how the bytes were cut into reads, chunks or writes, and the digest of a prefix
 * (a resume) is the same function of the prefix.
 *
 * Why not the plain SHA-256 of the file: the only incremental SHA-256 a page has is JavaScript
 * (sha256.js, 70–100 MiB/s here), and both sides hashing in JavaScript cost as much CPU as the data
 * channel itself, which halved the transfer speed on a 2-core machine. WebCrypto's SHA-256 is
 * native (SHA-NI: ~1.6 GiB/s) but takes whole inputs only; hashing blocks with it and the
 * 32-byte block digests incrementally in JavaScript keeps the memory at a few blocks and costs about
 * a tenth. The strength is SHA-256's: two different items with one digest need a SHA-256
 * collision (the sizes are compared as well).
 *
 * Why 512 KiB blocks (1 MiB until 2026-12-06): Chromium's `digest` copies its input into memory of
 * its own, and a 1 MiB copy is too large for the allocator's buckets, so each one is mapped afresh
 * (a page fault and zeroing per 4 KiB) and unmapped again: 1.2–1.3 CPU s per GiB in the hashing
 * thread, against 0.65 s with 512 KiB or 256 KiB blocks (SHA-NI itself: ~0.6 s). That is on each
 * side of a transfer, on a path where CPU is the limit (Benchmarks/README.md).
 *
 * Chromium computes the block digests in the calling thread (a worker here); they are folded in in
 * order.
 *
 * @module transfer/item-digest
 */

import { Sha256 } from "../sha256.js";

/** Bytes per hashed block. Part of the protocol: both sides must use the same. */
export const DIGEST_BLOCK_BYTES = 512 * 1024;
/** Block digests started and not yet folded in, at most (memory: WebCrypto copies each block). */
const MAX_IN_FLIGHT = 4;

export class ItemDigest {
  #outer = new Sha256();
  #partial = new Uint8Array(0);
  #partialLength = 0;
  /** Block buffers whose digest is done, for the next blocks: fresh block buffers cost a page fault per 4 KiB. @type {Uint8Array[]} */
  #spare = [];
  #inFlight = 0;
  /** @type {Promise<void>} */
  #chain = Promise.resolve();
  #subtle;
  /** Bytes fed so far. */
  length = 0;

  /** @param {SubtleCrypto} [subtle] */
  constructor(subtle = globalThis.crypto.subtle) {
    this.#subtle = subtle;
  }

  /**
   * Starts the digest of one block (WebCrypto copies `block` at once, so the caller may reuse or
   * transfer it) and folds it in after the ones before it.
   * @param {Uint8Array} block
   * @param {boolean} [own] `block` is this digest's own buffer: reused once its digest is done
   */
  #start(block, own = false) {
    const digest = this.#subtle.digest("SHA-256", block);
    this.#inFlight++;
    this.#chain = this.#chain.then(async () => {
      this.#outer.update(new Uint8Array(await digest));
      this.#inFlight--;
      if (own && this.#spare.length <= MAX_IN_FLIGHT) this.#spare.push(block);
    });
  }

  /**
   * Feeds more bytes; resolves when few enough block digests are pending. Calls must not overlap
   * (await each one).
   * @param {Uint8Array} bytes
   */
  async update(bytes) {
    let offset = 0;
    this.length += bytes.length;
    if (this.#partialLength > 0) {
      const take = Math.min(DIGEST_BLOCK_BYTES - this.#partialLength, bytes.length);
      this.#partial.set(bytes.subarray(0, take), this.#partialLength);
      this.#partialLength += take;
      offset = take;
      if (this.#partialLength === DIGEST_BLOCK_BYTES) {
        this.#start(this.#partial, true);
        // Another buffer for the next block, this one reused only once its digest is done:
        // WebCrypto copies its input (the spec says so), but not every implementation is known
        // to do it before it returns.
        this.#partial = new Uint8Array(0);
        this.#partialLength = 0;
      }
    }
    for (; bytes.length - offset >= DIGEST_BLOCK_BYTES; offset += DIGEST_BLOCK_BYTES) {
      this.#start(bytes.subarray(offset, offset + DIGEST_BLOCK_BYTES));
    }
    if (offset < bytes.length) {
      if (this.#partial.length === 0) this.#partial = this.#spare.pop() ?? new Uint8Array(DIGEST_BLOCK_BYTES);
      this.#partial.set(bytes.subarray(offset), 0);
      this.#partialLength = bytes.length - offset;
    }
    if (this.#inFlight > MAX_IN_FLIGHT) await this.#chain;
  }

  /**
   * The digest of everything fed so far, as 64 lowercase hex characters. Does not end the
   * digest: more bytes may follow (a resumed item's prefix, then the rest).
   * @returns {Promise<string>}
   */
  async hex() {
    await this.#chain;
    const outer = this.#outer.clone();
    if (this.#partialLength > 0) {
      outer.update(new Uint8Array(await this.#subtle.digest("SHA-256", this.#partial.subarray(0, this.#partialLength))));
    }
    return outer.hex();
  }

  /**
   * The digest of one complete input.
   * @param {Uint8Array} bytes
   * @param {SubtleCrypto} [subtle]
   */
  static async hex(bytes, subtle) {
    const digest = new ItemDigest(subtle);
    await digest.update(bytes);
    return digest.hex();
  }
}
