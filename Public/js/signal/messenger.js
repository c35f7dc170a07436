/**
 * The end-to-end layer over the signalling socket: signed, sealed messages between this device
 * and a peer (a tab), checked against the key the server listed for that peer.
 *
 * For each peer it runs a key session (relay/key-agreement.js): the first message to a peer sends
 * a signed `key` envelope with a fresh ECDH share and waits for the peer's signed `key` reply;
 * later envelopes are sealed under the derived keys (trust/envelope.js). If both sides start a
 * session at once, the one with the lower `sid` wins and the other side answers it, so both end up
 * with one session without another round.
 *
 * Incoming `signal` messages from peers the presence does not list, with a bad signature, a
 * wrong sender or recipient device, a stale timestamp, a replayed nonce or a seal that does not
 * open are dropped and reported as "rejected" (never as messages).
 *
 * Events: "message" {peerId, peer, kind, sid, body}, "rejected" {peerId, code, message}.
 *
 * @module signal/messenger
 */

import { Emitter } from "../emitter.js";
import { createKeyShare, deriveSession } from "../relay/key-agreement.js";
import { importDevicePublicKey } from "../trust/device-key.js";
import { randomId } from "../trust/encoding.js";
import { EnvelopeError, ReplayGuard, openEnvelope, sealEnvelope } from "../trust/envelope.js";

/** @typedef {import("../relay/key-agreement.js").Session} Session */
/** @typedef {import("./presence.js").Peer} Peer */

/**
 * What the messenger needs of the signal client.
 * @typedef {object} SignalLike
 * @property {{ peers: Record<string, Peer> }} presence
 * @property {(to: string, data: Record<string, unknown>) => string | null} signal
 * @property {(type: string, listener: (value: any) => void) => () => void} on
 */

/**
 * @typedef {object} PeerSessions
 * @property {Session | null} current
 * @property {Map<string, Session>} bySid recent sessions, for messages still in flight
 * @property {Promise<void>} sending sends to this peer, one after another, in call order
 * @property {{ sid: string, share: import("../relay/key-agreement.js").KeyShare, promise: Promise<Session>, resolve: (s: Session) => void, reject: (e: Error) => void, timer: any } | null} offering
 */

export class Messenger extends Emitter {
  /** @type {Map<string, PeerSessions>} */
  #peers = new Map();
  /** @type {Map<string, Promise<CryptoKey>>} */
  #keys = new Map();

  /**
   * @param {object} options
   * @param {SignalLike} options.signal
   * @param {import("../trust/device-key.js").DeviceIdentity} options.identity
   * @param {ReplayGuard} [options.replay]
   * @param {Crypto} [options.crypto]
   * @param {() => number} [options.now]
   * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} [options.timers]
   * @param {number} [options.keyTimeoutMs]
   */
  constructor({ signal, identity, replay = new ReplayGuard(), crypto = globalThis.crypto, now = Date.now, timers = globalThis, keyTimeoutMs = 15_000 }) {
    super();
    this.signal = signal;
    this.identity = identity;
    this.replay = replay;
    this.crypto = crypto;
    this.now = now;
    this.timers = timers;
    this.keyTimeoutMs = keyTimeoutMs;
    /** @type {Promise<void>} */
    this.incoming = Promise.resolve();
    signal.on("signal", ({ from, data }) => {
      // One at a time, in arrival order: a key reply must be handled before what follows it.
      this.incoming = this.incoming.then(() => this.#receive(from, data));
    });
  }

  /** @param {string} peerId */
  #state(peerId) {
    let state = this.#peers.get(peerId);
    if (!state) this.#peers.set(peerId, (state = { current: null, bySid: new Map(), offering: null, sending: Promise.resolve() }));
    return state;
  }

  /** @param {string} spki */
  #publicKey(spki) {
    let key = this.#keys.get(spki);
    if (!key) {
      key = importDevicePublicKey(spki, this.crypto);
      this.#keys.set(spki, key);
      key.catch(() => this.#keys.delete(spki));
    }
    return key;
  }

