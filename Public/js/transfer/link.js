/**
 * Makes the channel one transfer runs on: a WebRTC data channel when both sides have WebRTC and
 * ICE connects within `iceTimeoutMs`, otherwise a relay through the signalling server, sealed
 * end to end (relay/transport.js). The sender is the caller (makes the offer, picks the relay),
 * the receiver the callee. Everything they exchange — SDP (with its DTLS fingerprint), ICE
 * candidates, the relay id — goes through the messenger, so it is signed by the device key and
 * sealed; a server that swapped the fingerprint to sit in the middle would break the signature.
 *
 * Each try has an `attempt` number; messages of an older attempt are ignored, so a late ICE
 * candidate or answer cannot disturb the next try.
 *
 * Events: "channel" {channel, mode: "direct" | "relay"}, "failed" {reason}.
 *
 * @module transfer/link
 */

import { Emitter } from "../emitter.js";
import { RelayChannel } from "../relay/transport.js";
import { randomBytes } from "../trust/encoding.js";
import { wrapDataChannel } from "./channel.js";

/** @typedef {import("./channel.js").Channel} Channel */

export const DEFAULT_ICE_TIMEOUT_MS = 10_000;
/** How long both sides' `relay-open` may take; past it (a refused relay: the server's limits) the try fails. */
export const RELAY_OPEN_TIMEOUT_MS = 20_000;
const FINGERPRINT = /^a=fingerprint:sha-(256|384|512) [0-9A-F]{2}(:[0-9A-F]{2})+\r?$/im;

/**
 * A random RelayID (16 lowercase hex characters).
 * @param {Crypto} [crypto]
 */
