/**
 * A streaming zip writer (APPNOTE 6.3.x): STORE only, sizes and CRC after each entry's data in a
 * data descriptor, so an entry is written while it is decrypted and nothing is held back; ZIP64
 * where a size, an offset or the count does not fit the classic fields (a 10 GiB drop becomes
 * one zip). Pure: it returns the bytes of headers and descriptors and counts what the caller
 * writes between them; the caller computes each entry's CRC-32 (drops/crc32.js) as bytes pass.
 *
 * Names are UTF-8 (general-purpose flag bit 11), `/`-separated, already sanitised by the caller.
 *
 * @module drops/zip
 */

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const encoder = new TextEncoder();

/** A little-endian byte builder. */
class Bytes {
  /** @type {number[]} */
  #out = [];
  u16(value) {
    this.#out.push(value & 0xff, (value >>> 8) & 0xff);
    return this;
  }
  u32(value) {
    this.u16(value % 0x10000).u16(Math.floor(value / 0x10000) % 0x10000);
    return this;
  }
  /** 64-bit from a safe integer. */
  u64(value) {
    this.u32(value % 0x100000000).u32(Math.floor(value / 0x100000000));
    return this;
  }
  /** @param {Uint8Array} bytes */
  raw(bytes) {
    for (const byte of bytes) this.#out.push(byte);
    return this;
  }
  done() {
    return Uint8Array.from(this.#out);
  }
}

/** MS-DOS date and time of a Date (local time, as unzip tools show it; 1980 at the earliest). */
export function dosDateTime(date) {
  const year = Math.max(1980, date.getFullYear());
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/**
 * @typedef {object} Entry
 * @property {Uint8Array} name
 * @property {number} size declared size
 * @property {number} offset of its local header
 * @property {boolean} zip64 sizes in ZIP64 fields (local extra, 8-byte descriptor)
 * @property {{ time: number, date: number }} stamp
 * @property {number} crc
 * @property {boolean} ended
 */

export class ZipWriter {
  /** @type {Entry[]} */
  #entries = [];
  /** Bytes of the archive so far (headers returned and data counted). */
  offset = 0;
  #finished = false;

  /** @param {{ forceZip64?: boolean }} [options] forceZip64: ZIP64 fields everywhere (tests) */
  constructor({ forceZip64 = false } = {}) {
    this.forceZip64 = forceZip64;
  }

  /**
   * The writer's state as plain JSON-able data, so a zip interrupted by a reload continues where
   * its last flushed bytes end ({@link ZipWriter.restore}).
   */
  snapshot() {
    if (this.#finished) throw new Error("the zip is finished");
    return {
      offset: this.offset,
      forceZip64: this.forceZip64,
      entries: this.#entries.map((entry) => ({ ...entry, name: new TextDecoder().decode(entry.name), stamp: { ...entry.stamp } })),
    };
  }

  /**
   * A writer continuing from a {@link snapshot}; throws on anything that does not add up, so a
   * damaged saved state starts the zip over instead of writing a broken archive.
   * @param {any} saved
   */
  static restore(saved) {
    const writer = new ZipWriter({ forceZip64: saved?.forceZip64 === true });
    if (!Number.isSafeInteger(saved?.offset) || saved.offset < 0 || !Array.isArray(saved.entries)) throw new TypeError("not a zip snapshot");
    let end = 0;
    for (const entry of saved.entries) {
      const fields = [entry?.size, entry?.offset, entry?.crc, entry?.written, entry?.stamp?.time, entry?.stamp?.date];
      if (!fields.every((value) => Number.isSafeInteger(value) && value >= 0) || typeof entry.name !== "string") throw new TypeError("not a zip entry");
      if (entry.offset < end || entry.written > entry.size || (entry.ended && entry.written !== entry.size)) throw new TypeError("zip entries do not add up");
      end = entry.offset;
      writer.#entries.push({ ...entry, name: encoder.encode(entry.name), zip64: entry.zip64 === true, ended: entry.ended === true, stamp: { ...entry.stamp } });
    }
    if (saved.offset < end) throw new TypeError("zip entries do not add up");
    writer.offset = saved.offset;
    return writer;
  }

  /**
   * Starts an entry; returns its local header. Its `size` bytes of data follow, then {@link end}.
   * @param {string} name
   * @param {number} size
   * @param {Date} [modified]
   */
  begin(name, size, modified = new Date()) {
    if (this.#finished) throw new Error("the zip is finished");
    const current = this.#entries.at(-1);
    if (current && !current.ended) throw new Error("the previous entry has not ended");
    const nameBytes = encoder.encode(name);
    if (nameBytes.length > MAX16) throw new RangeError("name too long");
    const zip64 = this.forceZip64 || size >= MAX32;
    const entry = { name: nameBytes, size, offset: this.offset, zip64, stamp: dosDateTime(modified), crc: 0, ended: false, written: 0 };
    this.#entries.push(entry);
    const header = new Bytes()
      .u32(0x04034b50)
      .u16(zip64 ? 45 : 20)
      .u16(0x0808) // data descriptor, UTF-8 names
      .u16(0) // STORE
      .u16(entry.stamp.time)
      .u16(entry.stamp.date)
      .u32(0)
      .u32(zip64 ? MAX32 : 0)
      .u32(zip64 ? MAX32 : 0)
      .u16(nameBytes.length)
      .u16(zip64 ? 20 : 0)
      .raw(nameBytes);
    if (zip64) header.u16(0x0001).u16(16).u64(0).u64(0);
    const bytes = header.done();
    this.offset += bytes.length;
    return bytes;
  }

  /** Counts data the caller wrote for the current entry. @param {number} length */
  wrote(length) {
    const entry = this.#entries.at(-1);
    if (!entry || entry.ended) throw new Error("no entry is open");
    entry.written += length;
    this.offset += length;
  }

  /**
   * Ends the current entry; returns its data descriptor.
   * @param {number} crc the CRC-32 of the entry's data
   */
  end(crc) {
    const entry = this.#entries.at(-1);
    if (!entry || entry.ended) throw new Error("no entry is open");
    if (entry.written !== entry.size) throw new Error(`entry wrote ${entry.written} bytes, declared ${entry.size}`);
    entry.crc = crc >>> 0;
    entry.ended = true;
    const out = new Bytes().u32(0x08074b50).u32(entry.crc);
    if (entry.zip64) out.u64(entry.size).u64(entry.size);
    else out.u32(entry.size).u32(entry.size);
    const bytes = out.done();
    this.offset += bytes.length;
    return bytes;
  }

  /** The central directory and the end records; the archive is complete after them. */
  finish() {
    const current = this.#entries.at(-1);
    if (current && !current.ended) throw new Error("the last entry has not ended");
    this.#finished = true;
    const start = this.offset;
    const out = new Bytes();
    for (const entry of this.#entries) {
      const bigSize = entry.zip64;
      const bigOffset = this.forceZip64 || entry.offset >= MAX32;
      const extra = new Bytes();
      if (bigSize) extra.u64(entry.size).u64(entry.size);
      if (bigOffset) extra.u64(entry.offset);
      const extraBytes = extra.done();
      out
        .u32(0x02014b50)
        .u16(45)
        .u16(bigSize || bigOffset ? 45 : 20)
        .u16(0x0808)
        .u16(0)
        .u16(entry.stamp.time)
        .u16(entry.stamp.date)
        .u32(entry.crc)
        .u32(bigSize ? MAX32 : entry.size)
        .u32(bigSize ? MAX32 : entry.size)
        .u16(entry.name.length)
        .u16(extraBytes.length ? extraBytes.length + 4 : 0)
        .u16(0)
        .u16(0)
        .u16(0)
        .u32(0)
        .u32(bigOffset ? MAX32 : entry.offset)
        .raw(entry.name);
      if (extraBytes.length) out.u16(0x0001).u16(extraBytes.length).raw(extraBytes);
    }
    const central = out.done();
    const size = central.length;
    const count = this.#entries.length;
    const tail = new Bytes();
    const zip64End = this.forceZip64 || count >= MAX16 || start >= MAX32 || size >= MAX32;
    if (zip64End) {
      const recordAt = start + size;
      tail.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(count).u64(count).u64(size).u64(start);
      tail.u32(0x07064b50).u32(0).u64(recordAt).u32(1);
    }
    tail
      .u32(0x06054b50)
      .u16(0)
      .u16(0)
      .u16(zip64End ? MAX16 : count)
      .u16(zip64End ? MAX16 : count)
      .u32(zip64End ? MAX32 : size)
      .u32(zip64End ? MAX32 : start)
      .u16(0);
    const end = tail.done();
    const bytes = new Uint8Array(central.length + end.length);
    bytes.set(central);
    bytes.set(end, central.length);
    this.offset += bytes.length;
    return bytes;
  }
}
