/**
 * Byte helpers shared by the trust, relay and transfer modules: base64url (RFC 4648 §5, no
 * padding), canonical JSON for signing, and constant-shape comparisons.
 *
 * Canonical JSON exists because a signature covers bytes, not objects: both sides must turn the
 * same message into the same bytes whatever order its keys arrived in. Keys are sorted by UTF-16
 * code unit order (what `Array#sort` does), there is no whitespace, and only JSON's own types are
 * allowed (no `undefined`, no NaN or Infinity), so a value that cannot be rebuilt exactly on the
 * other side is refused instead of being signed.
 *
 * @module trust/encoding
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/**
 * @param {Uint8Array | ArrayBuffer} data
 * @returns {string} base64url without padding
 */
export function toBase64Url(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  let out = "";
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63];
  }
  return out;
}

/**
 * Strict base64url decoding: padding, whitespace, the `+/` alphabet and non-zero trailing bits
 * are refused, so one byte string has exactly one text form (a signature over text then means
 * one thing).
 * @param {string} text
 * @returns {Uint8Array}
 * @throws {TypeError} for anything that is not canonical base64url
 */
export function fromBase64Url(text) {
  if (typeof text !== "string" || text.length % 4 === 1) throw new TypeError("not base64url");
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? LOOKUP[code] : -1;
    if (digit < 0) throw new TypeError("not base64url");
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) throw new TypeError("not canonical base64url");
  return out;
}

/**
 * Random bytes from the platform's CSPRNG.
 * @param {number} length
 * @param {Crypto} [crypto]
 */
export function randomBytes(length, crypto = globalThis.crypto) {
  return crypto.getRandomValues(new Uint8Array(length));
}

/**
 * A random identifier: `bytes` random bytes as base64url (16 bytes → the 22 characters of a
 * DeviceID or transfer id).
 * @param {number} [bytes]
 * @param {Crypto} [crypto]
 */
export function randomId(bytes = 16, crypto = globalThis.crypto) {
  return toBase64Url(randomBytes(bytes, crypto));
}

/**
 * @param {unknown} value
 * @returns {string} canonical JSON text
 * @throws {TypeError} for values JSON cannot carry exactly
 */
export function canonicalJson(value) {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonicalJson: non-finite number");
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new TypeError("canonicalJson: not a plain object");
      const keys = Object.keys(value).sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(/** @type {any} */ (value)[key])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
  }
}

const encoder = new TextEncoder();
/** @param {string} text */
export const utf8 = (text) => encoder.encode(text);

/**
 * Concatenates byte arrays.
 * @param {...Uint8Array} parts
 */
export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Byte-wise order, for putting two keys in one agreed order.
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 * @returns {number} negative, zero or positive
 */
export function compareBytes(a, b) {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
export const isPlainObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/** A DeviceID or transfer id: 22 base64url characters (128 bits). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
