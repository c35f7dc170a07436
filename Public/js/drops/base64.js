/**
 * Standard base64 (with padding) of bytes, which tus checksums use; the rest of Ferry uses
 * base64url (trust/encoding.js).
 *
 * @module drops/base64
 */

/** @param {Uint8Array} bytes */
export function toBase64(bytes) {
  let binary = "";
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}
