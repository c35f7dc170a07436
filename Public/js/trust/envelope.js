/**
 * The signed envelope every end-to-end message travels in, inside the signalling server's
 * `signal.data` (docs/TRANSFERS.md, "Envelope").
 *
 * ```
 * { v: 1, kind, from, to, sid, ts, nonce, body | sealed, sig }
 * ```
 *
 * - `from`/`to` are DeviceIDs, so a message signed for one device cannot be replayed to another,
 *   and a receiver checks `from` against the device the server listed for the sending peer.
 * - `ts` (ms since the epoch) and `nonce` (16 random bytes) bound replay: a receiver refuses a
 *   message outside the clock window and a nonce it has already seen inside it.
 * - `sid` names the key session (see relay/key-agreement.js). Every kind but `key` is sealed:
 *   `sealed` is AES-GCM of the canonical JSON body, with the header as additional data, so the
 *   server sees neither file names nor SDP — signing alone would not hide them.
 * - `sig` is ECDSA P-256/SHA-256 by the sender's device key over
 *   `"ferry-e2e.1\n" + canonicalJson(envelope without sig)`: the header and the ciphertext.
 *
 * @module trust/envelope
 */

import { signBytes, verifyBytes } from "./device-key.js";
import { ID_PATTERN, canonicalJson, fromBase64Url, isPlainObject, randomId, toBase64Url, utf8 } from "./encoding.js";

export const ENVELOPE_VERSION = 1;
const SIGN_PREFIX = "ferry-e2e.1\n";
const SEAL_PREFIX = "ferry-e2e.1 seal\n";
/** How far a message's clock may be from ours, either way. */
export const DEFAULT_CLOCK_WINDOW_MS = 10 * 60 * 1000;
/** The kinds of docs/TRANSFERS.md; anything else is refused before its signature is checked. */
export const KINDS = /** @type {const} */ ([
  "key",
  "offer",
  "accept",
  "decline",
  "sdp",
  "ice",
  "relay",
  "cancel",
]);
const NONCE_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const HEADER_FIELDS = ["v", "kind", "from", "to", "sid", "ts", "nonce"];

/** Why an envelope was refused. `code` is one of the strings listed in docs/TRANSFERS.md. */
export class EnvelopeError extends Error {
  /**
   * @param {"malformed" | "wrong-sender" | "wrong-recipient" | "stale" | "replayed" | "bad-signature" | "bad-seal" | "no-session"} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "EnvelopeError";
    this.code = code;
  }
}

/**
 * Remembers the nonces seen per sending device for as long as their timestamps stay inside the
 * clock window; older messages are refused by the window itself, so the memory stays bounded.
 */
export class ReplayGuard {
  /** @type {Map<string, Map<string, number>>} */
  #seen = new Map();
  #windowMs;

