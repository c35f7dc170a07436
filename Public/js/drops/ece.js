/**
 * RFC 8188 `aes128gcm` content coding, the encoding of every file in a drop (docs/DROPS.md,
 * "Content"), on WebCrypto. Streaming: a {@link RecordSealer} seals one record, or one slice of
 * records, at a time and a {@link RecordOpener} opens one at a time, so a worker holds a record
 * (64 KiB) or a chunk's records whatever the file's size.
 *
 * Every failure to open — a bad tag, a wrong key, a record out of place, a truncated stream, data
 * after the last record, a bad delimiter or padding — is a {@link DamagedError}.
 *
 * @module drops/ece
 */

import { concatBytes } from "../trust/encoding.js";

/** Record size of drops: 64 KiB of plaintext, the delimiter and the 16-byte tag. */
export const DROP_RECORD_SIZE = 65_553;
export const TAG_BYTES = 16;
export const HEADER_BYTES = 21; // salt (16) ‖ rs (4) ‖ idlen (1), without a keyid

const encoder = new TextEncoder();
const CEK_INFO = encoder.encode("Content-Encoding: aes128gcm\0");
const NONCE_INFO = encoder.encode("Content-Encoding: nonce\0");

/** Something about a drop does not decrypt or does not add up; nothing from it may be used. */
export class DamagedError extends Error {
  /** @param {string} detail */
  constructor(detail) {
    super(`damaged: ${detail}`);
    this.name = "DamagedError";
  }
}

/**
 * HKDF-SHA256 (RFC 5869, extract then expand).
 * @param {Uint8Array} salt @param {Uint8Array} ikm @param {Uint8Array} info @param {number} length bytes
 * @param {Crypto} [crypto]
 */
export async function hkdf(salt, ikm, info, length, crypto = globalThis.crypto) {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, length * 8));
}

/**
 * The content-encryption key (as a WebCrypto key) and base nonce of one stream.
 * @param {Uint8Array} ikm @param {Uint8Array} salt @param {Crypto} crypto
 */
async function streamKeys(ikm, salt, crypto) {
  const cek = await hkdf(salt, ikm, CEK_INFO, 16, crypto);
  const nonce = await hkdf(salt, ikm, NONCE_INFO, 12, crypto);
  const key = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { key, nonce };
}

/** base nonce XOR the record's sequence number (a 96-bit big-endian integer). */
function recordNonce(/** @type {Uint8Array} */ base, /** @type {number} */ sequence) {
  const nonce = base.slice();
  let rest = sequence;
  for (let index = 11; index >= 0 && rest > 0; index--) {
    nonce[index] ^= rest % 256;
    rest = Math.floor(rest / 256);
  }
  return nonce;
}

/** Seals one file's plaintext record by record: `header`, then `seal` for each record in order. */
export class RecordSealer {
  #sequence = 0;
  #finished = false;

  /** @param {CryptoKey} key @param {Uint8Array} nonce @param {Uint8Array} header @param {number} recordSize @param {Crypto} crypto */
  constructor(key, nonce, header, recordSize, crypto) {
    this.key = key;
    this.nonce = nonce;
    this.header = header;
    this.recordSize = recordSize;
    /** Plaintext bytes a full record holds. */
    this.plaintextPerRecord = recordSize - TAG_BYTES - 1;
    this.crypto = crypto;
  }

  /**
   * @param {Uint8Array} ikm the drop's content IKM (16 bytes)
   * @param {Uint8Array} salt 16 bytes, fresh for every file
   * @param {object} [options]
   * @param {number} [options.recordSize]
   * @param {Uint8Array} [options.keyid]
   * @param {Crypto} [options.crypto]
   */
  static async create(ikm, salt, { recordSize = DROP_RECORD_SIZE, keyid = new Uint8Array(0), crypto = globalThis.crypto } = {}) {
    if (salt.length !== 16) throw new RangeError("the salt must be 16 bytes");
    if (!(recordSize >= 18 && recordSize < 2 ** 32)) throw new RangeError("bad record size");
    if (keyid.length > 255) throw new RangeError("keyid too long");
    const { key, nonce } = await streamKeys(ikm, salt, crypto);
    const header = new Uint8Array(21 + keyid.length);
    header.set(salt, 0);
    new DataView(header.buffer).setUint32(16, recordSize);
    header[20] = keyid.length;
    header.set(keyid, 21);
    return new RecordSealer(key, nonce, header, recordSize, crypto);
  }