  /** @param {string} peerId */
  #peer(peerId) {
    const peer = this.signal.presence.peers[peerId];
    if (!peer) throw Object.assign(new Error("the peer is not online"), { code: "unknown-peer" });
    return peer;
  }

  /**
   * @param {PeerSessions} state
   * @param {Session} session
   */
  #install(state, session) {
    state.current = session;
    state.bySid.set(session.sid, session);
    while (state.bySid.size > 4) state.bySid.delete(/** @type {string} */ (state.bySid.keys().next().value));
  }

  /**
   * The session with a peer, made when there is none.
   * @param {string} peerId
   * @returns {Promise<Session>}
   */
  async session(peerId) {
    const state = this.#state(peerId);
    if (state.current) return state.current;
    if (state.offering) return state.offering.promise;
    const peer = this.#peer(peerId);
    const share = await createKeyShare(this.crypto);
    if (state.current) return state.current;
    if (state.offering) return /** @type {NonNullable<PeerSessions["offering"]>} */ (state.offering).promise;
    const sid = randomId(16, this.crypto);
    /** @type {(s: Session) => void} */
    let resolve = () => {};
    /** @type {(e: Error) => void} */
    let reject = () => {};
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    const timer = this.timers.setTimeout(() => {
      if (state.offering?.sid !== sid) return;
      state.offering = null;
      reject(Object.assign(new Error("the peer did not answer the key exchange"), { code: "key-timeout" }));
    }, this.keyTimeoutMs);
    state.offering = { sid, share, promise, resolve, reject, timer };
    try {
      await this.#sendEnvelope(peerId, peer, "key", sid, { ecdh: share.publicKey }, undefined);
    } catch (error) {
      // Not sent (offline): give up at once rather than let every waiting send time out.
      if (state.offering?.sid === sid) {
        this.timers.clearTimeout(timer);
        state.offering = null;
        reject(/** @type {Error} */ (error));
      }
    }
    return promise;
  }

  /**
   * Sends one sealed message to a peer.
   * @param {string} peerId
   * @param {typeof import("../trust/envelope.js").KINDS[number]} kind not "key"
   * @param {Record<string, unknown>} body
   */
  send(peerId, kind, body) {
    const state = this.#state(peerId);
    // In call order: an ICE candidate must not overtake the SDP it belongs to.
    const sent = state.sending.then(async () => {
      const session = await this.session(peerId);
      await this.#sendEnvelope(peerId, this.#peer(peerId), kind, session.sid, body, session.sealKey);
    });
    state.sending = sent.catch(() => {});
    return sent;
  }

  /**
   * @param {string} peerId
   * @param {Peer} peer
   * @param {typeof import("../trust/envelope.js").KINDS[number]} kind
   * @param {string} sid
   * @param {Record<string, unknown>} body
   * @param {CryptoKey | undefined} sealKey
   */
  async #sendEnvelope(peerId, peer, kind, sid, body, sealKey) {
    const envelope = await sealEnvelope({ identity: this.identity, to: peer.device.id, kind, sid, body, sealKey, now: this.now(), crypto: this.crypto });
    if (this.signal.signal(peerId, envelope) === null) {
      throw Object.assign(new Error("not connected to the server"), { code: "offline" });
    }
  }

  /**
   * @param {string} peerId
   * @param {unknown} data
   */
  async #receive(peerId, data) {
    const peer = this.signal.presence.peers[peerId];
    if (!peer) return this.emit("rejected", { peerId, code: "unknown-peer", message: "a signal from a peer not listed" });
    const state = this.#state(peerId);
    let envelope;
    try {
      envelope = await openEnvelope(data, {
        self: this.identity.deviceId,
        expectFrom: peer.device.id,
        publicKey: await this.#publicKey(peer.device.publicKey),
        replay: this.replay,
        openKey: (sid) => state.bySid.get(sid)?.openKey,
        now: this.now(),
        crypto: this.crypto,
      });
    } catch (error) {
      const code = error instanceof EnvelopeError ? error.code : "malformed";
      return this.emit("rejected", { peerId, code, message: error instanceof Error ? error.message : String(error) });
    }
    if (envelope.kind !== "key") {
      return this.emit("message", { peerId, peer, kind: envelope.kind, sid: envelope.sid, body: envelope.body });
    }
    const { ecdh, reply } = envelope.body;
    if (typeof ecdh !== "string" || (reply !== undefined && reply !== true)) {
      return this.emit("rejected", { peerId, code: "malformed", message: "bad key message" });
    }
    try {
      const offering = state.offering;
      if (reply) {
        if (!offering || offering.sid !== envelope.sid) return; // an answer to a session given up
        const session = await deriveSession({ mine: offering.share, theirs: ecdh, self: this.identity.deviceId, peer: peer.device.id, sid: envelope.sid, crypto: this.crypto });
        this.timers.clearTimeout(offering.timer);
        state.offering = null;
        this.#install(state, session);
        offering.resolve(session);
        return;
      }
      // The peer starts a session. If we started one too, the lower sid wins.
      if (offering && offering.sid < envelope.sid) return;
      const share = await createKeyShare(this.crypto);
      const session = await deriveSession({ mine: share, theirs: ecdh, self: this.identity.deviceId, peer: peer.device.id, sid: envelope.sid, crypto: this.crypto });
      this.#install(state, session);
      await this.#sendEnvelope(peerId, peer, "key", envelope.sid, { ecdh: share.publicKey, reply: true }, undefined);
      if (offering && state.offering === offering) {
        this.timers.clearTimeout(offering.timer);
        state.offering = null;
        offering.resolve(session);
      }
    } catch (error) {
      this.emit("rejected", { peerId, code: "bad-key", message: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Forgets every session (the socket reconnected: peer ids are new on both sides). */
  forgetAll() {
    for (const peerId of [...this.#peers.keys()]) this.forget(peerId);
  }

  /** Forgets a peer's sessions (it left). @param {string} peerId */
  forget(peerId) {
    const state = this.#peers.get(peerId);
    if (state?.offering) {
      this.timers.clearTimeout(state.offering.timer);
      state.offering.reject(Object.assign(new Error("the peer left"), { code: "unknown-peer" }));
    }
    this.#peers.delete(peerId);
  }
}
