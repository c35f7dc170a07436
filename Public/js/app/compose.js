/**
 * The composer of the sharing page: one place that listens to the peer client, keeps the page's
 * small shared state (who is online, who is selected, the transfers, the offers waiting), and
 * hands every feature module the same context. Features never listen to the client directly and
 * never call each other: they subscribe to the context's events and call its actions, so each
 * can be left out (the guest page composes fewer) and tested with a fake context.
 *
 * ```js
 * const app = composeApp({ client, features: [peersPanel, send, offerPrompt, transfersPanel] , env });
 * ```
 *
 * Events on `app.events` (an Emitter): `peers` (PeerView[]), `selection` (Set<string>; `chosen`
 * too when the user changed it, not a peer leaving or coming back),
 * `offer` (IncomingOffer), `offer-gone` ({offerId, reason}), `transfer` (TransferView),
 * `transfer-done` ({transfer, text}), `transfer-failed` ({transfer, reason}), `key-warning`,
 * `tampered` ({peer, code}: a signal from that peer failed its signature check), `connection` ({state}), `status` (string, for the live region), `status-over` (string: that status
 * no longer holds), `error` (string).
 *
 * @module app/compose
 */

import { Emitter } from "../emitter.js";
import { followSelection, recipients, toggleSelection, transferRow } from "./model.js";

/** @typedef {import("../peer-client.js").PeerView} PeerView */
/** @typedef {import("../peer-client.js").TransferView} TransferView */

/**
 * The part of the peer client the page uses (PeerClient fits; tests pass a fake).
 * @typedef {object} ClientLike
 * @property {(type: string, listener: (value: any) => void) => () => void} on
 * @property {() => PeerView[]} peers
 * @property {(peerIds: string[], files: any[]) => Promise<string[]>} sendFiles
 * @property {(peerIds: string[], text: string) => Promise<string[]>} sendText
 * @property {(offerId: string, target?: any) => Promise<void>} accept
 * @property {(offerId: string) => Promise<void>} decline
 * @property {(transferId: string) => Promise<void>} cancel
 * @property {(peerId: string) => Promise<string>} verificationCode
 * @property {(peerId: string) => void} confirmVerified
 * @property {(name: string) => boolean} renameDevice
 * @property {(label?: string) => Promise<{ code: string, expiresAt: string }>} pairingCode
 */

/**
 * @typedef {object} AppContext
 * @property {ClientLike} client
 * @property {Emitter} events
 * @property {Record<string, any>} env what the features need from the page (document, window, storage…)
 * @property {() => PeerView[]} peers
 * @property {() => Set<string>} selection
 * @property {(peerId: string) => void} toggle
 * @property {() => void} clearSelection
 * @property {() => void} dropHeld lets files picked before anyone was selected go unsent
 * @property {() => Map<string, TransferView>} transfers
 * @property {(files: any[], droppedOn?: string | null) => Promise<string[]>} sendFiles
 * @property {(text: string, droppedOn?: string | null) => Promise<string[]>} sendText
 * @property {(offerId: string, target?: any) => Promise<void>} accept
 * @property {(offerId: string) => Promise<void>} decline
 * @property {(transferId: string) => Promise<void>} cancel
 * @property {(message: string) => void} status
 * @property {(message: string) => void} error
 */

/** @typedef {(app: AppContext) => void | { stop?: () => void }} Feature */

/**
 * A transfer's end in words: "big.bin sent to Bob · Laptop.", "Text message from Ann · Phone:
 * declined.".
 * @param {TransferView} view
 */
export function outcome(view) {
  const row = transferRow(view);
  const what = `${row.name} ${row.peer}`;
  if (view.state === "done" && view.direction === "out") return `${row.name} sent ${row.peer}.`;
  // Into a picked folder: which folder in it, as a second try gets a folder of its own.
  if (view.state === "done") return `${row.name} received ${row.peer}${view.savedInto ? `, saved into “${view.savedInto}”` : ""}.`;
  return `${what}: ${row.stateText}.`;
}

