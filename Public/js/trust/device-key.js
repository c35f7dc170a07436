/**
 * This browser's device identity: a DeviceID (128 random bits) and a non-extractable ECDSA P-256
 * key pair. The private key never leaves WebCrypto — not even to IndexedDB as bytes: IndexedDB
 * stores the `CryptoKey` object itself (structured clone keeps it non-extractable), so script on
 * the page can sign with it but nobody can copy it out. The public half is registered with the
 * server (`PUT /api/v1/devices/{id}`, SPKI in base64url), which lists it with the device's peers.
 *
 * The key store is injected: {@link createIndexedDbKeyStore} in the page, a Map in tests.
 *
 * @module trust/device-key
 */

import { fromBase64Url, randomId, toBase64Url } from "./encoding.js";

const ECDSA = { name: "ECDSA", namedCurve: "P-256" };
const SIGN = { name: "ECDSA", hash: "SHA-256" };
/** Where the identity lives in the key store. */
export const IDENTITY_KEY = "device";

/**
 * @typedef {object} DeviceIdentity
 * @property {string} deviceId 22 base64url characters
 * @property {CryptoKey} privateKey ECDSA P-256, non-extractable, usage "sign"
 * @property {CryptoKey} publicKey
 * @property {string} publicKeySpki SPKI, base64url: what the server lists for this device
 */

/**
 * A place for structured-cloneable values (CryptoKeys included).
 * @typedef {object} KeyStore
 * @property {(key: string) => Promise<any>} get
 * @property {(key: string, value: any) => Promise<void>} put
 */

/**
 * Makes a new identity (not stored).
 * @param {Crypto} [crypto]
 * @returns {Promise<DeviceIdentity>}
 */
export async function createDeviceIdentity(crypto = globalThis.crypto) {
  const pair = /** @type {CryptoKeyPair} */ (await crypto.subtle.generateKey(ECDSA, false, ["sign", "verify"]));
  const spki = await crypto.subtle.exportKey("spki", pair.publicKey); // the public half is always exportable
  return {
    deviceId: randomId(16, crypto),
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicKeySpki: toBase64Url(new Uint8Array(spki)),
  };
}

/**
 * The stored identity, or a new one that is then stored. A stored value of the wrong shape (an
 * older format, a damaged store) is replaced: a new key is a new device, which the server and
 * peers handle, while a broken key would fail every signature.
 * @param {KeyStore} store
 * @param {Crypto} [crypto]
 * @returns {Promise<DeviceIdentity>}
 */
export async function loadOrCreateDeviceIdentity(store, crypto = globalThis.crypto) {
  const stored = await store.get(IDENTITY_KEY);
  if (
    stored &&
    typeof stored.deviceId === "string" &&
    typeof stored.publicKeySpki === "string" &&
    stored.privateKey?.type === "private" &&
    stored.publicKey?.type === "public"
  ) {
    return stored;
  }
  const identity = await createDeviceIdentity(crypto);
  await store.put(IDENTITY_KEY, identity);
  return identity;
}

/**
 * Registers (or renames) the device with the server. A 409 `device-key-changed` means the server
 * knows this id with another key — this browser's store was reset or copied; the caller should
 * make a new identity.
 * @param {{ request: (method: string, path: string, options?: { body?: unknown }) => Promise<any> }} api
 * @param {DeviceIdentity} identity
 * @param {string} name the device's display name (1–64 characters)
 */
export function registerDevice(api, identity, name) {
  return api.request("PUT", `/devices/${encodeURIComponent(identity.deviceId)}`, {
    body: { name, publicKey: identity.publicKeySpki },
  });
}

/**
 * Imports a peer's listed public key for verifying.
 * @param {string} spki base64url SubjectPublicKeyInfo
 * @param {Crypto} [crypto]
 * @returns {Promise<CryptoKey>}
 */
export function importDevicePublicKey(spki, crypto = globalThis.crypto) {
  return crypto.subtle.importKey("spki", fromBase64Url(spki), ECDSA, true, ["verify"]);
}

/**
 * @param {CryptoKey} privateKey
 * @param {Uint8Array} bytes
 * @param {Crypto} [crypto]
 * @returns {Promise<Uint8Array>} the 64-byte IEEE P1363 signature (r ‖ s)
 */
export async function signBytes(privateKey, bytes, crypto = globalThis.crypto) {
  return new Uint8Array(await crypto.subtle.sign(SIGN, privateKey, bytes));
}

/**
 * @param {CryptoKey} publicKey
 * @param {Uint8Array} signature
 * @param {Uint8Array} bytes
 * @param {Crypto} [crypto]
 */
export function verifyBytes(publicKey, signature, bytes, crypto = globalThis.crypto) {
  return crypto.subtle.verify(SIGN, publicKey, signature, bytes);
}

/**
 * The key store over IndexedDB (database "ferry-keys", store "keys"). Browser only.
 * @param {IDBFactory} [indexedDB]
 * @returns {KeyStore}
 */
export function createIndexedDbKeyStore(indexedDB = globalThis.indexedDB) {
  /** @type {Promise<IDBDatabase> | null} */
  let opening = null;
  const open = () =>
    (opening ??= new Promise((resolve, reject) => {
      const request = indexedDB.open("ferry-keys", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("keys");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }));
  /**
   * @param {IDBTransactionMode} mode
   * @param {(store: IDBObjectStore) => IDBRequest} run
   */
  const call = async (mode, run) => {
    const db = await open();
    return new Promise((resolve, reject) => {
      const request = run(db.transaction("keys", mode).objectStore("keys"));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  };
  return {
    get: (key) => call("readonly", (store) => store.get(key)),
    put: async (key, value) => {
      await call("readwrite", (store) => store.put(value, key));
    },
  };
}