export function newRelayId(crypto = globalThis.crypto) {
  return [...randomBytes(8, crypto)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Checks an SDP from a peer before it is used: a description of the expected type whose DTLS
 * certificate fingerprint is present (WebRTC refuses to connect without one; checking here
 * gives a clear error instead of a silent ICE timeout).
 * @param {unknown} description
 * @param {"offer" | "answer"} type
 * @returns {description is { type: string, sdp: string }}
 */
export function isValidDescription(description, type) {
  if (typeof description !== "object" || description === null) return false;
  const { type: kind, sdp } = /** @type {Record<string, unknown>} */ (description);
  return kind === type && typeof sdp === "string" && sdp.length < 60_000 && FINGERPRINT.test(sdp);
}

export class TransferLink extends Emitter {
  attempt = 0;
  /** @type {"direct" | "relay" | null} */
  mode = null;
  /** @type {RTCPeerConnection | null} */
  #pc = null;
  /** @type {Array<RTCIceCandidateInit>} */
  #pendingIce = [];
  /** @type {RelayChannel | null} */
  #relay = null;
  /** @type {any} */
  #timer = null;
  #closed = false;
  #directFailed = false;
  #lastDirect = false;
  /** The caller's data channel of the current attempt opened. */
  #directOpen = false;
  /** @type {Map<number, RTCIceCandidateInit[]>} candidates that came before their attempt's offer */
  #earlyIce = new Map();

  /**
   * @param {object} options
   * @param {"caller" | "callee"} options.role
   * @param {string} options.transferId
   * @param {string} options.peerId
   * @param {{ send: (peerId: string, kind: any, body: Record<string, unknown>) => Promise<void>, session: (peerId: string) => Promise<import("../relay/key-agreement.js").Session> }} options.messenger
   * @param {{ openRelay: (to: string, relay: string) => string | null, closeRelay: (relay: string) => string | null, sendRelayFrame: (relay: string, payload: Uint8Array) => boolean, bufferedAmount: number, limits: { maxRelayFrameBytes: number } | null }} options.signal
   * @param {typeof RTCPeerConnection | null} [options.RTCPeerConnection] null: this side has no WebRTC
   * @param {() => Promise<RTCIceServer[]>} [options.iceServers]
   * @param {boolean} [options.peerHasWebRtc]
   * @param {number} [options.iceTimeoutMs]
   * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} [options.timers]
   * @param {Crypto} [options.crypto]
   */
  constructor({ role, transferId, peerId, messenger, signal, RTCPeerConnection = null, iceServers = async () => [], peerHasWebRtc = true, iceTimeoutMs = DEFAULT_ICE_TIMEOUT_MS, timers = globalThis, crypto = globalThis.crypto }) {
    super();
    this.role = role;
    this.transferId = transferId;
    this.peerId = peerId;
    this.messenger = messenger;
    this.signal = signal;
    this.RTCPeerConnection = RTCPeerConnection;
    this.iceServers = iceServers;
    this.peerHasWebRtc = peerHasWebRtc;
    this.iceTimeoutMs = iceTimeoutMs;
    this.timers = timers;
    this.crypto = crypto;
  }

  /** The relay this link uses now, if any (the façade routes relay frames by it). */
  get relayId() {
    return this.#relay?.relayId ?? null;
  }

  /** Caller: starts (or restarts, after a drop) a connection attempt. */
  async start() {
    if (this.role !== "caller" || this.#closed) return;
    this.#teardown();
    const attempt = ++this.attempt;
    const direct = this.RTCPeerConnection !== null && this.peerHasWebRtc && !this.#directFailed;
    this.#lastDirect = direct;
    try {
      if (direct) await this.#callDirect(attempt);
      else await this.#callRelay(attempt);
    } catch (error) {
      if (attempt === this.attempt) this.#fallBackOrFail(attempt, error);
    }
  }

  /**
   * @param {number} attempt
   * @param {unknown} error
   */
  #fallBackOrFail(attempt, error) {
    if (this.#closed || attempt !== this.attempt) return;
    if (this.#lastDirect && !this.#directFailed) {
      this.#directFailed = true;
      void this.start();
      return;
    }
    this.emit("failed", { reason: error instanceof Error ? error.message : String(error) });
  }

  /** @param {number} attempt */
  async #callDirect(attempt) {
    const pc = new /** @type {typeof RTCPeerConnection} */ (this.RTCPeerConnection)({ iceServers: await this.iceServers() });
    this.#pc = pc;
    const dataChannel = pc.createDataChannel("ferry", { ordered: true });
    this.#watchDirect(pc, dataChannel, attempt);
    this.#trickle(pc, attempt);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const local = /** @type {RTCSessionDescription} */ (pc.localDescription);
    await this.messenger.send(this.peerId, "sdp", { transfer: this.transferId, attempt, description: { type: local.type, sdp: local.sdp } });
  }

  /**
   * Waits for the data channel to open within the ICE timeout; then it is the transfer's channel.
   * @param {RTCPeerConnection} pc
   * @param {RTCDataChannel} dataChannel
   * @param {number} attempt
   */
  #watchDirect(pc, dataChannel, attempt) {
    const channel = wrapDataChannel(dataChannel, pc);
    this.#directOpen = false;
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = null;
      if (!this.#directOpen && attempt === this.attempt) this.#fallBackOrFail(attempt, new Error("ICE did not connect in time"));
    }, this.iceTimeoutMs);
    channel.addEventListener("open", () => {
      if (attempt !== this.attempt) return;
      this.#directOpen = true;
      if (this.#timer !== null) this.timers.clearTimeout(this.#timer);
      this.#timer = null;
      this.mode = "direct";
      this.emit("channel", { channel: /** @type {Channel} */ (/** @type {unknown} */ (channel)), mode: "direct" });
    });
    pc.addEventListener("connectionstatechange", () => {
      if (pc.connectionState === "failed" && !this.#directOpen && attempt === this.attempt) {
        this.#fallBackOrFail(attempt, new Error("ICE failed"));
      }
    });
  }

  /** @param {number} attempt */
  async #callRelay(attempt) {
    const relayId = newRelayId(this.crypto);
    const channel = await this.#makeRelay(relayId, attempt);
    await this.messenger.send(this.peerId, "relay", { transfer: this.transferId, attempt, relay: relayId });
    if (attempt !== this.attempt) return;
    if (this.signal.openRelay(this.peerId, relayId) === null) throw new Error("not connected to the server");
    void channel;
  }

  /**
   * @param {string} relayId
   * @param {number} attempt
   */
  async #makeRelay(relayId, attempt) {
    const session = await this.messenger.session(this.peerId);
    const keys = await session.relayKeys(relayId);
    const channel = new RelayChannel({
      relayId,
      keys,
      sendPayload: (payload) => void this.signal.sendRelayFrame(relayId, payload),
      socketBufferedAmount: () => this.signal.bufferedAmount,
      maxFrameBytes: this.signal.limits?.maxRelayFrameBytes ?? 256 * 1024,
      timers: this.timers,
      crypto: this.crypto,
    });
    const timer = this.timers.setTimeout(() => {
      if (attempt === this.attempt && channel.readyState === "connecting" && !this.#closed) {
        this.emit("failed", { reason: "the server did not open the relay (busy or refused)" });
      }
    }, RELAY_OPEN_TIMEOUT_MS);
    channel.addEventListener("open", () => {
      this.timers.clearTimeout(timer);
      if (attempt !== this.attempt) return;
      this.mode = "relay";
      this.emit("channel", { channel, mode: "relay" });
    });
    channel.addEventListener("close", () => void this.signal.closeRelay(relayId));
    this.#relay = channel;
    return channel;
  }

  /**
   * A message for this transfer from the peer (kinds "sdp", "ice", "relay").
   * @param {string} kind
   * @param {Record<string, any>} body
   */
  async handle(kind, body) {
    if (this.#closed || !Number.isSafeInteger(body.attempt)) return;
    try {
      if (kind === "sdp") await this.#onDescription(body);
      else if (kind === "ice") await this.#onCandidate(body);
      else if (kind === "relay") await this.#onRelay(body);
    } catch (error) {
      if (this.role === "caller") this.#fallBackOrFail(body.attempt, error);
      else this.emit("failed", { reason: error instanceof Error ? error.message : String(error) });
    }
  }

  /** @param {Record<string, any>} body */
  async #onDescription(body) {
    if (this.role === "caller") {
      if (body.attempt !== this.attempt || !this.#pc) return;
      if (!isValidDescription(body.description, "answer")) throw new Error("the peer's answer has no DTLS fingerprint");
      await this.#pc.setRemoteDescription(body.description);
      await this.#flushIce();
      return;
    }
    if (body.attempt <= this.attempt) return;
    if (!this.RTCPeerConnection) throw new Error("this side has no WebRTC");
    if (!isValidDescription(body.description, "offer")) throw new Error("the peer's offer has no DTLS fingerprint");
    this.#teardown();
    this.attempt = body.attempt;
    const attempt = body.attempt;
    this.#pendingIce = this.#earlyIce.get(attempt) ?? [];
    for (const key of [...this.#earlyIce.keys()]) if (key <= attempt) this.#earlyIce.delete(key);
    const pc = new this.RTCPeerConnection({ iceServers: await this.iceServers() });
    this.#pc = pc;
    pc.addEventListener("datachannel", (event) => {
      if (attempt !== this.attempt) return;
      const channel = wrapDataChannel(event.channel, pc);
      const announce = () => {
        this.mode = "direct";
        this.emit("channel", { channel: /** @type {Channel} */ (/** @type {unknown} */ (channel)), mode: "direct" });
      };
      if (channel.readyState === "open") announce();
      else channel.addEventListener("open", announce, { once: true });
    });
    this.#trickle(pc, attempt);
    await pc.setRemoteDescription(body.description);
    await this.#flushIce();
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    const local = /** @type {RTCSessionDescription} */ (pc.localDescription);
    await this.messenger.send(this.peerId, "sdp", { transfer: this.transferId, attempt, description: { type: local.type, sdp: local.sdp } });
  }

  /**
   * Sends this side's ICE candidates of one attempt to the peer as they are gathered. When
   * gathering ends without a single candidate, no direct path can be made whatever the peer has
   * (a browser whose policy allows no UDP and no TURN server, a relay-only policy without one), so
   * the relay need not wait for the ICE timeout: the caller falls back at once, the callee tells
   * the caller (`ice` with `none: true`).
   * @param {RTCPeerConnection} pc
   * @param {number} attempt
   */
  #trickle(pc, attempt) {
    let gathered = 0;
    pc.addEventListener("icecandidate", (event) => {
      if (attempt !== this.attempt) return;
      if (event.candidate) {
        if (event.candidate.candidate) gathered++; // an empty one only ends a generation
        void this.messenger.send(this.peerId, "ice", { transfer: this.transferId, attempt, candidate: event.candidate.toJSON() }).catch(() => {});
      } else if (gathered === 0) {
        this.#noDirectPath(attempt, "this side has no ICE candidates");
      }
    });
  }

  /** @param {number} attempt @param {string} why */
  #noDirectPath(attempt, why) {
    if (attempt !== this.attempt || this.#closed) return;
    if (this.role === "caller") {
      if (this.#lastDirect && !this.#directOpen) this.#fallBackOrFail(attempt, new Error(why));
    } else {
      void this.messenger.send(this.peerId, "ice", { transfer: this.transferId, attempt, none: true }).catch(() => {});
    }
  }

  /** @param {Record<string, any>} body */
  async #onCandidate(body) {
    if (body.none === true) {
      // The callee gathered nothing for this attempt: it cannot be reached directly.
      if (this.role === "caller") this.#noDirectPath(body.attempt, "the peer has no ICE candidates");
      return;
    }
    if (typeof body.candidate !== "object" || body.candidate === null) return;
    if (typeof body.candidate.candidate !== "string" || body.candidate.candidate.length > 1024) return;
    if (this.role === "callee" && body.attempt > this.attempt) {
      // Sent right after the offer, and may overtake it; kept (a few) until the offer comes.
      const early = this.#earlyIce.get(body.attempt) ?? [];
      if (early.length < 64 && this.#earlyIce.size < 4) this.#earlyIce.set(body.attempt, [...early, body.candidate]);
      return;
    }
    if (body.attempt !== this.attempt) return;
    this.#pendingIce.push(body.candidate);
    if (this.#pc?.remoteDescription) await this.#flushIce();
  }

  async #flushIce() {
    const pc = this.#pc;
    if (!pc) return;
    for (const candidate of this.#pendingIce.splice(0)) {
      await pc.addIceCandidate(candidate).catch(() => {}); // one bad candidate does not spoil the others
    }
  }

  /** @param {Record<string, any>} body */
  async #onRelay(body) {
    if (this.role !== "callee" || body.attempt <= this.attempt || typeof body.relay !== "string" || !/^[0-9a-f]{16}$/.test(body.relay)) return;
    this.#teardown();
    this.attempt = body.attempt;
    await this.#makeRelay(body.relay, body.attempt);
    if (this.signal.openRelay(this.peerId, body.relay) === null) throw new Error("not connected to the server");
  }

  /** The server says both sides asked for this relay. @param {string} relayId */
  relayOpened(relayId) {
    if (this.#relay?.relayId === relayId) this.#relay.markOpen();
  }

  /** @param {string} relayId */
  relayClosed(relayId) {
    if (this.#relay?.relayId === relayId) this.#relay.remoteClosed();
  }

  /** @param {string} relayId @param {Uint8Array} payload */
  relayFrame(relayId, payload) {
    if (this.#relay?.relayId === relayId) this.#relay.receive(payload);
  }

  #teardown() {
    if (this.#timer !== null) this.timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#pendingIce = [];
    try {
      this.#pc?.close();
    } catch {
      // already closed
    }
    this.#pc = null;
    this.#relay?.close();
    this.#relay = null;
  }

  close() {
    this.#closed = true;
    this.#teardown();
  }
}
