/**
 * The transfers panel: one row per transfer (name, peer, progress bar, bytes, speed, ETA, the
 * path — "direct" or "relayed, encrypted" — and state), cancel for either side, and received
 * text messages shown as text with a copy button. Finished rows (and received texts) are kept for
 * the tab, so a reload shows them again (app/transfer-history.js); "Clear finished" forgets them.
 *
 * @module app/transfers-panel
 */

import { byId, copyText, el, storageOrNull } from "./dom.js";
import { isFinalState, transferRow } from "./model.js";
import { textSegments } from "./text-links.js";
import { STOPPED_NOTE, TransferHistory } from "./transfer-history.js";
import { formatTime } from "../format.js";

/** A stopped send's row once the same files went to the same device again. */
const CONTINUED_NOTE = "continued in a newer transfer";

/**
 * Sets a node's text when it differs.
 * @param {{ textContent: string | null }} node
 * @param {string} text
 */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** The longest sent text the tab's history keeps with its row (the row shows any while the page lives). */
export const SENT_TEXT_KEPT_CHARS = 4096;

/** @param {import("./compose.js").AppContext} app */
export function transfersPanel(app) {
  const { document } = app.env;
  const list = byId(document, "transfers");
  const empty = byId(document, "transfers-empty");
  const clear = byId(document, "transfers-clear");
  /** @type {Map<string, any>} */
  const rows = new Map();
  const history = new TransferHistory(storageOrNull("sessionStorage", app.env.window), app.env.historyOwner ?? (() => null));
  /** The newest view of each send under way, written down when the page goes. @type {Map<string, any>} */
  const sending = new Map();
  // The identity is ending (a guest's pairing is over): what this tab received goes, for good.
  app.events.on("forget-history", () => {
    history.forget();
    sending.clear();
  });

  const showClear = () => {
    const hidden = ![...rows.values()].some((parts) => isFinalState(parts.item.dataset.state));
    if (clear.hidden !== hidden) clear.hidden = hidden;
  };
  clear.addEventListener("click", () => {
    for (const [id, parts] of rows) {
      if (!isFinalState(parts.item.dataset.state)) continue;
      parts.item.remove();
      rows.delete(id);
    }
    history.clearFinished();
    stopped.clear(); // their rows went: a later send must not bring them back
    empty.hidden = rows.size > 0;
    showClear();
    list.closest("section")?.querySelector("h2")?.focus?.();
  });

  /** Interrupted transfers' last views: their rows say whether the other side is online. @type {Map<string, any>} */
  const interrupted = new Map();
  /** This page's own connection: while it is lost (or not back yet), nobody seems online. */
  let connected = false;
  const redraw = () => {
    for (const view of [...interrupted.values()]) update(view);
  };
  app.events.on("peers", redraw);
  app.events.on("connection", ({ state }) => {
    connected = state === "ready";
    redraw();
  });

  /** @param {import("../peer-client.js").TransferView} view */
  function update(view) {
    // Said only while this page is connected: without the server it knows nothing of who is there.
    const peerOnline = connected && app.peers ? app.peers().some((peer) => peer.device.id === view.peer.deviceId) : undefined;
    const row = transferRow(view, { peerOnline });
    if (view.state === "interrupted") interrupted.set(view.id, view);
    else interrupted.delete(view.id);
    let parts = rows.get(row.id);
    if (!parts) {
      parts = {
        item: el(document, "li", { className: "transfer", dataset: { transferId: row.id, direction: row.direction } }),
        name: el(document, "span", { className: "transfer-name" }),
        peer: el(document, "span", { className: "transfer-peer" }),
        progress: el(document, "progress", { className: "transfer-progress", attrs: { max: "100" } }),
        bytes: el(document, "span", { className: "transfer-bytes" }),
        speed: el(document, "span", { className: "transfer-speed" }),
        eta: el(document, "span", { className: "transfer-eta" }),
        path: el(document, "span", { className: "transfer-path" }),
        state: el(document, "span", { className: "transfer-state" }),
        cancel: el(document, "button", { className: "button transfer-cancel", text: "Cancel", attrs: { type: "button" } }),
        text: null,
        saves: null,
      };
      parts.item.setAttribute("data-testid", "transfer");
      // Named with its transfer: several bars all called "Progress" sound alike.
      parts.progress.setAttribute("aria-label", `Progress of ${row.name}`);
      parts.cancel.addEventListener("click", () => {
        parts.cancel.disabled = true;
        void app.cancel(row.id);
      });
      parts.item.append(
        el(document, "div", { className: "transfer-head" }, [parts.name, parts.peer]),
        parts.progress,
        el(document, "div", { className: "transfer-meta" }, [parts.bytes, parts.speed, parts.eta, parts.path, parts.state]),
        parts.cancel,
      );
      rows.set(row.id, parts);
      list.prepend(parts.item);
    }
    // Only what changed is written: a running transfer updates its row four times a second, and
    // each write of a text replaces a node and invalidates style and layout, in both pages while
    // the data channel competes for the same cores (Benchmarks/README.md, "Browser-to-browser
    // transfers"). Mostly the bytes, speed and time left change; the rest stays.
    if (parts.item.dataset.state !== row.state) parts.item.dataset.state = row.state;
    if (parts.item.dataset.path !== (view.mode ?? "")) parts.item.dataset.path = view.mode ?? "";
    // Not a failure: the newer transfer carries on (shown muted, not in the danger colour).
    parts.item.toggleAttribute("data-continued", view.note === CONTINUED_NOTE);
    setText(parts.name, row.name);
    setText(parts.peer, row.peer);
    if (parts.progress.value !== row.percent) parts.progress.value = row.percent;
    setText(parts.progress, `${row.percent}%`);
    setText(parts.bytes, row.bytes);
    setText(parts.speed, row.speed);
    setText(parts.eta, row.eta);
    setText(parts.path, row.path);
    setText(parts.state, row.stateText);
    if (parts.cancel.hidden !== !row.canCancel) parts.cancel.hidden = !row.canCancel;
    if (parts.cancel.getAttribute("aria-label") !== `Cancel ${row.name}`) parts.cancel.setAttribute("aria-label", `Cancel ${row.name}`);
    if (!empty.hidden) empty.hidden = true;
    showSaves(parts, view.saved ?? []);
    showClear();
    return parts;
  }

  /**
   * "Save again" for received files saved as downloads and still kept: an automatic download the
   * browser blocked (several at once), or one the user dismissed, can still be saved by a click.
   * @param {any} parts @param {Array<{ name: string, url: string, until: number }>} saved
   */
  function showSaves(parts, saved) {
    const key = saved.map((file) => file.url).join(" ");
    if ((parts.saves?.dataset.key ?? "") === key) return;
    parts.saves?.remove();
    parts.saves = null;
    if (saved.length === 0) return;
    const until = new Date(Math.min(...saved.map((file) => file.until)));
    const links = saved.map((file) => {
      const link = el(document, "a", { className: saved.length === 1 ? "button transfer-save" : "transfer-save", text: saved.length === 1 ? "Save again" : file.name, attrs: { href: file.url, download: file.name, "aria-label": `Save ${file.name} again` } });
      link.addEventListener("click", (/** @type {Event} */ event) => {
        if (Date.now() < file.until) return;
        event.preventDefault();
        app.status(`${file.name} is no longer kept in this page. Ask for it again.`);
      });
      return link;
    });
    parts.saves = el(document, "div", { className: "transfer-saves", dataset: { key } }, [
      // A browser blocks a burst of downloads until allowed (Chrome asks in its address bar,
      // easy to miss): the row says so, beside the links that save each file again.
      el(document, "span", {
        className: "hint",
        text: `${saved.length === 1 ? "Not in your downloads?" : "Not all in your downloads? Your browser may be asking to allow several downloads. Save again:"} `,
      }),
      ...links.flatMap((link, index) => (index === 0 ? [link] : [document.createTextNode(" · "), link])),
      el(document, "span", { className: "hint", text: ` Kept here until ${formatTime(until)}.` }),
    ]);
    parts.saves.setAttribute("data-testid", "transfer-saves");
    parts.item.append(parts.saves);
  }

  /**
   * A text message in its row: received, or (in the sender's row) sent.
   * @param {any} parts @param {string | undefined} text
   */
  function showText(parts, text) {
    if (typeof text !== "string" || parts.text) return;
    // Received text is shown as text, never as HTML, and never opened or followed by itself;
    // its web addresses are links the reader may click, each showing its whole address.
    const segments = textSegments(text);
    const body = segments.some((segment) => segment.url)
      ? el(
          document,
          "pre",
          { className: "received-text" },
          segments.map((segment) =>
            segment.url
              ? el(document, "a", { text: segment.text, attrs: { href: segment.url, rel: "noopener noreferrer", target: "_blank" } })
              : document.createTextNode(segment.text),
          ),
        )
      : el(document, "pre", { className: "received-text", text });
    const copy = el(document, "button", { className: "button received-copy", text: "Copy", attrs: { type: "button" } });
    copy.addEventListener("click", async () => app.status((await copyText(app.env.navigator ?? globalThis.navigator, text)) ? "Copied." : "Select the text and copy it."));
    parts.text = el(document, "div", { className: "received", dataset: { testid: parts.item.dataset.direction === "out" ? "sent-text" : "received-text" } }, [body, copy]);
    parts.item.append(parts.text);
  }

  /**
   * A row's view, kept for the tab: once it is final, and an outgoing one at every state (a reload
   * ends it, and the restored row says so; an incoming one continues by itself after a reload).
   * @param {import("../peer-client.js").TransferView} view @param {string} [text]
   */
  function keep(view, text) {
    if (isFinalState(view.state) || view.direction === "out") history.record(view, text);
  }

  /** Restored sends that a reload stopped, by id, until the same files go to the same device again. */
  const stopped = new Map();
  // What this tab saw before a reload comes first (oldest at the bottom, as they came). A row
  // that cannot be shown (an unexpected shape) is skipped, never the panel.
  for (const { view, text } of history.entries()) {
    try {
      showText(update(view), text);
      if (view.note === STOPPED_NOTE) stopped.set(view.id, view);
    } catch {
      // dropped with the next save
    }
  }

  /**
   * A new send of the files of a stopped one, to the same device, continues it from the
   * receiver's partial files: the stopped row says so rather than still asking for it.
   * @param {import("../peer-client.js").TransferView} view
   */
  function continueStopped(view) {
    // A text is not "the same files": another text of the same length is not its continuation.
    if (view.direction !== "out" || view.summary.isText || stopped.size === 0 || stopped.has(view.id)) return;
    const same = (/** @type {any} */ a, /** @type {any} */ b) =>
      a.count === b.count && a.totalSize === b.totalSize && a.isText === b.isText && JSON.stringify(a.names) === JSON.stringify(b.names);
    for (const [id, old] of stopped) {
      if (old.peer.deviceId !== view.peer.deviceId || !same(old.summary, view.summary)) continue;
      stopped.delete(id);
      const continued = { ...old, note: CONTINUED_NOTE };
      update(continued);
      history.record(continued);
    }
  }

  app.events.on("transfer", (view) => {
    continueStopped(view);
    const parts = update(view);
    // The sender sees what they sent, from the offer on (declined or not). The tab's history
    // keeps it only when short: a text sent to many (a row each) must not push received texts,
    // which exist nowhere else, out of the history's bound.
    showText(parts, view.sentText);
    keep(view, view.sentText !== undefined && view.sentText.length <= SENT_TEXT_KEPT_CHARS ? view.sentText : undefined);
    if (view.direction === "out" && !isFinalState(view.state)) sending.set(view.id, view);
    else sending.delete(view.id);
  });
  // A reload cuts a send short: its row comes back saying how far it got, not where it started.
  app.env.window?.addEventListener?.("pagehide", () => {
    for (const view of sending.values()) history.record(view, undefined, { progress: true });
  });
  app.events.on("transfer-failed", ({ transfer }) => {
    update(transfer);
    keep(transfer);
  });
  app.events.on("transfer-done", ({ transfer, text }) => {
    const parts = update(transfer);
    showText(parts, text);
    keep(transfer, typeof text === "string" ? text : undefined);
    if (typeof text === "string" && transfer.direction === "in") reveal(parts.item);
  });

  /**
   * Brings a text just received into view: on a phone the transfers are screens below the offer
   * prompt the reader answered, and the status line alone does not show the text. Someone typing
   * (the focus in a text field) keeps their place; a row already in view does not move.
   * @param {HTMLElement} item
   */
  function reveal(item) {
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    if (active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA" || active.isContentEditable)) return;
    item.scrollIntoView?.({ block: "nearest" });
  }
  app.events.on("transfer-removed", ({ id }) => {
    sending.delete(id);
    rows.get(id)?.item.remove();
    rows.delete(id);
    history.remove(id);
    empty.hidden = rows.size > 0;
    showClear();
  });
  app.events.on("delivery-failed", ({ item, reason }) => app.error(`Could not save ${item?.path ?? "the received files"}: ${reason}`));
}
