/**
 * The signalling socket client (docs/SIGNALLING.md): one WebSocket per tab to
 * `/api/v1/signal` with subprotocol `ferry-signal.1`, `hello` → `welcome`, presence kept with
 * signal/presence.js, `signal` messages and relay frames passed on as events, and reconnection
 * with exponential backoff and jitter.
 *
 * Reconnecting: any close this side did not ask for schedules a new attempt after
 * `min(maxMs, baseMs · 2^attempt)`, of which a random half is jitter (so a server restart is not
 * met by every tab at the same instant); a `welcome` resets the count. A close with code 1008
 * and reason `identity` (signed out, device removed, membership ended) or `pairing …` (a guest's
 * pass is over: `pairing ended`, `pairing ended by member`, `pairing expired`, `pairing revoked`)
 * does not reconnect: the client ends with the "ended" event {reason}, and the page should
 * re-check the session (or tell the guest why and ask for a new code). A socket that
 * opens but gets no `welcome` within `welcomeTimeoutMs` is closed and retried.
 *
 * Events: "state" {state}, "welcome" {you, limits}, "presence" (Presence), "signal" {from, data},
 * "relay-opened" {relay, peer}, "relay-closed" {relay, reason}, "relay-frame" {relay, payload},
 * "server-error" {code, message, ref}, "disconnected", "ended" {reason}.
 *
 * @module signal/socket
 */

import { Emitter } from "../emitter.js";
import { relayIdBytes, relayIdFromBytes } from "../relay/frames.js";
import { applyPresence, emptyPresence } from "./presence.js";

export const SUBPROTOCOL = "ferry-signal.1";
export const SIGNAL_PATH = "/api/v1/signal";
/** Whether a close reason (with 1008) means reconnecting cannot succeed. @param {string} reason */
const endsForGood = (reason) => reason === "identity" || reason.startsWith("pairing ");
const PRESENCE_TYPES = new Set(["welcome", "peer-joined", "peer-left", "peer-updated", "room-joined", "room-left"]);

/**
 * The socket URL for a page at `location` (ws: for http:, wss: for https:).
 * @param {{ protocol: string, host: string }} location
 */
