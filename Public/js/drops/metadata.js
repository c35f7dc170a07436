/**
 * The sealed metadata of a drop (docs/DROPS.md, "Metadata"): JSON, length-prefixed, zero-padded
 * to a power of two of at least 1 KiB, sealed with AES-128-GCM under the metadata key.
 *
 * @module drops/metadata
 */

import { DamagedError } from "./ece.js";

const AAD = new TextEncoder().encode("ferry-drop/v1 metadata");
export const NONCE_BYTES = 12;
/** The largest metadata plaintext a reader accepts (names, text and thumbnails). */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;

/** The padded size for a JSON body of `length` bytes. @param {number} length */
export function paddedSize(length) {
  let size = 1024;
  while (size < 4 + length) size *= 2;
  return size;
}

/**
 * @param {Uint8Array} key 16 bytes
 * @param {Record<string, unknown>} document
 * @param {{ nonce?: Uint8Array, crypto?: Crypto }} [options] a fixed nonce only for test vectors
 * @returns {Promise<Uint8Array>} nonce ‖ ciphertext ‖ tag
 */
export async function sealMetadata(key, document, { nonce, crypto = globalThis.crypto } = {}) {
  const body = new TextEncoder().encode(JSON.stringify(document));
  const size = paddedSize(body.length);
  if (size > MAX_METADATA_BYTES) throw new RangeError("the drop's names, text and thumbnails are too large");
  const plaintext = new Uint8Array(size);
  new DataView(plaintext.buffer).setUint32(0, body.length);
  plaintext.set(body, 4);
  const iv = nonce ?? crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const aes = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: AAD }, aes, plaintext));
  const out = new Uint8Array(NONCE_BYTES + sealed.length);
  out.set(iv);
  out.set(sealed, NONCE_BYTES);
  return out;
}

/**
 * @param {Uint8Array} key
 * @param {Uint8Array} sealed
 * @param {Crypto} [crypto]
 * @returns {Promise<Record<string, any>>}
 * @throws {DamagedError} when anything does not decrypt or add up
 */
export async function openMetadata(key, sealed, crypto = globalThis.crypto) {
  if (sealed.length < NONCE_BYTES + 16 + 1024 || sealed.length > NONCE_BYTES + 16 + MAX_METADATA_BYTES) {
    throw new DamagedError("the metadata has an impossible size");
  }
  const aes = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
  let plaintext;
  try {
    plaintext = new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.subarray(0, NONCE_BYTES), additionalData: AAD }, aes, sealed.subarray(NONCE_BYTES)),
    );
  } catch {
    throw new DamagedError("the metadata does not decrypt (a wrong link or password, or changed bytes)");
  }
  const length = new DataView(plaintext.buffer).getUint32(0);
  if (4 + length > plaintext.length || plaintext.length !== paddedSize(length)) throw new DamagedError("the metadata's length is wrong");
  if (plaintext.subarray(4 + length).some((byte) => byte !== 0)) throw new DamagedError("the metadata's padding is not zero");
  let document;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext.subarray(4, 4 + length)));
  } catch {
    throw new DamagedError("the metadata is not JSON");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document) || document.v !== 1) {
    throw new DamagedError("the metadata is not a version 1 document");
  }
  return document;
}
