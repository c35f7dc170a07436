/**
 * The code two people compare (read aloud, or scan as a QR code) to be sure each browser holds
 * the other's real device key — the one check a signalling server cannot fake.
 *
 * ```
 * digest = SHA-256("ferry-verify.1" ‖ len(K1) ‖ K1 ‖ len(K2) ‖ K2)    K1 ≤ K2 byte-wise (SPKI bytes)
 * code   = 6 groups of 5 digits; group i = bytes[5i … 5i+4] as a 40-bit number mod 100000
 * ```
 * Sorting makes the code the same on both sides; length prefixes make the split unambiguous.
 * 30 digits (about 99 bits) is long on purpose: a server that wants both sides to see the same
 * code for two keys of its own must find a collision, which at this length costs ~2^50 key
 * generations per attempt pair, not the ~2^10 a 6-digit code would.
 *
 * @module trust/verification-code
 */

import { compareBytes, concatBytes, fromBase64Url, utf8 } from "./encoding.js";

/** @param {number} n */
const u32 = (n) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

/**
 * @param {string} spkiA base64url SPKI of one device key
 * @param {string} spkiB base64url SPKI of the other
 * @param {Crypto} [crypto]
 * @returns {Promise<string>} "12345 67890 …" (six groups)
 */
export async function verificationCode(spkiA, spkiB, crypto = globalThis.crypto) {
  const a = fromBase64Url(spkiA);
  const b = fromBase64Url(spkiB);
  const [first, second] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", concatBytes(utf8("ferry-verify.1"), u32(first.length), first, u32(second.length), second)),
  );
  const groups = [];
  for (let i = 0; i < 6; i++) {
    let value = 0;
    for (let j = 0; j < 5; j++) value = value * 256 + digest[i * 5 + j];
    groups.push(String(value % 100000).padStart(5, "0"));
  }
  return groups.join(" ");
}

/**
 * Compares a typed or scanned code with the expected one, ignoring spaces and dashes.
 * @param {string} typed
 * @param {string} expected
 */
export function codesMatch(typed, expected) {
  const clean = (/** @type {string} */ s) => s.replace(/[\s-]/g, "");
  const a = clean(typed);
  const b = clean(expected);
  if (a.length !== b.length || !/^\d+$/.test(a)) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