export function signalUrl(location) {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${SIGNAL_PATH}`;
}

/**
 * The delay before reconnect attempt `attempt` (0-based).
 * @param {number} attempt
 * @param {{ baseMs: number, maxMs: number }} backoff
 * @param {() => number} random in [0, 1)
 */
export function backoffDelay(attempt, { baseMs, maxMs }, random) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** @typedef {"idle" | "connecting" | "ready" | "waiting" | "ended" | "stopped"} SignalState */

export class SignalClient extends Emitter {
  /** @type {SignalState} */
  state = "idle";
  presence = emptyPresence();
  /** @type {{ maxMessageBytes: number, maxRelayFrameBytes: number } | null} */
  limits = null;
  /** @type {WebSocket | null} */
  #socket = null;
  #attempt = 0;
  /** @type {any} */
  #timer = null;
  #refs = 0;

  /**
   * @param {object} options
   * @param {string} options.url
   * @param {string} options.deviceId
   * @param {typeof WebSocket} [options.WebSocket]
   * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} [options.timers]
   * @param {() => number} [options.random]
   * @param {{ baseMs: number, maxMs: number }} [options.backoff]
   * @param {number} [options.welcomeTimeoutMs]
   */
  constructor({ url, deviceId, WebSocket = globalThis.WebSocket, timers = globalThis, random = Math.random, backoff = { baseMs: 1000, maxMs: 30_000 }, welcomeTimeoutMs = 15_000 }) {
    super();
    this.url = url;
    this.deviceId = deviceId;
    this.WebSocket = WebSocket;
    this.timers = timers;
    this.random = random;
    this.backoff = backoff;
    this.welcomeTimeoutMs = welcomeTimeoutMs;
  }

  /** Connects (once; reconnects by itself afterwards). */
  start() {
    if (this.state === "idle" || this.state === "stopped") this.#connect();
  }

  /**
   * Ends for good without the server saying so: the owner learnt otherwise that this tab's
   * identity is gone (a handshake refused with 401 looks like any failed connection from script).
   * Only while waiting to reconnect.
   * @param {string} reason
   */
  end(reason) {
    if (this.state !== "waiting") return;
    this.#clearTimer();
    this.#setState("ended");
    this.emit("ended", { reason });
  }

  /** Closes for good (until {@link start}). */
  stop() {
    this.#clearTimer();
    this.#setState("stopped");
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, "bye");
    this.#lost();
  }

  /** @param {SignalState} state */
  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", { state });
  }

  #clearTimer() {
    if (this.#timer !== null) this.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #connect() {
    this.#clearTimer();
    this.#setState("connecting");
    let socket;
    try {
      socket = new this.WebSocket(this.url, SUBPROTOCOL);
    } catch (error) {
      this.emit("server-error", { code: "connect", message: String(error) });
      return this.#scheduleReconnect();
    }
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    socket.addEventListener("open", () => {
      if (this.#socket !== socket) return;
      socket.send(JSON.stringify({ type: "hello", v: 1, device: this.deviceId }));
      this.#timer = this.timers.setTimeout(() => {
        this.#timer = null;
        if (this.#socket === socket && this.state !== "ready") socket.close(4000, "no welcome");
      }, this.welcomeTimeoutMs);
    });
    socket.addEventListener("message", (event) => {
      if (this.#socket === socket) this.#onMessage(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#clearTimer();
      this.#lost();
      if (event.code === 1008 && endsForGood(event.reason)) {
        this.#setState("ended");
        this.emit("ended", { reason: event.reason });
        return;
      }
      this.#scheduleReconnect();
    });
    // "error" is always followed by "close", which does the work.
  }

  /** The socket is gone: nobody is known to be online, and relays over it are over. */
  #lost() {
    if (Object.keys(this.presence.peers).length > 0 || this.presence.you) {
      this.presence = emptyPresence();
      this.emit("presence", this.presence);
    }
    this.limits = null;
    this.emit("disconnected");
  }

  #scheduleReconnect() {
    if (this.state === "stopped" || this.state === "ended") return;
    this.#setState("waiting");
    const delay = backoffDelay(this.#attempt++, this.backoff, this.random);
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, delay);
  }

  /** @param {unknown} data */
  #onMessage(data) {
    if (typeof data !== "string") {
      const bytes = new Uint8Array(/** @type {ArrayBuffer} */ (data));
      if (bytes.length < 8) return;
      this.emit("relay-frame", { relay: relayIdFromBytes(bytes), payload: bytes.subarray(8) });
      return;
    }
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return; // the server speaks JSON; anything else is ignored rather than trusted
    }
    if (typeof message !== "object" || message === null || typeof message.type !== "string") return;
    if (PRESENCE_TYPES.has(message.type)) {
      if (message.type === "welcome") {
        this.#clearTimer();
        this.#attempt = 0;
        this.limits = message.limits ?? null;
        this.#setState("ready");
        this.emit("welcome", { you: message.you, limits: this.limits });
      }
      this.presence = applyPresence(this.presence, message);
      this.emit("presence", this.presence);
      return;
    }
    switch (message.type) {
      case "signal":
        if (typeof message.from === "string" && typeof message.data === "object" && message.data !== null) {
          this.emit("signal", { from: message.from, data: message.data });
        }
        return;
      case "relay-opened":
        return this.emit("relay-opened", { relay: message.relay, peer: message.peer });
      case "relay-closed":
        return this.emit("relay-closed", { relay: message.relay, reason: message.reason });
      case "error":
        return this.emit("server-error", { code: message.code, message: message.message, ref: message.ref });
      default:
        return; // a newer server's message this client does not know
    }
  }

  /**
   * Sends one message when connected and welcomed.
   * @param {Record<string, unknown>} message
   * @returns {string | null} the `ref` it carries (for matching an `error`), or null when not sent
   */
  send(message) {
    if (this.state !== "ready" || !this.#socket) return null;
    const ref = `r${++this.#refs}`;
    this.#socket.send(JSON.stringify({ ...message, ref }));
    return ref;
  }

  /** @param {string} to PeerID @param {Record<string, unknown>} data */
  signal(to, data) {
    return this.send({ type: "signal", to, data });
  }

  /** @param {string} to @param {string} relay */
  openRelay(to, relay) {
    return this.send({ type: "relay-open", to, relay });
  }

  /** @param {string} relay */
  closeRelay(relay) {
    return this.send({ type: "relay-close", relay });
  }

  /**
   * @param {string} relay
   * @param {Uint8Array} payload
   * @returns {boolean} false when not connected
   */
  sendRelayFrame(relay, payload) {
    if (this.state !== "ready" || !this.#socket) return false;
    const frame = new Uint8Array(8 + payload.length);
    frame.set(relayIdBytes(relay));
    frame.set(payload, 8);
    this.#socket.send(frame);
    return true;
  }

  /** The socket's queued bytes (relay flow control). */
  get bufferedAmount() {
    return this.#socket?.bufferedAmount ?? 0;
  }
}
