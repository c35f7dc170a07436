/**
 * Key sessions between two peers (tabs): an ephemeral ECDH P-256 exchange inside signed `key`
 * envelopes, then HKDF-SHA-256 to directional AES-GCM keys. One session seals every later
 * envelope between the two (offer, SDP, ICE, …) and gives each relay its own pair of frame keys.
 *
 * Why ephemeral: the device key only signs (a non-extractable ECDSA key cannot do ECDH), and a
 * fresh ECDH key per session means a device key stolen later opens no recorded traffic.
 *
 * Derivation (docs/TRANSFERS.md, "Keys"):
 * ```
 * ikm  = ECDH(mine, theirs)                                  32 bytes
 * salt = SHA-256("ferry-e2e.1 salt" ‖ sid ‖ min(pubA, pubB) ‖ max(pubA, pubB))
 * dir(A→B)  = A + " " + pubA + ">" + B + " " + pubB
 * msg key   A→B = HKDF(ikm, salt, "ferry-e2e.1 msg " + dir(A→B))
 * relay key A→B = HKDF(ikm, salt, "ferry-e2e.1 relay " + relayId + " " + dir(A→B))
 * ```
 * where A and B are DeviceIDs and pub* the raw (65-byte, uncompressed) ECDH public keys, base64url.
 * Both public keys and both device ids are in the salt or info, so a key made for one pair,
 * session or relay is useless for any other. The direction is named by the ephemeral keys as
 * well as the devices because two tabs of one device share a DeviceID: with device ids alone both
 * directions would get the same key, and the relay's counter nonces would repeat under it.
 *
 * @module relay/key-agreement
 */

import { compareBytes, concatBytes, fromBase64Url, toBase64Url, utf8 } from "../trust/encoding.js";

const ECDH = { name: "ECDH", namedCurve: "P-256" };
const AES = { name: "AES-GCM", length: 256 };

/**
 * @typedef {object} KeyShare this side's half of a session
 * @property {CryptoKey} privateKey
 * @property {string} publicKey raw uncompressed point, base64url (what the `key` message carries)
 */

/**
 * @param {Crypto} [crypto]
 * @returns {Promise<KeyShare>}
 */
export async function createKeyShare(crypto = globalThis.crypto) {
  const pair = /** @type {CryptoKeyPair} */ (await crypto.subtle.generateKey(ECDH, false, ["deriveBits"]));
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: toBase64Url(raw) };
}

/**
 * @typedef {object} Session
 * @property {string} sid
 * @property {CryptoKey} sealKey seals envelopes this side sends
 * @property {CryptoKey} openKey opens envelopes from the peer
 * @property {(relayId: string) => Promise<{ send: CryptoKey, receive: CryptoKey }>} relayKeys
 */

/**
 * Derives the session from this side's share and the peer's public key.
 * @param {object} options
 * @param {KeyShare} options.mine
 * @param {string} options.theirs the peer's raw ECDH public key, base64url
 * @param {string} options.self this DeviceID
 * @param {string} options.peer the peer's DeviceID
 * @param {string} options.sid
 * @param {Crypto} [options.crypto]
 * @returns {Promise<Session>}
 * @throws {Error} when `theirs` is not a valid P-256 point (WebCrypto checks it is on the curve)
 */
export async function deriveSession({ mine, theirs, self, peer, sid, crypto = globalThis.crypto }) {
  const theirRaw = fromBase64Url(theirs);
  if (theirRaw.length !== 65 || theirRaw[0] !== 4) throw new Error("not an uncompressed P-256 point");
  const theirKey = await crypto.subtle.importKey("raw", theirRaw, ECDH, false, []);
  const ikm = await crypto.subtle.deriveBits({ name: "ECDH", public: theirKey }, mine.privateKey, 256);
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveKey"]);
  const myRaw = fromBase64Url(mine.publicKey);
  const [low, high] = compareBytes(myRaw, theirRaw) <= 0 ? [myRaw, theirRaw] : [theirRaw, myRaw];
  const salt = new Uint8Array(await crypto.subtle.digest("SHA-256", concatBytes(utf8("ferry-e2e.1 salt"), utf8(sid), low, high)));
  /** @param {string} info */
  const derive = (info) =>
    crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt, info: utf8(info) }, base, AES, false, ["encrypt", "decrypt"]);
  const out = `${self} ${mine.publicKey}>${peer} ${theirs}`;
  const back = `${peer} ${theirs}>${self} ${mine.publicKey}`;
  if (out === back) throw new Error("both sides used the same ECDH key");
  const [sealKey, openKey] = await Promise.all([derive(`ferry-e2e.1 msg ${out}`), derive(`ferry-e2e.1 msg ${back}`)]);
  return {
    sid,
    sealKey,
    openKey,
    relayKeys: async (relayId) => {
      const [send, receive] = await Promise.all([
        derive(`ferry-e2e.1 relay ${relayId} ${out}`),
        derive(`ferry-e2e.1 relay ${relayId} ${back}`),
      ]);
      return { send, receive };
    },
  };
}
