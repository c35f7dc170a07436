/**
 * A relay through the signalling server that behaves like an `RTCDataChannel` (the
 * {@link import("../transfer/channel.js").Channel} interface), so the sender and receiver run
 * unchanged whether the path is direct or relayed. Each message is sealed into one relay frame
 * (relay/frames.js) and sent as a binary WebSocket frame.
 *
 * Flow control: `bufferedAmount` is the plaintext still waiting to be sealed plus the socket's
 * own `bufferedAmount`; `bufferedamountlow` fires when that falls to the threshold. A WebSocket
 * has no "buffer low" event, so while the socket holds the excess this polls it.
 *
 * @module relay/transport
 */

import { SEAL_OVERHEAD, createFrameOpener, createFrameSealer } from "./frames.js";

const POLL_MS = 20;

export class RelayChannel {
  /** @type {Map<string, Set<(event: any) => void>>} */
  #listeners = new Map();
  #queuedBytes = 0;
  #above = false;
  /** @type {Promise<void>} */
  #outgoing = Promise.resolve();
  /** @type {Promise<void>} */
  #incoming = Promise.resolve();
  /** @type {any} */
  #poll = null;
  #sealer;
  #opener;
  #sendPayload;
  #socketBuffered;
  #timers;

  /**
   * @param {object} options
   * @param {string} options.relayId
   * @param {{ send: CryptoKey, receive: CryptoKey }} options.keys from `Session#relayKeys`
   * @param {(payload: Uint8Array) => void} options.sendPayload sends one binary frame for this relay
   * @param {() => number} options.socketBufferedAmount the WebSocket's `bufferedAmount`
   * @param {number} options.maxFrameBytes the server's `maxRelayFrameBytes`
   * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} [options.timers]
   * @param {Crypto} [options.crypto]
   */
  constructor({ relayId, keys, sendPayload, socketBufferedAmount, maxFrameBytes, timers = globalThis, crypto = globalThis.crypto }) {
    this.relayId = relayId;
    this.maxMessageSize = maxFrameBytes - SEAL_OVERHEAD;
    this.bufferedAmountLowThreshold = 0;
    /** @type {"connecting" | "open" | "closing" | "closed"} */
    this.readyState = "connecting";
    this.#sealer = createFrameSealer(keys.send, relayId, crypto);
    this.#opener = createFrameOpener(keys.receive, relayId, crypto);
    this.#sendPayload = sendPayload;
    this.#socketBuffered = socketBufferedAmount;
    this.#timers = timers;
  }

  get bufferedAmount() {
    return this.#queuedBytes + this.#socketBuffered();
  }

  /** @param {string} type @param {(event: any) => void} listener */
  addEventListener(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type)?.add(listener);
  }

  /** @param {string} type @param {(event: any) => void} listener */
  removeEventListener(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  /** @param {string} type @param {Record<string, unknown>} [fields] */
  #emit(type, fields = {}) {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) listener({ type, ...fields });
  }

  /** Called when the server says `relay-opened`. */
  markOpen() {
    if (this.readyState !== "connecting") return;
    this.readyState = "open";
    this.#emit("open");
  }

  /** @param {Uint8Array} data */
  send(data) {
    if (this.readyState !== "open") throw new Error("relay channel is not open");
    if (data.length > this.maxMessageSize) throw new RangeError("message larger than maxMessageSize");
    const copy = data.slice(); // the caller may reuse its buffer after send returns, as with a data channel
    this.#queuedBytes += copy.length;
    if (this.bufferedAmount > this.bufferedAmountLowThreshold) this.#above = true;
    this.#outgoing = this.#outgoing.then(async () => {
      if (this.readyState === "closed") return;
      try {
        this.#sendPayload(await this.#sealer.seal(copy));
      } catch (error) {
        this.#fail(error);
      } finally {
        this.#queuedBytes -= copy.length;
        this.#checkLow();
      }
    });
  }

  #checkLow() {
    if (!this.#above || this.readyState !== "open") return;
    if (this.bufferedAmount <= this.bufferedAmountLowThreshold) {
      this.#above = false;
      this.#emit("bufferedamountlow");
    } else if (this.#queuedBytes === 0 && this.#poll === null) {
      this.#poll = this.#timers.setTimeout(() => {
        this.#poll = null;
        this.#checkLow();
      }, POLL_MS);
    }
  }

  /**
   * Hands in one payload that arrived for this relay (the signal client strips the RelayID).
   * Frames are opened strictly one after another, in arrival order.
   * @param {Uint8Array} payload
   */
  receive(payload) {
    this.#incoming = this.#incoming.then(async () => {
      if (this.readyState === "closed") return;
      try {
        const { plain, fin } = await this.#opener.open(payload);
        if (plain.length > 0) this.#emit("message", { data: plain });
        if (fin) this.#finish();
      } catch (error) {
        this.#fail(error);
      }
    });
  }

  /**
   * Called when the server says `relay-closed` (or the socket dropped). A relay that ends
   * without the peer's FIN frame was cut short: that is reported as an error before `close`.
   */
  remoteClosed() {
    this.#incoming = this.#incoming.then(() => {
      if (this.readyState === "closed") return;
      try {
        this.#opener.end();
        this.#finish();
      } catch (error) {
        this.#fail(error);
      }
    });
  }

  /** Sends FIN after everything queued, then closes. */
  close() {
    if (this.readyState === "closed" || this.readyState === "closing") return;
    const wasOpen = this.readyState === "open";
    this.readyState = "closing";
    this.#outgoing = this.#outgoing.then(async () => {
      if (wasOpen) {
        try {
          this.#sendPayload(await this.#sealer.seal(new Uint8Array(0), { fin: true }));
        } catch {
          // closing anyway
        }
      }
      this.#finish();
    });
  }

  /** @returns {Promise<void>} resolves when every queued message was sealed and handed on */
  flushed() {
    return this.#outgoing;
  }

  #finish() {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    if (this.#poll !== null) this.#timers.clearTimeout(this.#poll);
    this.#emit("close");
  }

  /** @param {unknown} error */
  #fail(error) {
    if (this.readyState === "closed") return;
    this.#emit("error", { error });
    this.#finish();
  }
}
