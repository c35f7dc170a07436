/**
 * Incremental SHA-256 (FIPS 180-4) for the browser and Node.
 *
 * WebCrypto's `crypto.subtle.digest` needs the whole input in memory at once, so a
 * multi-gigabyte file could not be hashed with it. This class takes the input in
 * pieces of any size and keeps only one 64-byte block between calls.
 *
 * @module sha256
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL_STATE = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/** Bytes read per slice by {@link hashBlob} unless told otherwise. */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;

/**
 * Runs the compression function on the 64-byte block at `offset` of `bytes`.
 * @param {Int32Array} state eight words, updated in place
 * @param {Int32Array} w 64-word message schedule scratch space
 * @param {Uint8Array} bytes
 * @param {number} offset
 */
function compress(state, w, bytes, offset) {
  for (let i = 0; i < 16; i++, offset += 4) {
    w[i] = (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15];
    const y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
}

/**
 * Converts bytes to lowercase hexadecimal.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toHex(bytes) {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/**
 * An incremental SHA-256 hash.
 *
 * @example
 * const hash = new Sha256();
 * hash.update(new TextEncoder().encode("ab")).update(new TextEncoder().encode("c"));
 * hash.hex(); // "ba7816bf…"
 */
export class Sha256 {
  // Int32Array keeps every word a small integer for the JIT; arithmetic wraps with `| 0`.
  #state = Int32Array.from(INITIAL_STATE);
  #schedule = new Int32Array(64);
  #block = new Uint8Array(64);
  #blockLength = 0;
  #length = 0; // total bytes; exact up to 2^53 - 1, the largest size a File can report
  /** @type {Uint8Array | null} */
  #result = null;

  /**
   * Feeds more input. Pieces may have any length, including zero.
   * @param {Uint8Array | ArrayBuffer | ArrayBufferView} data
   * @returns {this} the hash, for chaining
   * @throws {Error} after {@link Sha256#digest} has been called
   */
  update(data) {
    if (this.#result) throw new Error("Sha256: update() called after digest()");
    const bytes = asBytes(data);
    const length = bytes.length;
    let offset = 0;
    this.#length += length;
    if (this.#blockLength > 0) {
      const take = Math.min(64 - this.#blockLength, length);
      this.#block.set(bytes.subarray(0, take), this.#blockLength);
      this.#blockLength += take;
      offset = take;
      if (this.#blockLength < 64) return this;
      compress(this.#state, this.#schedule, this.#block, 0);
      this.#blockLength = 0;
    }
    for (; length - offset >= 64; offset += 64) compress(this.#state, this.#schedule, bytes, offset);
    if (offset < length) {
      this.#block.set(bytes.subarray(offset), 0);
      this.#blockLength = length - offset;
    }
    return this;
  }

  /**
   * Finishes the hash. Later calls return the same value; {@link Sha256#update} then throws.
   * @returns {Uint8Array} the 32-byte digest (a fresh copy)
   */
  digest() {
    if (!this.#result) {
      const block = this.#block;
      let used = this.#blockLength;
      block[used++] = 0x80;
      if (used > 56) {
        block.fill(0, used);
        compress(this.#state, this.#schedule, block, 0);
        used = 0;
      }
      block.fill(0, used, 56);
      // The message length in bits as a 64-bit big-endian integer.
      const bits = this.#length * 8;
      const view = new DataView(block.buffer);
      view.setUint32(56, Math.floor(bits / 2 ** 32));
      view.setUint32(60, bits >>> 0);
      compress(this.#state, this.#schedule, block, 0);
      const out = new Uint8Array(32);
      const outView = new DataView(out.buffer);
      this.#state.forEach((word, i) => outView.setUint32(i * 4, word));
      this.#result = out;
    }
    return this.#result.slice();
  }

  /**
   * Finishes the hash like {@link Sha256#digest}.
   * @returns {string} the digest as 64 lowercase hexadecimal characters
   */
  hex() {
    return toHex(this.digest());
  }

  /**
   * An independent copy of the hash so far: the copy can be finished (to learn the digest of
   * the input up to here) while this one goes on. Transfers use it to check a resumed file's
   * prefix without reading the file twice.
   * @returns {Sha256}
   * @throws {Error} after {@link Sha256#digest} has been called
   */
  clone() {
    if (this.#result) throw new Error("Sha256: clone() called after digest()");
    const copy = new Sha256();
    copy.#state.set(this.#state);
    copy.#block.set(this.#block);
    copy.#blockLength = this.#blockLength;
    copy.#length = this.#length;
    return copy;
  }

  /**
   * Hashes one complete input.
   * @param {Uint8Array | ArrayBuffer | ArrayBufferView} data
   * @returns {string} the digest as 64 lowercase hexadecimal characters
   */
  static hex(data) {
    return new Sha256().update(data).hex();
  }
}

/**
 * @param {Uint8Array | ArrayBuffer | ArrayBufferView} data
 * @returns {Uint8Array}
 */
function asBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError("Sha256: expected a Uint8Array, an ArrayBuffer or an ArrayBufferView");
}

/**
 * Hashes a Blob (or File) slice by slice, so memory use stays at one slice whatever its size.
 *
 * @param {Blob} blob
 * @param {object} [options]
 * @param {number} [options.chunkSize] bytes per slice, {@link DEFAULT_CHUNK_SIZE} by default
 * @param {(bytesDone: number) => void} [options.onProgress] called after each slice
 * @param {AbortSignal} [options.signal] stops the work between slices with the signal's reason
 * @returns {Promise<string>} the digest as 64 lowercase hexadecimal characters
 */
export async function hashBlob(blob, { chunkSize = DEFAULT_CHUNK_SIZE, onProgress, signal } = {}) {
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new RangeError("chunkSize must be a positive integer");
  const hash = new Sha256();
  for (let offset = 0; offset < blob.size; ) {
    signal?.throwIfAborted();
    const piece = new Uint8Array(await blob.slice(offset, offset + chunkSize).arrayBuffer());
    if (piece.length === 0) throw new Error("The file became shorter while it was being read");
    hash.update(piece);
    offset += piece.length;
    onProgress?.(offset);
  }
  signal?.throwIfAborted();
  return hash.hex();
}