  /**
   * Continues at record `sequence` (from 0): a resumed upload seals from the server's offset,
   * and the same salt gives the same nonces, so the same bytes as before.
   * @param {number} sequence
   */
  skipTo(sequence) {
    if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError("bad record number");
    this.#sequence = sequence;
    this.#finished = false;
  }

  /**
   * Seals the next record: at most `plaintextPerRecord` bytes; every record but the last must be
   * full. Returns the record (plaintext + 17 bytes).
   * @param {Uint8Array} plaintext
   * @param {boolean} last
   */
  async seal(plaintext, last) {
    if (this.#finished) throw new Error("the stream has ended");
    if (plaintext.length > this.plaintextPerRecord || (!last && plaintext.length !== this.plaintextPerRecord)) {
      throw new RangeError("a record but the last must be full");
    }
    const padded = new Uint8Array(plaintext.length + 1);
    padded.set(plaintext);
    padded[plaintext.length] = last ? 2 : 1;
    const iv = recordNonce(this.nonce, this.#sequence++);
    this.#finished = last;
    return new Uint8Array(await this.crypto.subtle.encrypt({ name: "AES-GCM", iv }, this.key, padded));
  }

  /**
   * Seals the next records from `plaintext`, consecutive records laid out back to back (every one
   * full but the final one, which is the stream's last when `last`), all at once: WebCrypto then
   * works on them together instead of one record per round trip. Resolves to the sealed records,
   * in order; the sequence numbers are taken before anything is awaited, so the next call may
   * follow at once.
   *
   * No record is copied to add its delimiter: WebCrypto copies its input when `encrypt` is called
   * (WebCrypto spec, "get a copy of the bytes held by the data parameter", before the promise is
   * returned), so the delimiter is written over the next record's first byte for the call and the
   * byte is put back at once. Only the final record of the slice, with nothing after it, goes
   * through a small padded buffer. `plaintext` is unchanged when this returns.
   * @param {Uint8Array} plaintext not shared with another thread
   * @param {boolean} last
   * @returns {Promise<Uint8Array[]>}
   */
  async sealRecords(plaintext, last) {
    if (this.#finished) throw new Error("the stream has ended");
    const per = this.plaintextPerRecord;
    const count = Math.max(1, Math.ceil(plaintext.length / per));
    const finalLength = plaintext.length - (count - 1) * per;
    if (!last && finalLength !== per) throw new RangeError("a record but the last must be full");
    const encrypt = (/** @type {Uint8Array} */ padded) =>
      this.crypto.subtle.encrypt({ name: "AES-GCM", iv: recordNonce(this.nonce, this.#sequence++) }, this.key, padded);
    /** @type {Promise<ArrayBuffer>[]} */
    const pending = [];
    for (let index = 0; index < count - 1; index++) {
      const end = (index + 1) * per;
      const kept = plaintext[end];
      plaintext[end] = 1;
      try {
        pending.push(encrypt(plaintext.subarray(index * per, end + 1)));
      } finally {
        plaintext[end] = kept;
      }
    }
    const padded = new Uint8Array(finalLength + 1);
    padded.set(plaintext.subarray((count - 1) * per));
    padded[finalLength] = last ? 2 : 1;
    pending.push(encrypt(padded));
    this.#finished = last;
    return (await Promise.all(pending)).map((sealed) => new Uint8Array(sealed));
  }
}

/** Opens one stream record by record, checking order, the last-record delimiter and padding. */
export class RecordOpener {
  #sequence = 0;
  #finished = false;

  /** @param {CryptoKey} key @param {Uint8Array} nonce @param {number} recordSize @param {Uint8Array} salt @param {Uint8Array} keyid @param {Crypto} crypto */
  constructor(key, nonce, recordSize, salt, keyid, crypto) {
    this.key = key;
    this.nonce = nonce;
    this.recordSize = recordSize;
    this.salt = salt;
    this.keyid = keyid;
    this.crypto = crypto;
  }

  /**
   * Reads a stream's header (the first 21 + idlen bytes).
   * @param {Uint8Array} bytes at least the whole header
   * @returns {{ salt: Uint8Array, recordSize: number, keyid: Uint8Array, length: number }}
   */
  static parseHeader(bytes) {
    if (bytes.length < HEADER_BYTES) throw new DamagedError("the stream is shorter than its header");
    const recordSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(16);
    const length = HEADER_BYTES + bytes[20];
    if (bytes.length < length) throw new DamagedError("the stream is shorter than its header");
    if (recordSize < 18) throw new DamagedError("record size below 18");
    return { salt: bytes.slice(0, 16), recordSize, keyid: bytes.slice(21, length), length };
  }

  /**
   * @param {Uint8Array} ikm
   * @param {Uint8Array} header the stream's header bytes
   * @param {{ maxRecordSize?: number, crypto?: Crypto }} [options] maxRecordSize bounds memory
   */
  static async create(ikm, header, { maxRecordSize = DROP_RECORD_SIZE, crypto = globalThis.crypto } = {}) {
    const parsed = RecordOpener.parseHeader(header);
    if (parsed.recordSize > maxRecordSize) throw new DamagedError(`record size ${parsed.recordSize} above ${maxRecordSize}`);
    const { key, nonce } = await streamKeys(ikm, parsed.salt, crypto);
    return new RecordOpener(key, nonce, parsed.recordSize, parsed.salt, parsed.keyid, crypto);
  }

  /**
   * Continues at record `sequence` (from 0): a resumed download opens from the first record it
   * does not have yet.
   * @param {number} sequence
   */
  skipTo(sequence) {
    if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError("bad record number");
    this.#sequence = sequence;
    this.#finished = false;
  }

  /** Whether the last record has been opened. */
  get finished() {
    return this.#finished;
  }

  /**
   * Opens the next record; `last` says whether the stream ends after it (the caller knows from
   * the stream's length). Returns the record's plaintext.
   * @param {Uint8Array} record
   * @param {boolean} last
   */
  async open(record, last) {
    if (this.#finished) throw new DamagedError("data after the last record");
    if (record.length <= TAG_BYTES || record.length > this.recordSize || (!last && record.length !== this.recordSize)) {
      throw new DamagedError("a record of the wrong size");
    }
    const iv = recordNonce(this.nonce, this.#sequence++);
    let padded;
    try {
      padded = new Uint8Array(await this.crypto.subtle.decrypt({ name: "AES-GCM", iv }, this.key, record));
    } catch {
      throw new DamagedError(`record ${this.#sequence - 1} does not decrypt`);
    }
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (end < 0) throw new DamagedError("a record without a delimiter");
    const delimiter = padded[end];
    if (delimiter === 2 && !last) throw new DamagedError("data after the last record");
    if (delimiter === 1 && last) throw new DamagedError("the stream is truncated");
    if (delimiter !== 1 && delimiter !== 2) throw new DamagedError("a bad record delimiter");
    // Only the last record sets it: records opened together may settle in any order (node's
    // WebCrypto runs them on a thread pool), and an earlier one settling after must not clear it.
    if (last) this.#finished = true;
    return padded.subarray(0, end);
  }
}

/**
 * Encodes a whole (small) plaintext: header and records, concatenated. Streams use
 * {@link RecordSealer} directly.
 * @param {Uint8Array} ikm @param {Uint8Array} salt @param {Uint8Array} plaintext
 * @param {Parameters<typeof RecordSealer.create>[2]} [options]
 */
export async function encodeAll(ikm, salt, plaintext, options) {
  const sealer = await RecordSealer.create(ikm, salt, options);
  const per = sealer.plaintextPerRecord;
  const count = Math.max(1, Math.ceil(plaintext.length / per));
  const parts = [sealer.header];
  for (let index = 0; index < count; index++) {
    parts.push(await sealer.seal(plaintext.subarray(index * per, (index + 1) * per), index === count - 1));
  }
  return concatBytes(...parts);
}

/**
 * Decodes a whole (small) stream. Returns the plaintext and the header's salt.
 * @param {Uint8Array} ikm @param {Uint8Array} encoded
 * @param {Parameters<typeof RecordOpener.create>[2]} [options]
 */
export async function decodeAll(ikm, encoded, options) {
  const header = RecordOpener.parseHeader(encoded);
  const opener = await RecordOpener.create(ikm, encoded.subarray(0, header.length), options);
  const parts = [];
  let at = header.length;
  if (at === encoded.length) throw new DamagedError("the stream has no records");
  while (at < encoded.length) {
    const record = encoded.subarray(at, Math.min(encoded.length, at + opener.recordSize));
    at += record.length;
    parts.push(await opener.open(record, at === encoded.length));
  }
  return { plaintext: concatBytes(...parts), salt: header.salt };
}
