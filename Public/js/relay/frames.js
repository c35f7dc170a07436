/**
 * Sealing of relay frames: what one browser sends the other through the server's WebSocket
 * relay when no direct path exists (docs/TRANSFERS.md, "Relay frames").
 *
 * On the wire (after the server's 8-byte RelayID) a payload is
 * ```
 * flags (1) ‖ seq (8, big-endian) ‖ AES-GCM(key, nonce = 0x00000000 ‖ seq, plain, aad) (plain + 16)
 * aad = relayId (8 bytes) ‖ flags ‖ seq
 * ```
 * Keys are per relay and per direction (relay/key-agreement.js), so a counter nonce never repeats
 * under one key. The opener demands `seq` = exactly the next number: a replayed, dropped or
 * reordered frame is an error, not a silent gap. The last frame carries flag FIN; a stream that
 * ends without it was truncated. Every check is fatal: after one failure the opener refuses all
 * further frames, because a relay an attacker has touched carries nothing trustworthy after.
 *
 * @module relay/frames
 */

/** Flag: the sender's last frame on this relay. */
export const FIN = 0x01;
/** Bytes a sealed payload adds to its plaintext: flags, seq and the GCM tag. */
export const SEAL_OVERHEAD = 1 + 8 + 16;
const MAX_SEQ = 2 ** 53 - 1;

/** A relay frame that must not be accepted. */
export class RelayFrameError extends Error {
  /**
   * @param {"replayed" | "reordered" | "forged" | "truncated" | "after-fin" | "short" | "failed"} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "RelayFrameError";
    this.code = code;
  }
}

/**
 * @param {string} relayId 16 lowercase hex characters
 * @returns {Uint8Array} its 8 bytes
 */
export function relayIdBytes(relayId) {
  if (!/^[0-9a-f]{16}$/.test(relayId)) throw new TypeError("a RelayID is 16 lowercase hex characters");
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = parseInt(relayId.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * @param {Uint8Array} bytes at least 8
 * @returns {string}
 */
export function relayIdFromBytes(bytes) {
  let hex = "";
  for (let i = 0; i < 8; i++) hex += bytes[i].toString(16).padStart(2, "0");
  return hex;
}

/**
 * @param {Uint8Array} relay
 * @param {number} flags
 * @param {number} seq
 */
function header(relay, flags, seq) {
  const aad = new Uint8Array(17);
  aad.set(relay);
  aad[8] = flags;
  const view = new DataView(aad.buffer);
  view.setUint32(9, Math.floor(seq / 2 ** 32));
  view.setUint32(13, seq >>> 0);
  return aad;
}

/** @param {Uint8Array} aad */
const nonceOf = (aad) => {
  const nonce = new Uint8Array(12);
  nonce.set(aad.subarray(9, 17), 4);
  return nonce;
};

/**
 * Seals frames for one direction of one relay. Calls must be made in send order; `seal` takes
 * its sequence number synchronously, so overlapping calls still number frames in call order.
 * @param {CryptoKey} key the sending key of this relay
 * @param {string} relayId
 * @param {Crypto} [crypto]
 */
export function createFrameSealer(key, relayId, crypto = globalThis.crypto) {
  const relay = relayIdBytes(relayId);
  let seq = 0;
  let finished = false;
  return {
    /**
     * @param {Uint8Array} plain
     * @param {{ fin?: boolean }} [options]
     * @returns {Promise<Uint8Array>} the payload to put after the RelayID
     */
    async seal(plain, { fin = false } = {}) {
      if (finished) throw new RelayFrameError("after-fin", "the stream was already finished");
      if (seq >= MAX_SEQ) throw new RelayFrameError("failed", "sequence exhausted");
      if (fin) finished = true;
      const aad = header(relay, fin ? FIN : 0, seq++);
      const cipher = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonceOf(aad), additionalData: aad }, key, plain),
      );
      const out = new Uint8Array(9 + cipher.length);
      out.set(aad.subarray(8));
      out.set(cipher, 9);
      return out;
    },
  };
}

/**
 * Opens frames of one direction of one relay, strictly in order.
 * @param {CryptoKey} key the receiving key of this relay
 * @param {string} relayId
 * @param {Crypto} [crypto]
 */
export function createFrameOpener(key, relayId, crypto = globalThis.crypto) {
  const relay = relayIdBytes(relayId);
  let expected = 0;
  let finished = false;
  /** @type {RelayFrameError | null} */
  let failure = null;
  /** @param {RelayFrameError} error */
  const fail = (error) => {
    failure ??= error;
    throw error;
  };
  return {
    /**
     * @param {Uint8Array} payload what followed the RelayID
     * @returns {Promise<{ plain: Uint8Array, fin: boolean }>}
     * @throws {RelayFrameError}
     */
    async open(payload) {
      if (failure) throw failure;
      if (finished) fail(new RelayFrameError("after-fin", "a frame after the last one"));
      if (payload.length < SEAL_OVERHEAD) fail(new RelayFrameError("short", "frame too short"));
      const flags = payload[0];
      const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      const seq = view.getUint32(1) * 2 ** 32 + view.getUint32(5);
      if (seq < expected) fail(new RelayFrameError("replayed", `frame ${seq} again (expected ${expected})`));
      if (seq > expected) fail(new RelayFrameError("reordered", `frame ${seq} before ${expected}`));
      expected++; // taken now, so a second call made before this one's decrypt ends checks the next number
      if (flags & FIN) finished = true;
      const aad = header(relay, flags, seq);
      try {
        const plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: nonceOf(aad), additionalData: aad },
          key,
          payload.subarray(9),
        );
        return { plain: new Uint8Array(plain), fin: (flags & FIN) !== 0 };
      } catch {
        return fail(new RelayFrameError("forged", `frame ${seq} does not open`));
      }
    },
    /**
     * Call when the relay closes: throws `truncated` unless the FIN frame was opened.
     */
    end() {
      if (failure) throw failure;
      if (!finished) fail(new RelayFrameError("truncated", "the relay ended before the last frame"));
    },
    get finished() {
      return finished;
    },
  };
}
