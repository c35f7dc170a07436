/**
 * The channel a transfer runs over, and the framing of its messages. A transfer does not care
 * whether it runs on an `RTCDataChannel` (direct) or a {@link import("../relay/transport.js").RelayChannel}
 * (relayed through the server, sealed): both look like {@link Channel}.
 *
 * Every message is binary (docs/TRANSFERS.md, "Channel framing"):
 * ```
 * chunk:   0x01 ‖ item index (u32) ‖ offset (u64) ‖ bytes          13-byte header
 * control: 0x02 ‖ UTF-8 JSON object
 * ```
 * Integers are big-endian. Offsets are u64 on the wire and safe integers in JavaScript.
 *
 * @module transfer/channel
 */

/**
 * @typedef {object} Channel
 * @property {(data: Uint8Array) => void} send copies `data` before it returns (as `RTCDataChannel.send`
 *   does), so the caller may reuse its buffer at once
 * @property {number} bufferedAmount bytes accepted by `send` and not yet handed to the network
 * @property {number} bufferedAmountLowThreshold
 * @property {number} maxMessageSize the largest message `send` takes
 * @property {string} readyState "connecting" | "open" | "closing" | "closed"
 * @property {(type: string, listener: (event: any) => void) => void} addEventListener
 *   "open", "message" (event.data: ArrayBuffer | Uint8Array), "bufferedamountlow", "close", "error"
 * @property {(type: string, listener: (event: any) => void) => void} removeEventListener
 * @property {() => void} close
 */

export const CHUNK = 0x01;
export const CONTROL = 0x02;
export const CHUNK_HEADER_BYTES = 13;
/** The largest message we send even when the channel allows more: keeps control messages from waiting behind huge chunks. */
export const MAX_CHUNK_MESSAGE = 256 * 1024;
/** The smallest message size a channel must allow for a transfer to run at all. */
export const MIN_MESSAGE_SIZE = 1024;
/** Longest control message, in bytes. */
export const MAX_CONTROL_BYTES = 16 * 1024;

/**
 * @param {number} index
 * @param {number} offset
 * @param {Uint8Array} bytes
 * @param {Uint8Array} [into] a buffer to frame the chunk in (at its start) instead of a new one, when
 *   it is large enough: the sender reuses one, because filling fresh memory costs far more than
 *   copying into memory already in use (a page fault per 4 KiB; ~1 ms per 256 KiB measured here)
 * @returns {Uint8Array} the message
 */
export function encodeChunk(index, offset, bytes, into) {
  const length = CHUNK_HEADER_BYTES + bytes.length;
  const out = into && into.length >= length ? into.subarray(0, length) : new Uint8Array(length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = CHUNK;
  view.setUint32(1, index);
  view.setUint32(5, Math.floor(offset / 2 ** 32));
  view.setUint32(9, offset >>> 0);
  out.set(bytes, CHUNK_HEADER_BYTES);
  return out;
}

/** @param {Record<string, unknown>} message */
export function encodeControl(message) {
  const json = new TextEncoder().encode(JSON.stringify(message));
  const out = new Uint8Array(1 + json.length);
  out[0] = CONTROL;
  out.set(json, 1);
  return out;
}

/**
 * @typedef {{ type: "chunk", index: number, offset: number, data: Uint8Array }
 *         | { type: "control", message: Record<string, any> }} Frame
 */

/**
 * @param {ArrayBuffer | Uint8Array} data
 * @returns {Frame}
 * @throws {TypeError} for anything else
 */
export function decodeFrame(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length >= CHUNK_HEADER_BYTES && bytes[0] === CHUNK) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const high = view.getUint32(5);
    if (high >= 2 ** 21) throw new TypeError("offset beyond 2^53");
    return { type: "chunk", index: view.getUint32(1), offset: high * 2 ** 32 + view.getUint32(9), data: bytes.subarray(CHUNK_HEADER_BYTES) };
  }
  if (bytes.length >= 3 && bytes[0] === CONTROL && bytes.length <= MAX_CONTROL_BYTES + 1) {
    const message = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(1)));
    if (typeof message !== "object" || message === null || Array.isArray(message) || typeof message.t !== "string") {
      throw new TypeError("control message without t");
    }
    return { type: "control", message };
  }
  throw new TypeError("unknown frame");
}

/**
 * The payload bytes per chunk message on `channel`.
 * @param {{ maxMessageSize: number }} channel
 */
export function chunkPayloadSize(channel) {
  const size = Math.min(Number.isFinite(channel.maxMessageSize) ? channel.maxMessageSize : MAX_CHUNK_MESSAGE, MAX_CHUNK_MESSAGE);
  if (!(size >= MIN_MESSAGE_SIZE)) throw new RangeError(`the channel's message size ${channel.maxMessageSize} is too small`);
  return size - CHUNK_HEADER_BYTES;
}

/**
 * Makes an `RTCDataChannel` a {@link Channel}: binary messages as ArrayBuffer, and the message
 * size from the SCTP transport (`pc.sctp.maxMessageSize`, RFC 8841), which is what the two
 * browsers agreed; 64 KiB when the browser does not tell.
 * @param {RTCDataChannel} dataChannel
 * @param {RTCPeerConnection} peerConnection
 * @returns {Channel}
 */
export function wrapDataChannel(dataChannel, peerConnection) {
  dataChannel.binaryType = "arraybuffer";
  return Object.defineProperties(dataChannel, {
    maxMessageSize: {
      configurable: true,
      get: () => peerConnection.sctp?.maxMessageSize || 64 * 1024,
    },
  });
}

/**
 * Adds event listeners to a channel and returns the functions that remove them again, so a
 * sender or receiver can let go of a channel it no longer uses.
 *
 * @param {{ addEventListener(type: string, listener: (event: any) => void): void,
 *           removeEventListener(type: string, listener: (event: any) => void): void }} channel
 * @param {Record<string, (event: any) => void>} handlers event type → listener
 * @returns {(() => void)[]}
 */
export function listen(channel, handlers) {
  return Object.entries(handlers).map(([type, listener]) => {
    channel.addEventListener(type, listener);
    return () => channel.removeEventListener(type, listener);
  });
}

/**
 * The reason a `cancel` or `failed` message from the other side gives, as this side shows it: the
 * other side's own words when it said something particular, otherwise who it was
 * (`fallback`, e.g. "cancelled by the receiver") — its plain "cancelled" would hide that.
 * @param {unknown} reason
 * @param {string} fallback
 */
export function peerReason(reason, fallback) {
  return typeof reason === "string" && reason !== "" && reason !== "cancelled" ? reason.slice(0, 200) : fallback;
}
