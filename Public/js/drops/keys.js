/**
 * The keys of a drop, derived from the link's secret and an optional password (docs/DROPS.md,
 * "Keys"): the content IKM of the RFC 8188 streams, the metadata key and the download proof.
 *
 * @module drops/keys
 */

import { hkdf } from "./ece.js";

export const SECRET_BYTES = 16;
/** The fewest PBKDF2 iterations a password drop may use (OWASP 2023, PBKDF2-HMAC-SHA256). */
export const MIN_PASSWORD_ITERATIONS = 600_000;
/** The most a reader accepts, so a hostile drop cannot make a browser spin for minutes. */
export const MAX_PASSWORD_ITERATIONS = 10_000_000;

const encoder = new TextEncoder();
const SALT = encoder.encode("ferry-drop/v1");
const INFO = {
  content: encoder.encode("ferry-drop/v1 content"),
  metadata: encoder.encode("ferry-drop/v1 metadata"),
  proof: encoder.encode("ferry-drop/v1 proof"),
};

/**
 * @typedef {object} PasswordParameters
 * @property {string} password
 * @property {Uint8Array} salt 16 bytes, stored with the drop
 * @property {number} iterations
 */

/**
 * @typedef {object} DropKeys
 * @property {Uint8Array} contentIKM 16 bytes, the IKM of every file's RFC 8188 stream
 * @property {Uint8Array} metadataKey 16 bytes, AES-128-GCM
 * @property {Uint8Array} proofToken 32 bytes, shown to the server to download
 * @property {Uint8Array} proofVerifier SHA-256 of the token, stored by the server
 */

/**
 * @param {Uint8Array} secret the link's secret (16 bytes)
 * @param {PasswordParameters | null} [password]
 * @param {Crypto} [crypto]
 * @returns {Promise<DropKeys>}
 */
export async function deriveDropKeys(secret, password = null, crypto = globalThis.crypto) {
  if (secret.length !== SECRET_BYTES) throw new RangeError(`the secret must be ${SECRET_BYTES} bytes`);
  let ikm = secret;
  if (password) {
    const { iterations, salt } = password;
    if (!Number.isSafeInteger(iterations) || iterations < MIN_PASSWORD_ITERATIONS || iterations > MAX_PASSWORD_ITERATIONS) {
      throw new RangeError(`PBKDF2 iterations must be ${MIN_PASSWORD_ITERATIONS}…${MAX_PASSWORD_ITERATIONS}`);
    }
    const base = await crypto.subtle.importKey("raw", encoder.encode(password.password.normalize("NFC")), "PBKDF2", false, [
      "deriveBits",
    ]);
    const stretched = new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256));
    ikm = new Uint8Array(secret.length + stretched.length);
    ikm.set(secret);
    ikm.set(stretched, secret.length);
  }
  const proofToken = await hkdf(SALT, ikm, INFO.proof, 32, crypto);
  return {
    contentIKM: await hkdf(SALT, ikm, INFO.content, 16, crypto),
    metadataKey: await hkdf(SALT, ikm, INFO.metadata, 16, crypto),
    proofToken,
    proofVerifier: new Uint8Array(await crypto.subtle.digest("SHA-256", proofToken)),
  };
}

/** A new random secret for a drop. @param {Crypto} [crypto] */
export function newSecret(crypto = globalThis.crypto) {
  return crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
}