  /** @param {number} [windowMs] */
  constructor(windowMs = DEFAULT_CLOCK_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /**
   * Records `nonce` from `device` unless it was seen; true when it is new.
   * @param {string} device
   * @param {string} nonce
   * @param {number} ts
   * @param {number} now
   */
  admit(device, nonce, ts, now) {
    let nonces = this.#seen.get(device);
    if (!nonces) this.#seen.set(device, (nonces = new Map()));
    if (nonces.has(nonce)) return false;
    for (const [old, at] of nonces) if (Math.abs(now - at) > this.#windowMs) nonces.delete(old);
    nonces.set(nonce, ts);
    return true;
  }
}

/**
 * @typedef {object} SealKeys
 * @property {CryptoKey} [seal] AES-GCM key for messages this side sends
 * @property {CryptoKey} [open] AES-GCM key for messages this side receives
 */

/**
 * Builds and signs an envelope.
 * @param {object} options
 * @param {{ deviceId: string, privateKey: CryptoKey }} options.identity the sender
 * @param {string} options.to the recipient's DeviceID
 * @param {typeof KINDS[number]} options.kind
 * @param {string} options.sid the key session
 * @param {Record<string, unknown>} options.body
 * @param {CryptoKey} [options.sealKey] required for every kind but `key`
 * @param {number} [options.now]
 * @param {Crypto} [options.crypto]
 */
export async function sealEnvelope({ identity, to, kind, sid, body, sealKey, now = Date.now(), crypto = globalThis.crypto }) {
  if (!KINDS.includes(kind)) throw new TypeError(`unknown kind ${kind}`);
  /** @type {Record<string, any>} */
  const envelope = { v: ENVELOPE_VERSION, kind, from: identity.deviceId, to, sid, ts: now, nonce: randomId(16, crypto) };
  if (kind === "key") {
    envelope.body = body;
  } else {
    if (!sealKey) throw new EnvelopeError("no-session", `a ${kind} message needs a session key`);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const cipher = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: sealData(envelope) },
      sealKey,
      utf8(canonicalJson(body)),
    );
    const sealed = new Uint8Array(12 + cipher.byteLength);
    sealed.set(iv);
    sealed.set(new Uint8Array(cipher), 12);
    envelope.sealed = toBase64Url(sealed);
  }
  envelope.sig = toBase64Url(await signBytes(identity.privateKey, signedData(envelope), crypto));
  return envelope;
}

/**
 * The header fields of an envelope, checked for shape; throws `malformed`.
 * @param {unknown} data
 * @returns {{ v: number, kind: string, from: string, to: string, sid: string, ts: number, nonce: string }}
 */
export function readHeader(data) {
  if (!isPlainObject(data)) throw new EnvelopeError("malformed", "not an object");
  const allowed = new Set([...HEADER_FIELDS, "body", "sealed", "sig"]);
  for (const key of Object.keys(data)) if (!allowed.has(key)) throw new EnvelopeError("malformed", `unknown field ${key}`);
  const { v, kind, from, to, sid, ts, nonce, sig } = data;
  if (v !== ENVELOPE_VERSION) throw new EnvelopeError("malformed", "unsupported version");
  if (!KINDS.includes(kind)) throw new EnvelopeError("malformed", "unknown kind");
  if (!ID_PATTERN.test(from) || !ID_PATTERN.test(to) || !ID_PATTERN.test(sid)) throw new EnvelopeError("malformed", "bad id");
  if (!Number.isSafeInteger(ts) || ts < 0) throw new EnvelopeError("malformed", "bad ts");
  if (typeof nonce !== "string" || !NONCE_PATTERN.test(nonce)) throw new EnvelopeError("malformed", "bad nonce");
  if (typeof sig !== "string" || sig.length !== 86) throw new EnvelopeError("malformed", "bad sig");
  const hasBody = "body" in data;
  const hasSealed = "sealed" in data;
  if (kind === "key" ? !hasBody || hasSealed || !isPlainObject(data.body) : hasBody || typeof data.sealed !== "string") {
    throw new EnvelopeError("malformed", "body or sealed, by kind");
  }
  return { v, kind, from, to, sid, ts, nonce };
}

/**
 * Checks an envelope and returns its body. Order matters: cheap shape checks, then who it is
 * from and for, then the signature, then the clock and replay (so an attacker cannot fill the
 * replay memory with unsigned junk), then the seal.
 *
 * @param {unknown} data `signal.data` as received
 * @param {object} options
 * @param {string} options.self this device's id
 * @param {string} options.expectFrom the DeviceID the server listed for the sending peer
 * @param {CryptoKey} options.publicKey that device's listed key
 * @param {ReplayGuard} options.replay
 * @param {(sid: string) => CryptoKey | undefined} [options.openKey] the receiving key of a session
 * @param {number} [options.now]
 * @param {number} [options.windowMs]
 * @param {Crypto} [options.crypto]
 * @returns {Promise<{ kind: string, sid: string, ts: number, from: string, body: Record<string, any> }>}
 * @throws {EnvelopeError}
 */
export async function openEnvelope(
  data,
  { self, expectFrom, publicKey, replay, openKey, now = Date.now(), windowMs = DEFAULT_CLOCK_WINDOW_MS, crypto = globalThis.crypto },
) {
  const header = readHeader(data);
  const envelope = /** @type {Record<string, any>} */ (data);
  if (header.from !== expectFrom) throw new EnvelopeError("wrong-sender", "signed by another device than the peer's");
  if (header.to !== self) throw new EnvelopeError("wrong-recipient", "meant for another device");
  let signature;
  try {
    signature = fromBase64Url(envelope.sig);
  } catch {
    throw new EnvelopeError("malformed", "bad sig");
  }
  const { sig: _sig, ...unsigned } = envelope;
  let good = false;
  try {
    good = await verifyBytes(publicKey, signature, signedData(unsigned), crypto);
  } catch {
    good = false;
  }
  if (!good) throw new EnvelopeError("bad-signature", "the signature does not match the peer's device key");
  if (Math.abs(now - header.ts) > windowMs) throw new EnvelopeError("stale", "outside the clock window");
  if (!replay.admit(header.from, header.nonce, header.ts, now)) throw new EnvelopeError("replayed", "nonce seen before");
  if (header.kind === "key") return { ...header, body: envelope.body };
  const key = openKey?.(header.sid);
  if (!key) throw new EnvelopeError("no-session", "no key session with this id");
  let plain;
  try {
    const sealed = fromBase64Url(envelope.sealed);
    plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: sealed.subarray(0, 12), additionalData: sealData(header) },
      key,
      sealed.subarray(12),
    );
  } catch {
    throw new EnvelopeError("bad-seal", "the sealed body does not open");
  }
  let body;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plain));
  } catch {
    throw new EnvelopeError("malformed", "sealed body is not JSON");
  }
  if (!isPlainObject(body)) throw new EnvelopeError("malformed", "body is not an object");
  return { ...header, body };
}

/** @param {Record<string, any>} envelope without sig */
function signedData(envelope) {
  return utf8(SIGN_PREFIX + canonicalJson(envelope));
}

/** @param {Record<string, any>} envelope */
function sealData(envelope) {
  /** @type {Record<string, any>} */
  const header = {};
  for (const field of HEADER_FIELDS) header[field] = envelope[field];
  return utf8(SEAL_PREFIX + canonicalJson(header));
}
