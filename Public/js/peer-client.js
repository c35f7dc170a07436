/**
 * The peer side of browser-to-browser transfers, as one object for the page: who is online,
 * offers in and out, accepting and declining, progress, cancel, and device verification. The
 * page UI (peer list, drag and drop, prompts, transfers panel, pairing screen) is built on this
 * and nothing below it. docs/TRANSFERS.md is the protocol.
 *
 * ```js
 * const client = createBrowserPeerClient({ api: createApi(), deviceName: "Ann's laptop" }); // peer-client-browser.js
 * client.on("peers", (peers) => …);          // PeerView[]: user, device, team/room, keyStatus
 * client.on("offer", (offer) => …);          // IncomingOffer: who and what; answer with accept/decline
 * client.on("offer-withdrawn", ({ offerId, reason }) => …);   // cancelled or expired before an answer: drop the prompt
 * client.on("transfer", (t) => …);           // TransferView: state, mode, done/total, speed, ETA
 * client.on("transfer-done", ({ transfer, text }) => …);
 * client.on("transfer-failed", ({ transfer, reason }) => …);
 * client.on("key-warning", ({ peer, remembered }) => …);   // a device's key changed: show it, loudly
 * client.on("connection", ({ state }) => …); // signalling: connecting | ready | waiting | ended (sign in again) | stopped
 * client.on("ended", ({ reason }) => …);     // why it ended: "identity", or "pairing …" for a guest (docs/SIGNALLING.md)
 * client.on("pairing-ended", ({ room }) => …); // a pairing room this tab was in is gone (a member's guest left or was unpaired)
 * client.on("delivery-failed", ({ transfer, item, reason }) => …);  // verified, but saving it failed (disk full, folder gone)
 * client.on("rejected", ({ peerId, code }) => …);            // a signal that failed the checks (diagnostics only)
 * client.on("tampered", ({ peer, code }) => …);              // a signal was changed or forged on the way: warn, loudly
 * await client.start();
 * const ids = await client.sendFiles([peerId, …], fileList);  // Files; folder picks keep webkitRelativePath
 * await client.sendText([peerId], "hello");
 * await client.accept(offerId, { kind: "download" });          // or { kind: "folder", handle } (File System Access)
 * await client.decline(offerId);
 * await client.cancel(transferId);
 * const code = await client.verificationCode(peerId);          // "12345 67890 …": compare aloud or by QR
 * client.confirmVerified(peerId);                               // after the people compared it
 * const { code: pairing } = await client.pairingCode();         // member: a one-time guest code (show as text/QR)
 * await guest.claimPairing(pairing); await guest.start({ register: false });   // guest side
 * await guest.endPairing();                                                     // the guest ends it
 * await client.endGuestPairing(pairingId);                                      // or the member does
 * client.renameDevice("Ann's desktop");                        // everyone sharing a room sees the new name
 * client.peers(); client.transfers(); client.stop();
 * ```
 *
 * Nothing is received, written or opened before `accept`. Received names are already sanitised
 * in `offer.manifest`. Text messages arrive as `transfer-done` with `text` (show it with
 * `textContent`; never as HTML). A key status of "changed" means the server lists a different
 * key for a device than the one remembered: sending to it is refused until the codes are
 * compared again and {@link PeerClient#confirmVerified} is called; offers from it carry
 * `keyStatus: "changed"` and the UI must show the warning with the prompt.
 *
 * Everything browser-specific is injected (WebSocket, RTCPeerConnection, storage, key store,
 * file adapters), so the whole client runs under Node in tests with fakes.
 *
 * @module peer-client
 */

import { Emitter } from "./emitter.js";
import { Messenger } from "./signal/messenger.js";
import { awayPairings, guestLabelOf, listPeers, peersOfDevice } from "./signal/presence.js";
import { SignalClient, signalUrl } from "./signal/socket.js";
import { createDeviceIdentity, loadOrCreateDeviceIdentity, registerDevice, IDENTITY_KEY } from "./trust/device-key.js";
import { ID_PATTERN, randomId } from "./trust/encoding.js";
import { KnownKeys } from "./trust/known-keys.js";
import { verificationCode } from "./trust/verification-code.js";
import { TransferLink } from "./transfer/link.js";
import { manifestForFiles, manifestForText, summarizeManifest } from "./transfer/manifest.js";
import { OfferAssembly, isOfferPart, offerMessages } from "./transfer/offer-parts.js";
import { ProgressMeter } from "./transfer/progress.js";

/**
 * What the sender's row says when the receiving tab refused an offer by itself (its reason in the
 * decline), before any person saw it.
 */
const TAB_REFUSALS = new Map([
  ["rate-limited", "not shown to them: too many of your offers arrived in a short time or are waiting for their answer; send it again in a moment"],
  ["invalid", "refused by their browser: it could not read the offer"],
]);
import { OfferLimiter } from "./transfer/rate-limit.js";
import { TransferReceiver, memorySinks } from "./transfer/receiver.js";
import { ResumeBook, manifestDigest, partName } from "./transfer/resume.js";
import { TransferSender, memorySource } from "./transfer/sender.js";

/** @typedef {import("./signal/presence.js").Peer} Peer */
/** @typedef {import("./transfer/manifest.js").Manifest} Manifest */
/** @typedef {import("./transfer/manifest.js").ManifestItem} ManifestItem */
/** @typedef {import("./transfer/sender.js").Source} Source */
/** @typedef {import("./transfer/receiver.js").SinkFactory} SinkFactory */

const RETRY_MS = 1000;
/**
 * Rejection codes that only a changed, forged, misdirected or replayed signal produces (the
 * server or the network tampered with it), as opposed to clocks, version skew or a race with a
 * reconnect. These are shown to the user as a warning (`tampered`), not only counted.
 */
export const TAMPER_CODES = new Set(["bad-signature", "wrong-sender", "wrong-recipient", "replayed"]);

/**
 * @typedef {object} ReceiveTarget
 * @property {"download" | "zip" | "folder"} kind "zip": kept until every item is verified, then saved as one zip
 * @property {FileSystemDirectoryHandle} [handle] for "folder"
 */