/** How long files picked before choosing a recipient wait for one. */
export const HOLD_MS = 2 * 60 * 1000;

/**
 * @param {object} options
 * @param {ClientLike} options.client
 * @param {Feature[]} options.features
 * @param {Record<string, any>} [options.env]
 * @returns {AppContext}
 */
export function composeApp({ client, features, env = {} }) {
  const events = new Emitter();
  /** @type {PeerView[]} */
  let peers = client.peers();
  /** @type {Set<string>} */
  let selected = new Set();
  /** @type {import("./model.js").AwayPeer[]} selected peers that left, selected again if they come back */
  let away = [];
  /** @type {Map<string, TransferView>} */
  const transfers = new Map();
  /** The offers the status line says are waiting for an answer, and what it says. */
  let waiting = { ids: new Set(), message: "" };
  const now = env.now ?? Date.now;

  /** @param {Set<string>} next */
  const setSelection = (next) => {
    const same = next.size === selected.size && [...next].every((id) => selected.has(id));
    selected = next;
    if (!same) events.emit("selection", selected);
  };
  /**
   * Files picked before anyone was selected: kept for {@link HOLD_MS}, and offered to the first
   * person the user then selects (that person alone), so they need not be picked again.
   * @type {{ files: any[], until: number } | null}
   */
  let held = null;
  /** @type {any} */
  let heldTimer = null;
  /**
   * Holds files (or lets them go), and says so: "held" `{ names, until }` or null, which the
   * send card shows with a way to let them go, so nothing is sent that the user forgot picking.
   * @param {{ files: any[], until: number } | null} next
   */
  const hold = (next) => {
    if (held === null && next === null) return;
    held = next;
    clearTimeout(heldTimer);
    heldTimer = null;
    if (next) {
      heldTimer = setTimeout(() => hold(null), Math.max(0, next.until - now()));
      heldTimer?.unref?.(); // (node: the tests) no process waits for it
    }
    events.emit("held", next && { names: next.files.map((file) => String(file.name)), until: next.until });
  };
  /** The user's own choice: peers that left earlier are not brought back. @param {Set<string>} next */
  const choose = (next) => {
    away = [];
    setSelection(next);
    events.emit("chosen", selected);
  };
  /** @param {string[]} ids @param {string} message */
  const offered = (ids, message) => {
    waiting = { ids: new Set(ids), message };
    events.emit("status", message);
  };

  /**
   * Runs an action; a refusal becomes a message on the page rather than an unhandled rejection.
   * @template T
   * @param {() => Promise<T>} action
   * @param {T} fallback
   */
  const guarded = async (action, fallback) => {
    try {
      return await action();
    } catch (error) {
      events.emit("error", error instanceof Error ? error.message : String(error));
      return fallback;
    }
  };

  /** @param {string[]} ids @param {any[]} files */
  const offerFiles = async (ids, files) => {
    const transferIds = await client.sendFiles(ids, files);
    offered(transferIds, `Offered ${files.length === 1 ? files[0].name : `${files.length} files`}; waiting for an answer.`);
    return transferIds;
  };

  /** @param {string | null | undefined} droppedOn */
  const targets = (droppedOn) => {
    const ids = recipients(selected, droppedOn ?? null);
    if (ids.length === 0) throw new Error("Choose who to send to: select a person under “Online now”, or drop onto one.");
    return ids;
  };

  /** @type {AppContext} */
  const app = {
    client,
    events,
    env,
    peers: () => peers,
    selection: () => selected,
    toggle: (peerId) => {
      const wasSelected = selected.has(peerId);
      choose(toggleSelection(selected, peerId, peers));
      // Held files go to the person just selected, and only to them.
      if (held && !wasSelected && selected.has(peerId)) {
        const files = held.until > now() ? held.files : [];
        hold(null);
        if (files.length > 0) void guarded(() => offerFiles([peerId], files), []);
      }
    },
    clearSelection: () => choose(new Set()),
    dropHeld: () => hold(null),
    transfers: () => transfers,
    sendFiles: (files, droppedOn) =>
      guarded(async () => {
        if (files.length === 0) return [];
        hold(null);
        if (recipients(selected, droppedOn ?? null).length === 0) {
          hold({ files, until: now() + HOLD_MS });
          const what = files.length === 1 ? `“${files[0].name}” is` : `${files.length} files are`;
          events.emit("status", `${what} ready: select who gets ${files.length === 1 ? "it" : "them"} under “Online now” and ${files.length === 1 ? "it is" : "they are"} offered.`);
          return [];
        }
        return offerFiles(targets(droppedOn), files);
      }, /** @type {string[]} */ ([])),
    sendText: (text, droppedOn) =>
      guarded(async () => {
        if (text.trim() === "") throw new Error("Type a message first.");
        const to = targets(droppedOn); // no one to send to: files waiting for someone keep waiting
        hold(null);
        const ids = await client.sendText(to, text);
        offered(ids, "Message offered; waiting for an answer.");
        return ids;
      }, /** @type {string[]} */ ([])),
    accept: (offerId, target) => guarded(() => client.accept(offerId, target), undefined),
    decline: (offerId) => guarded(() => client.decline(offerId), undefined),
    cancel: (transferId) => guarded(() => client.cancel(transferId), undefined),
    status: (message) => events.emit("status", message),
    error: (message) => events.emit("error", message),
  };

  client.on("peers", (/** @type {PeerView[]} */ list) => {
    const before = peers;
    peers = list;
    events.emit("peers", peers);
    const followed = followSelection(selected, peers, before, away, now());
    away = followed.away;
    setSelection(followed.selected);
  });
  /** The status line's last "how a transfer ended", until another transfer gets under way. */
  let ended = { id: "", message: "" };
  client.on("transfer", (/** @type {TransferView} */ view) => {
    const before = transfers.get(view.id)?.state;
    transfers.set(view.id, view);
    events.emit("transfer", view);
    // Another transfer gets under way (changes into connecting or running, not a progress tick of
    // one already running): "X: cancelled." about the one before would read as current.
    const started = (view.state === "connecting" || view.state === "running") && before !== "connecting" && before !== "running";
    if (ended.id && view.id !== ended.id && started) {
      events.emit("status-over", ended.message);
      ended = { id: "", message: "" };
    }
    // Every offer of the last send was answered (or ended): "waiting for an answer" is over.
    if (view.state !== "offered" && waiting.ids.delete(view.id) && waiting.ids.size === 0) events.emit("status-over", waiting.message);
  });
  for (const type of ["offer", "transfer-done", "transfer-failed", "key-warning", "tampered", "connection", "ended", "pairing-ended", "delivery-failed"]) {
    client.on(type, (/** @type {any} */ value) => {
      if (type === "transfer-done" || type === "transfer-failed") transfers.set(value.transfer.id, value.transfer);
      events.emit(type, value);
      // How a transfer ended is said in the status line (a live region), not only in its row.
      if (type === "transfer-done" || type === "transfer-failed") {
        ended = { id: value.transfer.id, message: outcome(value.transfer) };
        events.emit("status", ended.message);
      }
    });
  }
  client.on("offer-withdrawn", (/** @type {any} */ value) => events.emit("offer-gone", value));
  // An offer to another tab of a browser that answered in one: its row goes.
  client.on("transfer-removed", (/** @type {{ id: string }} */ { id }) => {
    transfers.delete(id);
    events.emit("transfer-removed", { id });
    if (waiting.ids.delete(id) && waiting.ids.size === 0) events.emit("status-over", waiting.message);
  });

  for (const feature of features) feature(app);
  events.emit("peers", peers);
  return app;
}
