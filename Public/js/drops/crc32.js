/**
 * CRC-32 (ISO-HDLC, the zip checksum), incremental, table-driven: a zip built while streaming
 * computes each entry's CRC as its bytes pass, then writes it in the data descriptor.
 *
 * @module drops/crc32
 */

const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c >>> 0;
}

/** Running CRC-32. */
export class Crc32 {
  #crc;

  /** @param {number} [state] a {@link state} saved before, to continue a CRC after a reload */
  constructor(state = 0xffffffff) {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) throw new RangeError("not a CRC-32 state");
    this.#crc = state;
  }

  /** The running register (not the final value): what a resumed CRC starts from. */
  get state() {
    return this.#crc >>> 0;
  }

  /** @param {Uint8Array} bytes */
  update(bytes) {
    let crc = this.#crc;
    for (let index = 0; index < bytes.length; index++) crc = TABLE[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
    this.#crc = crc;
    return this;
  }

  /** The CRC of everything so far, as an unsigned 32-bit number. */
  get value() {
    return (this.#crc ^ 0xffffffff) >>> 0;
  }
}

/** @param {Uint8Array} bytes */
export const crc32 = (bytes) => new Crc32().update(bytes).value;