/**
 * Where files come from and go to; the browser's is transfer/browser-files.js.
 * @typedef {object} FileAdapters
 * @property {(files: any[]) => Source} sourceFor
 * @property {(context: { transferId: string, fromDevice: string, fromName: string, manifest: Manifest, target: ReceiveTarget, book: ResumeBook }) => SinkFactory & { deliver?: (item: ManifestItem) => Promise<void>, complete?: () => Promise<void>, discardAll?: () => Promise<void>, saved?: () => SavedFile[], savedInto?: () => string | null }} sinksFor
 *   `deliver` after each verified item, `complete` once every item is (the receiver awaits it
 *   before telling the sender `done`); `saved` the downloads made and still kept
 */

/**
 * A received file handed to the browser as a download, kept a while to be saved again.
 * @typedef {{ name: string, url: string, until: number }} SavedFile
 */

/**
 * @typedef {object} PeerView
 * @property {string} id PeerID (one tab)
 * @property {{ id: string, name: string, publicKey: string }} device
 * @property {{ id: string, name: string } | null} user
 * @property {boolean} guest
 * @property {string} [label] for a guest seen by its member: whom the member made the pairing code for
 * @property {Array<{ id: string, kind: string, name: string }>} rooms
 * @property {boolean} sameDevice another tab of this browser
 * @property {boolean} [mine] another device of the same user
 * @property {import("./trust/known-keys.js").KeyStatus} keyStatus
 */

/**
 * @typedef {object} IncomingOffer
 * @property {string} offerId the transfer id; pass it to accept/decline
 * @property {PeerView} peer
 * @property {Manifest} manifest names already sanitised
 * @property {ReturnType<typeof summarizeManifest>} summary
 * @property {number} resumableBytes bytes already here from an earlier, interrupted try
 */

/**
 * @typedef {object} TransferView
 * @property {string} id
 * @property {"out" | "in"} direction
 * @property {string} peerId
 * @property {{ deviceId: string, deviceName: string, userName: string | null, guest: boolean, label: string | null }} peer
 * @property {ReturnType<typeof summarizeManifest>} summary
 * @property {"offered" | "connecting" | "running" | "interrupted" | "done" | "failed" | "cancelled" | "declined"} state
 * @property {"direct" | "relay" | null} mode "relay" is shown as "relayed, encrypted"
 * @property {number} done bytes confirmed written at the receiver
 * @property {number} total
 * @property {number | null} bytesPerSecond
 * @property {number | null} etaMs
 * @property {string | null} error
 * @property {string | null} [note] what the row says in place of its state, when that alone would
 *   mislead ("continued in a newer transfer", "stopped when this page was reloaded: …")
 * @property {SavedFile[]} [saved] received files saved as downloads and still kept ("Save again")
 * @property {string | null} [savedInto] the folder made for a transfer accepted into a picked folder ("From Ann (2)")
 * @property {string} [sentText] an outgoing text message's text: the sender's row shows what was sent
 */

/**
 * @typedef {object} Transfer internal record
 * @property {string} id
 * @property {"out" | "in"} direction
 * @property {string} peerId
 * @property {Peer & { label?: string }} peer with a guest's label, kept when the guest leaves
 * @property {Manifest} manifest
 * @property {TransferView["state"]} state
 * @property {TransferLink | null} link
 * @property {TransferSender | null} sender
 * @property {TransferReceiver | null} receiver
 * @property {Source | null} source
 * @property {ReturnType<FileAdapters["sinksFor"]> | null} sinks
 * @property {ProgressMeter} meter
 * @property {string | null} error
 * @property {boolean} peerHasWebRtc
 * @property {any} timer
 * @property {number} lastEmit
 * @property {boolean} isText
 * @property {Map<number, Uint8Array> | null} textStore
 * @property {ReceiveTarget | null} target
 * @property {boolean} [lost] the peer (or our socket) went away since the last offer or accept
 * @property {string} [note] see TransferView
 * @property {string | null} [group] offers to the tabs of one browser, made together
 * @property {string} [sentText] see TransferView
 */

export class PeerClient extends Emitter {
  /** @type {import("./trust/device-key.js").DeviceIdentity | null} */
  identity = null;
  /** @type {SignalClient | null} */
  signal = null;
  /** @type {Messenger | null} */
  messenger = null;
  /** @type {Map<string, Transfer>} */
  #transfers = new Map();
  /** @type {Map<string, { peerId: string, peer: Peer, manifest: Manifest, caps: any, timer: any }>} */
  #offers = new Map();
  /** Offers whose parts are still coming in. @type {OfferAssembly} */
  #assembling;
  /** @type {Set<string>} devices already warned about in this session */
  #warned = new Set();
  /** The pairing rooms at the last presence change, to notice one going. @type {Map<string, { id: string, kind: string, name: string }>} */
  #pairingRooms = new Map();
  /** @type {Set<TransferLink>} links of finished transfers, closed shortly after (or at stop) */
  #closing = new Set();

  /**
   * @param {object} options
   * @param {{ request: (method: string, path: string, options?: any) => Promise<any> }} options.api
   * @param {string} options.deviceName
   * @param {FileAdapters} options.files
   * @param {{ protocol: string, host: string }} [options.location]
   * @param {typeof WebSocket} [options.WebSocket]
   * @param {typeof RTCPeerConnection | null} [options.RTCPeerConnection] null: relay only
   * @param {import("./shell-state.js").KeyValueStorage | null} [options.storage]
   * @param {import("./trust/device-key.js").KeyStore} options.keyStore
   * @param {Crypto} [options.crypto]
   * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} [options.timers]
   * @param {() => number} [options.now]
   * @param {number} [options.iceTimeoutMs] how long ICE may take before the relay is used
   * @param {number} [options.offerTtlMs] how long an unanswered offer stands
   * @param {number} [options.progressIntervalMs] the "transfer" event is emitted at most this often per transfer
   * @param {Partial<typeof import("./transfer/sender.js").DEFAULTS>} [options.limits]
   * @param {{ baseMs: number, maxMs: number }} [options.backoff]
   */
  constructor(options) {
    super();
    this.options = options;
    this.crypto = options.crypto ?? globalThis.crypto;
    // Every timer of the client and its parts goes through this, so stop() can end them all.
    this.timers = trackTimers(options.timers ?? globalThis);
    this.#assembling = new OfferAssembly({ timers: this.timers });
    this.now = options.now ?? Date.now;
    this.knownKeys = new KnownKeys(options.storage ?? null, this.now);
    this.book = new ResumeBook(options.storage ?? null, this.now);
    this.limiter = new OfferLimiter();
    /** @type {Promise<RTCIceServer[]> | null} */
    this.iceCache = null;
  }

  /**
   * Loads or makes the device key, registers it, and connects.
   * @param {{ register?: boolean }} [options] `register: false` for a paired guest, whose device
   *   the claim registered (guests cannot call `PUT /devices`)
   */
  async start({ register = true } = {}) {
    const { api, keyStore, deviceName } = this.options;
    let identity = await loadOrCreateDeviceIdentity(keyStore, this.crypto);
    try {
      if (register) await registerDevice(api, identity, deviceName);
    } catch (error) {
      // 409 device-key-changed: this id is registered with another key (a copied or restored
      // store). A new key is a new device, as the server demands.
      if (/** @type {any} */ (error)?.status !== 409) throw error;
      identity = await createDeviceIdentity(this.crypto);
      await keyStore.put(IDENTITY_KEY, identity);
      await registerDevice(api, identity, deviceName);
    }
    return this.#connect(identity);
  }

  /** @param {import("./trust/device-key.js").DeviceIdentity} identity */
  #connect(identity) {
    this.identity = identity;
    const signal = new SignalClient({
      url: signalUrl(this.options.location ?? globalThis.location),
      deviceId: identity.deviceId,
      WebSocket: this.options.WebSocket,
      timers: this.timers,
      backoff: this.options.backoff,
    });
    this.signal = signal;
    const messenger = new Messenger({ signal, identity, crypto: this.crypto, now: this.now, timers: this.timers });
    this.messenger = messenger;
    signal.on("state", ({ state }) => {
      this.emit("connection", { state });
      if (state === "waiting") void this.#endIfRefused(signal);
    });
    signal.on("ended", ({ reason }) => this.emit("ended", { reason }));
    signal.on("presence", () => this.#onPresence());
    signal.on("relay-opened", ({ relay }) => this.#linkByRelay(relay)?.relayOpened(relay));
    signal.on("relay-closed", ({ relay }) => this.#linkByRelay(relay)?.relayClosed(relay));
    signal.on("relay-frame", ({ relay, payload }) => this.#linkByRelay(relay)?.relayFrame(relay, payload));
    signal.on("disconnected", () => {
      // Peer ids are per socket: after a reconnect both sides must find each other again, with
      // new key sessions, and unfinished transfers are offered again by their senders.
      messenger.forgetAll();
      for (const transfer of this.#transfers.values()) {
        const relay = transfer.link?.relayId;
        if (relay) transfer.link?.relayClosed(relay);
        if (!isFinal(transfer.state)) this.#lose(transfer);
      }
    });
    messenger.on("message", (message) => void this.#onMessage(message));
    messenger.on("rejected", (rejection) => {
      this.emit("rejected", rejection);
      const peer = this.peers().find((p) => p.id === rejection.peerId);
      // The message is dropped either way; the user must learn that someone tried.
      if (peer && TAMPER_CODES.has(rejection.code)) this.emit("tampered", { peer, code: rejection.code });
    });
    signal.start();
  }

  /**
   * The socket could not connect (again). A refused handshake (a session that ended, a guest pass
   * that lapsed — for instance across a server restart) is indistinguishable from a network
   * failure in script, so a cheap route with the same rule as the socket is asked: a 401 ends the
   * client instead of retrying for ever.
   * @param {import("./signal/socket.js").SignalClient} signal
   */
  async #endIfRefused(signal) {
    try {
      await this.options.api.request("GET", "/ice");
    } catch (error) {
      if (/** @type {any} */ (error)?.status === 401 && this.signal === signal) signal.end("identity");
    }
  }

  /** Disconnects and ends every timer; unfinished transfers stay as they are (interrupted). */
  stop() {
    for (const transfer of this.#transfers.values()) transfer.link?.close();
    for (const link of this.#closing) link.close();
    this.#closing.clear();
    this.signal?.stop();
    this.timers.clearAll();
  }

  /** @returns {PeerView[]} */
  peers() {
    if (!this.signal) return [];
    return listPeers(this.signal.presence).map((peer) => ({ ...peer, keyStatus: this.knownKeys.statusOf(peer) }));
  }

  /**
   * This member's pairings whose guest is away (page closed or offline, within the server's
   * reconnect grace): still live, so they can be ended (`endGuestPairing`) before they lapse.
   */
  awayGuests() {
    return this.signal ? awayPairings(this.signal.presence) : [];
  }

  /** @returns {TransferView[]} */
  transfers() {
    return [...this.#transfers.values()].map((t) => this.#view(t));
  }

  #onPresence() {
    const peers = this.peers();
    for (const peer of peers) {
      const { status, remembered } = this.knownKeys.observe(peer);
      if (status === "changed" && !this.#warned.has(peer.device.id)) {
        this.#warned.add(peer.device.id);
        this.emit("key-warning", { peer, remembered });
      }
    }
    this.emit("peers", this.peers());
    this.#noticeEndedPairings();
    this.#withdrawOffersOfGonePeers();
    this.#followPeers();
  }

  /**
   * A pairing room this tab was in went away while connected (`room-left`: the guest ended it,
   * stayed away, or the member did): "pairing-ended" {room}. Not when the socket dropped (presence
   * is emptied then, and comes back with the rooms).
   */
  #noticeEndedPairings() {
    const presence = this.signal?.presence;
    const now = new Map(Object.values(presence?.rooms ?? {}).filter((room) => room.kind === "pairing").map((room) => [room.id, room]));
    if (presence?.you) {
      for (const [id, room] of this.#pairingRooms) if (!now.has(id)) this.emit("pairing-ended", { room });
    }
    this.#pairingRooms = now;
  }

  /**
   * An unanswered offer whose sender left can no longer be accepted: peer ids are per socket, and
   * a reloaded sender has forgotten it. It is withdrawn; a sender whose page is still there (its
   * socket reconnected) offers it again when it sees this side, which prompts anew.
   */
  #withdrawOffersOfGonePeers() {
    const presence = /** @type {SignalClient} */ (this.signal).presence;
    for (const [offerId, offer] of [...this.#offers]) {
      if (!presence.peers[offer.peerId]) this.#dropOffer(offerId, "the sender left");
    }
  }

  /**
   * Transfers whose peer left: when the same device is back (a reloaded tab, a reconnected
   * socket), an outgoing transfer is offered again under its id, to continue where it stood.
   */
  #followPeers() {
    const presence = /** @type {SignalClient} */ (this.signal).presence;
    for (const transfer of this.#transfers.values()) {
      if (isFinal(transfer.state)) continue;
      if (presence.peers[transfer.peerId] && !transfer.lost) continue;
      if (!presence.peers[transfer.peerId]) this.messenger?.forget(transfer.peerId);
      this.#lose(transfer);
      if (transfer.direction === "in") continue; // the sender offers again; we wait for it
      // An unanswered offer to one tab of a browser whose other tabs still have theirs: that
      // browser is asked already (offering again to one of those tabs would prompt it twice).
      if (transfer.group && transfer.state === "offered" && this.#liveSibling(transfer)) {
        this.timers.clearTimeout(transfer.timer);
        this.#transfers.delete(transfer.id);
        this.emit("transfer-removed", { id: transfer.id });
        continue;
      }
      const back = peersOfDevice(presence, transfer.peer.device.id).filter((peer) => peer.device.publicKey === transfer.peer.device.publicKey);
      if (back.length === 0) {
        if (transfer.state !== "offered") this.#setState(transfer, "interrupted");
        continue;
      }
      transfer.lost = false;
      transfer.peerId = back[0].id;
      transfer.peer = back[0];
      this.#setState(transfer, transfer.sender ? "interrupted" : "offered");
      void this.#sendOffer(transfer, true).catch((error) => this.#fail(transfer, error));
    }
  }

  /**
   * The transfer's path is gone: its channel is dropped, and it waits for the peer to be back.
   * @param {Transfer} transfer
   */
  #lose(transfer) {
    if (transfer.lost) return;
    transfer.lost = true;
    transfer.link?.close();
    transfer.link = null;
    transfer.sender?.detach();
    transfer.receiver?.detach();
    if (transfer.state !== "offered") this.#setState(transfer, "interrupted");
  }

  /** @param {string} relay */
  #linkByRelay(relay) {
    for (const transfer of this.#transfers.values()) if (transfer.link?.relayId === relay) return transfer.link;
    return null;
  }

  /**
   * @param {string} peerId
   * @returns {Peer}
   */
  #requirePeer(peerId) {
    const peer = this.signal?.presence.peers[peerId];
    if (!peer) throw Object.assign(new Error("that peer is not online"), { code: "unknown-peer" });
    if (this.knownKeys.statusOf(peer) === "changed") {
      throw Object.assign(new Error(`${peer.device.name}'s device key changed; compare the verification code again`), { code: "key-changed" });
    }
    return peer;
  }

  /**
   * Offers files to peers; one transfer per peer, and per open tab of each peer's browser (the
   * first tab to answer counts: see {@link #withdrawSiblings}).
   * @param {string[]} peerIds
   * @param {any[]} files File objects (or {name, size, type, lastModified, webkitRelativePath})
   * @returns {Promise<string[]>} the transfer ids, in the order of the tabs offered to
   */
  async sendFiles(peerIds, files) {
    const manifest = manifestForFiles([...files]);
    const tabs = this.#tabsOf(peerIds);
    return Promise.all(tabs.map(({ peerId, group }) => this.#offer(peerId, manifest, () => this.options.files.sourceFor([...files]), false, group)));
  }

  /**
   * @param {string[]} peerIds
   * @param {string} text
   * @returns {Promise<string[]>}
   */
  async sendText(peerIds, text) {
    const { manifest, bytes } = manifestForText(text);
    const tabs = this.#tabsOf(peerIds);
    return Promise.all(tabs.map(({ peerId, group }) => this.#offer(peerId, manifest, () => memorySource([bytes]), true, group, text)));
  }

  /**
   * Every open tab of the browsers these peers are (same device id and key), each once; the tabs
   * of one browser share a group id, null for a browser with one tab.
   * @param {string[]} peerIds
   * @returns {Array<{ peerId: string, group: string | null }>}
   */
  #tabsOf(peerIds) {
    const presence = this.signal?.presence;
    /** @type {Array<{ peerId: string, group: string | null }>} */
    const out = [];
    for (const id of peerIds) {
      if (out.some((tab) => tab.peerId === id)) continue;
      const peer = presence?.peers[id];
      const others = peer && presence ? peersOfDevice(presence, peer.device.id).filter((p) => p.id !== id && p.device.publicKey === peer.device.publicKey) : [];
      const group = others.length > 0 ? randomId(8, this.crypto) : null;
      for (const tabId of [id, ...others.map((p) => p.id)]) if (!out.some((tab) => tab.peerId === tabId)) out.push({ peerId: tabId, group });
    }
    return out;
  }

  /**
   * Another offer of the transfer's group that is still waiting at a tab that is online.
   * @param {Transfer} transfer
   */
  #liveSibling(transfer) {
    const presence = /** @type {SignalClient} */ (this.signal).presence;
    return [...this.#transfers.values()].some((t) => t !== transfer && t.group === transfer.group && t.state === "offered" && presence.peers[t.peerId]);
  }

  /**
   * One tab of a browser answered an offer made to all its tabs: the offers to its other tabs are
   * withdrawn (their prompts close, "answered in another tab") and their rows go.
   * @param {Transfer} transfer
   */
  #withdrawSiblings(transfer) {
    if (!transfer.group) return;
    for (const sibling of [...this.#transfers.values()]) {
      if (sibling === transfer || sibling.group !== transfer.group || sibling.state !== "offered") continue;
      this.timers.clearTimeout(sibling.timer);
      void this.messenger?.send(sibling.peerId, "cancel", { transfer: sibling.id, reason: ANSWERED_ELSEWHERE }).catch(() => {});
      this.#transfers.delete(sibling.id);
      this.emit("transfer-removed", { id: sibling.id });
    }
  }

  /**
   * @param {string} peerId
   * @param {Manifest} manifest
   * @param {() => Source} makeSource
   * @param {boolean} isText
   * @param {string | null} [group] the offers to the other tabs of the same browser share it
   * @param {string} [text] a text message's text, shown in the sender's own row
   */
  async #offer(peerId, manifest, makeSource, isText, group = null, text = undefined) {
    const peer = { ...this.#requirePeer(peerId), ...guestLabelOf(/** @type {SignalClient} */ (this.signal).presence, peerId) };
    /** @type {Transfer} */
    const transfer = {
      id: randomId(16, this.crypto),
      group,
      direction: "out",
      peerId,
      peer,
      manifest,
      state: "offered",
      link: null,
      sender: null,
      receiver: null,
      source: makeSource(),
      sinks: null,
      meter: new ProgressMeter(manifest.totalSize),
      error: null,
      peerHasWebRtc: true,
      timer: null,
      lastEmit: 0,
      isText,
      textStore: null,
      target: null,
      sentText: text,
    };
    this.#transfers.set(transfer.id, transfer);
    this.#emitTransfer(transfer, true);
    try {
      await this.#sendOffer(transfer, false);
    } catch (error) {
      this.#fail(transfer, error);
      throw error;
    }
    return transfer.id;
  }

  /**
   * Sends the offer in parts small enough for one signalling message (transfer/offer-parts.js).
   * @param {Transfer} transfer
   * @param {boolean} resume
   */
  async #sendOffer(transfer, resume) {
    const messages = offerMessages({ transfer: transfer.id, manifest: transfer.manifest, caps: this.#caps(), resume });
    this.timers.clearTimeout(transfer.timer);
    transfer.timer = this.timers.setTimeout(() => {
      if (transfer.state === "offered") {
        void this.messenger?.send(transfer.peerId, "cancel", { transfer: transfer.id, reason: "expired" }).catch(() => {});
        this.#fail(transfer, new Error("the offer was not answered in time"));
      }
    }, this.options.offerTtlMs ?? 10 * 60_000);
    const messenger = /** @type {Messenger} */ (this.messenger);
    for (const body of messages) await messenger.send(transfer.peerId, "offer", body);
  }

  #caps() {
    return { webrtc: this.options.RTCPeerConnection != null };
  }

  /**
   * @param {{ peerId: string, peer: Peer, kind: string, body: Record<string, any> }} message
   */
  async #onMessage({ peerId, peer, kind, body }) {
    if (typeof body.transfer !== "string" || !ID_PATTERN.test(body.transfer)) return;
    const transfer = this.#transfers.get(body.transfer);
    const ours = transfer && transfer.peer.device.id === peer.device.id ? transfer : null;
    switch (kind) {
      case "offer":
        return this.#onOfferPart(peerId, peer, body);
      case "accept":
        if (ours?.direction === "out" && ours.peerId === peerId) {
          if (ours.state === "offered") this.#withdrawSiblings(ours);
          return this.#onAccept(ours, body);
        }
        return;
      case "decline":
        if (ours?.direction === "out" && ours.peerId === peerId && ours.state === "offered") {
          // A person's "Decline" answers for the browser; a tab's own refusal (too many offers,
          // an offer it cannot read) does not.
          if (body.reason === "declined") this.#withdrawSiblings(ours);
          ours.error = typeof body.reason === "string" ? body.reason.slice(0, 100) : "declined";
          // Refused by the receiving tab itself, never shown to the person: said so, in words.
          const refusal = TAB_REFUSALS.get(ours.error);
          if (refusal) ours.note = refusal;
          this.#setState(ours, "declined");
          this.#finish(ours);
          this.emit("transfer-failed", { transfer: this.#view(ours), reason: "declined" });
        }
        return;
      case "cancel":
        if (ours) {
          this.#cancelLocal(ours, ours.direction === "out" ? "cancelled by the receiver" : "cancelled by the sender");
        } else {
          // Said as the sender gave it when it is one of the reasons the prompt can explain.
          this.#dropOffer(body.transfer, body.reason === ANSWERED_ELSEWHERE || body.reason === "expired" ? body.reason : "cancelled");
        }
        return;
      case "sdp":
      case "ice":
      case "relay":
        if (ours && ours.peerId === peerId) await ours.link?.handle(kind, body);
        return;
      default:
        return;
    }
  }

  /**
   * @param {string} peerId
   * @param {Peer} peer
   * @param {Record<string, any>} body
   */
  #onOfferPart(peerId, peer, body) {
    if (!isOfferPart(body)) return;
    const key = `${peerId} ${body.transfer}`;
    if (body.part === 0 && !this.#assembling.has(key)) {
      const existing = this.#transfers.get(body.transfer);
      const pending = this.#offers.get(body.transfer);
      const known =
        (existing && existing.direction === "in" && existing.peer.device.id === peer.device.id) || pending?.peer.device.id === peer.device.id;
      // A re-offer of a transfer we run is not a new prompt, and is not counted as one.
      if (!known && !this.limiter.admit(peer.device.id, body.transfer, this.now())) {
        void this.messenger?.send(peerId, "decline", { transfer: body.transfer, reason: "rate-limited" }).catch(() => {});
        return;
      }
      // The rest never came: the parts are forgotten; free the sender's slot.
      this.#assembling.start(key, body, () => {
        if (!known) this.limiter.settle(peer.device.id, body.transfer);
      });
    }
    const assembled = this.#assembling.add(key, body);
    if (!assembled) return;
    if (!assembled.ok) {
      this.limiter.settle(peer.device.id, body.transfer);
      void this.messenger?.send(peerId, "decline", { transfer: body.transfer, reason: "invalid" }).catch(() => {});
      return;
    }
    this.#onOffer(peerId, peer, body.transfer, assembled.manifest, assembled.caps);
  }

  /**
   * @param {string} peerId
   * @param {Peer} peer
   * @param {string} transferId
   * @param {Manifest} manifest
   * @param {any} caps
   */
  #onOffer(peerId, peer, transferId, manifest, caps) {
    const existing = this.#transfers.get(transferId);
    if (existing && existing.direction === "in" && existing.peer.device.id === peer.device.id && !isFinal(existing.state)) {
      // The sender came back (or we did): same transfer, new path. Continue without asking.
      existing.link?.close();
      existing.lost = false;
      existing.peerId = peerId;
      existing.peer = peer;
      existing.peerHasWebRtc = caps?.webrtc !== false;
      void this.#startReceiving(existing);
      return;
    }
    if (existing) return;
    const pending = this.#offers.get(transferId);
    if (pending) {
      // Offered again while still unanswered (the sender's socket reconnected): the same prompt,
      // now answered to where the sender is; a different device cannot take over an offer.
      if (pending.peer.device.id === peer.device.id && manifestDigest(pending.manifest) === manifestDigest(manifest)) {
        Object.assign(pending, { peerId, peer, caps });
      }
      return;
    }
    const before = this.book.wasAccepted(transferId, peer.device.id, manifest);
    if (before?.target === "download" || before?.target === "zip") {
      // Accepted before this tab reloaded, same device and manifest: continue without asking.
      this.limiter.settle(peer.device.id, transferId);
      this.#offers.set(transferId, { peerId, peer, manifest, caps, timer: null });
      void this.accept(transferId, { kind: before.target }, before.next);
      return;
    }
    const timer = this.timers.setTimeout(() => this.#dropOffer(transferId, "expired"), this.options.offerTtlMs ?? 10 * 60_000);
    this.#offers.set(transferId, { peerId, peer, manifest, caps, timer });
    /** @type {IncomingOffer} */
    const offer = {
      offerId: transferId,
      peer: { ...listPeers(/** @type {SignalClient} */ (this.signal).presence).find((p) => p.id === peerId) ?? { ...peer, rooms: [], sameDevice: false }, keyStatus: this.knownKeys.statusOf(peer) },
      manifest,
      summary: summarizeManifest(manifest),
      resumableBytes: this.book.resumableBytes(peer.device.id, manifest),
    };
    this.emit("offer", offer);
  }

  /** @param {string} offerId @param {string} reason */
  #dropOffer(offerId, reason) {
    const offer = this.#offers.get(offerId);
    if (!offer) return;
    this.timers.clearTimeout(offer.timer);
    this.#offers.delete(offerId);
    this.limiter.settle(offer.peer.device.id, offerId);
    this.emit("offer-withdrawn", { offerId, reason });
  }

  /**
   * Accepts an incoming offer: only now is anything connected, received or written.
   * @param {string} offerId
   * @param {ReceiveTarget} [target]
   * @param {number} [startAt] internal: the first item not yet delivered, when resuming after a reload
   */
  async accept(offerId, target = { kind: "download" }, startAt = 0) {
    const offer = this.#offers.get(offerId);
    if (!offer) throw Object.assign(new Error("no such offer"), { code: "unknown-offer" });
    this.timers.clearTimeout(offer.timer);
    this.#offers.delete(offerId);
    this.limiter.settle(offer.peer.device.id, offerId, { accepted: true });
    await this.#suspendReceiversOfSameParts(offer.peer.device.id, offer.manifest);
    const isText = offer.manifest.items[0].kind === "text";
    const textStore = isText ? new Map() : null;
    /** @type {Transfer} */
    const transfer = {
      id: offerId,
      direction: "in",
      peerId: offer.peerId,
      peer: { ...offer.peer, ...(this.signal ? guestLabelOf(this.signal.presence, offer.peerId) : {}) },
      manifest: offer.manifest,
      state: "connecting",
      link: null,
      sender: null,
      receiver: null,
      source: null,
      sinks: isText
        ? memorySinks(/** @type {Map<number, Uint8Array>} */ (textStore))
        : this.options.files.sinksFor({ transferId: offerId, fromDevice: offer.peer.device.id, fromName: offer.peer.user?.name ?? (this.signal ? guestLabelOf(this.signal.presence, offer.peerId).label : undefined) ?? offer.peer.device.name, manifest: offer.manifest, target, book: this.book }),
      meter: new ProgressMeter(offer.manifest.totalSize),
      error: null,
      peerHasWebRtc: offer.caps?.webrtc !== false,
      timer: null,
      lastEmit: 0,
      isText,
      textStore,
      target,
    };
    this.#transfers.set(offerId, transfer);
    if (!isText && target.kind !== "folder" && startAt === 0) this.book.accepted(offerId, offer.peer.device.id, offer.manifest, target.kind);
    const receiver = new TransferReceiver({ transferId: offerId, manifest: offer.manifest, sinks: /** @type {SinkFactory} */ (transfer.sinks), startAt });
    transfer.receiver = receiver;
    receiver.on("progress", ({ done }) => this.#progress(transfer, done));
    receiver.on("checkpoint", ({ i, offset }) => {
      const item = transfer.manifest.items[i];
      if (!isText) this.book.checkpoint(partName(transfer.peer.device.id, item), offset, item.size);
    });
    receiver.on("item", ({ i, ok }) => {
      if (!ok || isText) return;
      const item = transfer.manifest.items[i];
      const part = partName(transfer.peer.device.id, item);
      // A zip's items stay on disk until the zip is made: the book keeps them (whole) until it is
      // handed over, so nothing is left behind unrecorded if that never happens.
      if (target.kind === "zip") this.book.checkpoint(part, item.size, item.size);
      else this.book.forgetPart(part);
      this.book.delivered(offerId, i);
      void transfer.sinks?.deliver?.(item).then(
        // Saved as a download (perhaps after the row turned done): the row offers "Save again".
        () => this.#emitTransfer(transfer, true),
        (error) => this.emit("delivery-failed", { transfer: this.#view(transfer), item, reason: String(error) }),
      );
    });
    receiver.on("state", ({ state }) => this.#followWorker(transfer, state));
    receiver.on("done", () => {
      this.book.finished(offerId);
      transfer.meter.update(transfer.manifest.totalSize, this.now()); // every byte is verified
      this.#setState(transfer, "done");
      this.#finish(transfer);
      const text = isText ? new TextDecoder().decode(textStore?.get(0)) : undefined;
      this.emit("transfer-done", { transfer: this.#view(transfer), text });
    });
    receiver.on("failed", ({ reason }) => this.#workerFailed(transfer, reason));
    this.#emitTransfer(transfer, true);
    await this.#startReceiving(transfer);
  }

  /**
   * Before a new transfer from `fromDevice` writes to part files, earlier unfinished transfers
   * writing to any of the same part files (the sender reloaded and offered the same file again)
   * let go of them, so the new transfer's resume point is where the file really ends.
   * @param {string} fromDevice
   * @param {Manifest} manifest
   */
  async #suspendReceiversOfSameParts(fromDevice, manifest) {
    const parts = new Set(manifest.items.map((item) => partName(fromDevice, item)));
    const earlier = [...this.#transfers.values()].filter(
      (t) =>
        t.direction === "in" &&
        t.receiver &&
        !["done", "failed", "cancelled", "declined"].includes(t.state) &&
        t.peer.device.id === fromDevice &&
        t.manifest.items.some((item) => parts.has(partName(fromDevice, item))),
    );
    // The new offer continues them from their part files: their rows end here (not "waiting" for
    // ever beside the new one), without the part files being removed.
    for (const transfer of earlier) {
      transfer.link?.close();
      transfer.link = null;
      await transfer.receiver?.suspend();
      transfer.note = "continued in a newer transfer";
      this.#setState(transfer, "cancelled");
      this.#transfers.delete(transfer.id);
    }
  }

  /** @param {Transfer} transfer */
  async #startReceiving(transfer) {
    const link = this.#makeLink(transfer, "callee");
    link.on("channel", ({ channel, mode }) => {
      transfer.meter.resetSpeed();
      this.#emitTransfer(transfer, true, mode);
      transfer.receiver?.attach(channel);
    });
    try {
      await /** @type {Messenger} */ (this.messenger).send(transfer.peerId, "accept", { transfer: transfer.id, caps: this.#caps() });
    } catch (error) {
      this.#setState(transfer, "interrupted");
    }
  }

  /**
   * @param {string} offerId
   * @param {string} [reason]
   */
  async decline(offerId, reason = "declined") {
    const offer = this.#offers.get(offerId);
    if (!offer) return;
    this.#dropOffer(offerId, "declined");
    await this.messenger?.send(offer.peerId, "decline", { transfer: offerId, reason }).catch(() => {});
  }

  /**
   * @param {Transfer} transfer
   * @param {Record<string, any>} body
   */
  #onAccept(transfer, body) {
    if (transfer.state !== "offered" && transfer.state !== "interrupted") return;
    this.timers.clearTimeout(transfer.timer);
    transfer.peerHasWebRtc = body.caps?.webrtc !== false;
    if (!transfer.sender) {
      const sender = new TransferSender({ transferId: transfer.id, manifest: transfer.manifest, source: /** @type {Source} */ (transfer.source), limits: this.options.limits });
      transfer.sender = sender;
      sender.on("progress", ({ done }) => this.#progress(transfer, done));
      sender.on("state", ({ state }) => this.#followWorker(transfer, state));
      sender.on("done", () => {
        transfer.meter.update(transfer.manifest.totalSize, this.now());
        this.#setState(transfer, "done");
        this.#finish(transfer);
        this.emit("transfer-done", { transfer: this.#view(transfer) });
      });
      sender.on("failed", ({ reason }) => this.#workerFailed(transfer, reason));
    }
    this.#setState(transfer, "connecting");
    const link = this.#makeLink(transfer, "caller");
    link.on("channel", ({ channel, mode }) => {
      transfer.meter.resetSpeed();
      this.#emitTransfer(transfer, true, mode);
      transfer.sender?.attach(channel);
      // A channel that drops while the transfer is unfinished is made again (the caller's job).
      channel.addEventListener("close", () => {
        if (transfer.link !== link || isFinal(transfer.state)) return;
        this.timers.setTimeout(() => {
          if (transfer.link === link && !isFinal(transfer.state) && this.signal?.presence.peers[transfer.peerId]) void link.start();
        }, RETRY_MS);
      });
    });
    void link.start();
  }

  /**
   * @param {Transfer} transfer
   * @param {"caller" | "callee"} role
   */
  #makeLink(transfer, role) {
    transfer.link?.close();
    const link = new TransferLink({
      role,
      transferId: transfer.id,
      peerId: transfer.peerId,
      messenger: /** @type {Messenger} */ (this.messenger),
      signal: /** @type {SignalClient} */ (this.signal),
      RTCPeerConnection: this.options.RTCPeerConnection ?? null,
      iceServers: () => this.#iceServers(),
      peerHasWebRtc: transfer.peerHasWebRtc,
      iceTimeoutMs: this.options.iceTimeoutMs,
      timers: this.timers,
      crypto: this.crypto,
    });
    link.on("failed", ({ reason }) => this.#fail(transfer, new Error(reason)));
    transfer.link = link;
    return link;
  }

  /** ICE servers from `GET /api/v1/ice`, cached until shortly before they expire. */
  #iceServers() {
    if (!this.iceCache) {
      this.iceCache = this.options.api.request("GET", "/ice").then(
        (/** @type {any} */ answer) => {
          const expires = Date.parse(answer?.expiresAt ?? "");
          const ttl = Number.isFinite(expires) ? Math.max(0, expires - this.now() - 60_000) : 0;
          this.timers.setTimeout(() => (this.iceCache = null), Math.min(ttl, 3_600_000));
          return Array.isArray(answer?.iceServers) ? answer.iceServers : [];
        },
        () => {
          this.iceCache = null;
          return []; // without STUN/TURN, host candidates still work on one network
        },
      );
    }
    return this.iceCache;
  }

  /**
   * @param {Transfer} transfer
   * @param {string} state the sender's or receiver's state
   */
  #followWorker(transfer, state) {
    if (state === "running") this.#setState(transfer, "running");
    else if (state === "interrupted") this.#setState(transfer, "interrupted");
  }

  /**
   * @param {Transfer} transfer
   * @param {string} reason
   */
  #workerFailed(transfer, reason) {
    if (isFinal(transfer.state)) return;
    const cancelled = transfer.sender?.state === "cancelled" || transfer.receiver?.state === "cancelled";
    transfer.error = reason;
    this.#setState(transfer, cancelled ? "cancelled" : "failed");
    this.#finish(transfer);
    if (transfer.direction === "in" && !transfer.isText) this.book.finished(transfer.id);
    this.emit("transfer-failed", { transfer: this.#view(transfer), reason });
  }

  /**
   * Cancels a transfer (either direction) or withdraws an offer made.
   * @param {string} transferId
   */
  async cancel(transferId) {
    const transfer = this.#transfers.get(transferId);
    if (!transfer || isFinal(transfer.state)) return;
    await this.messenger?.send(transfer.peerId, "cancel", { transfer: transferId, reason: "cancelled" }).catch(() => {});
    this.#cancelLocal(transfer, "cancelled");
  }

  /**
   * @param {Transfer} transfer
   * @param {string} reason
   */
  #cancelLocal(transfer, reason) {
    if (isFinal(transfer.state)) return;
    transfer.error = reason;
    transfer.sender?.cancel(reason);
    transfer.receiver?.cancel(reason);
    if (transfer.direction === "in") {
      this.book.finished(transfer.id);
      for (const item of transfer.manifest.items) this.book.forgetPart(partName(transfer.peer.device.id, item));
      void transfer.sinks?.discardAll?.().catch(() => {});
    }
    this.#setState(transfer, "cancelled");
    this.#finish(transfer);
    this.emit("transfer-failed", { transfer: this.#view(transfer), reason });
  }

  /**
   * @param {Transfer} transfer
   * @param {unknown} error
   */
  #fail(transfer, error) {
    if (isFinal(transfer.state)) return;
    transfer.error = error instanceof Error ? error.message : String(error);
    transfer.sender?.cancel(transfer.error);
    transfer.receiver?.cancel(transfer.error);
    this.#setState(transfer, "failed");
    this.#finish(transfer);
    this.emit("transfer-failed", { transfer: this.#view(transfer), reason: transfer.error });
  }

  /** @param {Transfer} transfer */
  #finish(transfer) {
    this.timers.clearTimeout(transfer.timer);
    const link = transfer.link;
    transfer.link = null;
    if (!link) return;
    // Let the last control messages (done, verified) leave before the channel goes.
    this.#closing.add(link);
    this.timers.setTimeout(() => {
      this.#closing.delete(link);
      link.close();
    }, 2000);
  }

  /**
   * @param {Transfer} transfer
   * @param {TransferView["state"]} state
   */
  #setState(transfer, state) {
    if (transfer.state === state || isFinal(transfer.state)) return;
    transfer.state = state;
    this.#emitTransfer(transfer, true);
  }

  /**
   * @param {Transfer} transfer
   * @param {number} done
   */
  #progress(transfer, done) {
    transfer.meter.update(done, this.now());
    this.#emitTransfer(transfer, false);
  }

  /**
   * @param {Transfer} transfer
   * @param {boolean} force emit even within the interval
   * @param {"direct" | "relay"} [mode]
   */
  #emitTransfer(transfer, force, mode) {
    if (mode) /** @type {any} */ (transfer).mode = mode;
    const now = this.now();
    if (!force && now - transfer.lastEmit < (this.options.progressIntervalMs ?? 250)) return;
    transfer.lastEmit = now;
    this.emit("transfer", this.#view(transfer));
  }

  /**
   * @param {Transfer} transfer
   * @returns {TransferView}
   */
  #view(transfer) {
    const snapshot = transfer.meter.snapshot(this.now());
    return {
      id: transfer.id,
      direction: transfer.direction,
      peerId: transfer.peerId,
      peer: {
        deviceId: transfer.peer.device.id,
        deviceName: transfer.peer.device.name,
        userName: transfer.peer.user?.name ?? null,
        guest: transfer.peer.guest,
        label: transfer.peer.label ?? null,
      },
      summary: summarizeManifest(transfer.manifest),
      state: transfer.state,
      mode: /** @type {any} */ (transfer).mode ?? null,
      done: snapshot.done,
      total: snapshot.total,
      bytesPerSecond: snapshot.bytesPerSecond,
      etaMs: snapshot.etaMs,
      error: transfer.error,
      note: transfer.note ?? null,
      saved: transfer.sinks?.saved?.() ?? [],
      savedInto: transfer.sinks?.savedInto?.() ?? null,
      ...(transfer.sentText !== undefined ? { sentText: transfer.sentText } : {}),
    };
  }

  /**
   * Renames this device for everyone sharing a room (the server stores it).
   * @param {string} name 1–64 characters
   * @returns {boolean} false when not connected
   */
  renameDevice(name) {
    this.options.deviceName = name;
    return this.signal?.send({ type: "rename", name }) != null;
  }

  /**
   * Makes a one-time guest pairing code for this device (members only): the page shows it (and a
   * QR code of it); a guest who claims it joins a `pairing:` room with this member's tabs.
   * @param {string} [label] who it is for: this member's devices show the guest by it
   * @returns {Promise<{ code: string, expiresAt: string }>}
   */
  pairingCode(label = "") {
    const trimmed = label.trim();
    return trimmed ? this.options.api.request("POST", "/pairings", { body: { label: trimmed } }) : this.options.api.request("POST", "/pairings");
  }

  /**
   * Claims a pairing code as a guest (no account): registers this browser's device key with the
   * claim, after which {@link PeerClient#start} with `register: false` connects as the guest.
   * @param {string} code
   */
  async claimPairing(code) {
    const identity = await loadOrCreateDeviceIdentity(this.options.keyStore, this.crypto);
    return this.options.api.request("POST", "/pairings/claim", {
      body: { code, device: { id: identity.deviceId, name: this.options.deviceName, publicKey: identity.publicKeySpki } },
    });
  }

  /**
   * Ends the pairing of a guest paired with this member (members only; `pairingId` is the guest's
   * `pairing:` room id after the colon): its sockets close and it leaves our rooms.
   * @param {string} pairingId
   */
  endGuestPairing(pairingId) {
    return this.options.api.request("DELETE", `/pairings/${encodeURIComponent(pairingId)}`);
  }

  /**
   * Ends this guest's pairing (guests only): the server ends the pass, closes its sockets and
   * clears the guest cookie; this client stops.
   */
  async endPairing() {
    await this.options.api.request("DELETE", "/pairings/current");
    this.stop();
  }

  /**
   * The code to compare with the person at `peerId` (both see the same).
   * @param {string} peerId
   */
  async verificationCode(peerId) {
    const peer = this.signal?.presence.peers[peerId];
    if (!peer || !this.identity) throw Object.assign(new Error("that peer is not online"), { code: "unknown-peer" });
    return verificationCode(this.identity.publicKeySpki, peer.device.publicKey, this.crypto);
  }

  /**
   * Records that the people compared the code for this peer's current key. This is also how a
   * changed key is accepted: by verifying it.
   * @param {string} peerId
   */
  confirmVerified(peerId) {
    const peer = this.signal?.presence.peers[peerId];
    if (!peer) throw Object.assign(new Error("that peer is not online"), { code: "unknown-peer" });
    this.knownKeys.confirm(peer);
    this.#warned.delete(peer.device.id);
    this.emit("peers", this.peers());
  }
}

/**
 * @param {{ setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout }} timers
 */
function trackTimers(timers) {
  /** @type {Set<any>} */
  const live = new Set();
  return {
    /** @type {typeof setTimeout} */
    setTimeout: /** @type {any} */ ((/** @type {() => void} */ fn, /** @type {number} */ ms) => {
      const id = timers.setTimeout(() => {
        live.delete(id);
        fn();
      }, ms);
      live.add(id);
      return id;
    }),
    /** @type {typeof clearTimeout} */
    clearTimeout: /** @type {any} */ ((/** @type {any} */ id) => {
      live.delete(id);
      timers.clearTimeout(id);
    }),
    clearAll() {
      for (const id of live) timers.clearTimeout(id);
      live.clear();
    },
  };
}

/** Why an offer to one tab of a browser is withdrawn when another tab of it answered. */
export const ANSWERED_ELSEWHERE = "answered in another tab";

/** @param {string} state */
function isFinal(state) {
  return state === "done" || state === "failed" || state === "cancelled" || state === "declined";
}

/**
 * @param {ConstructorParameters<typeof PeerClient>[0]} options
 * @returns {PeerClient}
 */
export function createPeerClient(options) {
  return new PeerClient(options);
}
