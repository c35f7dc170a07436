/**
 * "Online now": every room with its peers (user, device, room, verified or not, a loud warning
 * when a key changed), a select toggle per peer for sending to several, files dropped onto a
 * peer, the verification dialog (show the code, confirm it matched), and "End pairing" on a
 * guest paired with us.
 *
 * @module app/peers-panel
 */

import { byId, el } from "./dom.js";
import { groupPeers, peerName, roomTitle } from "./model.js";
import { filesFromDrop } from "./send.js";

/** How long a paired guest is gone before its row says "Away" (a reload takes about a second). */
export const AWAY_AFTER_MS = 4000;

/** @param {import("./compose.js").AppContext} app */
export function peersPanel(app) {
  const { document } = app.env;
  const rooms = byId(document, "rooms");
  const empty = byId(document, "rooms-empty");
  const dialog = byId(document, "verify-dialog");
  const verifyWho = byId(document, "verify-who");
  const verifyCode = byId(document, "verify-code");
  const verifyConfirm = byId(document, "verify-confirm");
  const verifyClose = byId(document, "verify-close");
  /** @type {string | null} */
  let verifying = null;

  /**
   * "End pairing" for a guest paired with this member, online (its row) or away.
   * @param {string} device @param {string} pairing @param {string} [peerId]
   */
  const endPairingButton = (device, pairing, peerId) =>
    el(document, "button", {
      className: "button peer-unpair",
      text: "End pairing",
      attrs: { type: "button", "aria-label": `End pairing: ${device}` },
      dataset: { action: "end-pairing", pairing, ...(peerId ? { peerId } : {}) },
    });

  /** @param {{ id: string, kind: string, title: string }} group @param {HTMLElement[]} items */
  const roomSection = (group, items) => {
    const titleId = `room-${group.id.replace(/[^A-Za-z0-9_-]/g, "-")}`;
    const list = el(document, "ul", { className: "peer-list", attrs: { "aria-labelledby": titleId } }, items);
    return el(document, "section", { className: "room", dataset: { roomId: group.id, kind: group.kind } }, [
      el(document, "h3", { className: "room-title", text: group.title, attrs: { id: titleId } }),
      list,
    ]);
  };

  /** Since when each pairing has had no guest online (ms). @type {Map<string, number>} */
  const awaySince = new Map();
  /** @type {any} */
  let awayTimer = null;

  /**
   * The pairings whose guest has been away for {@link AWAY_AFTER_MS} at least: a guest between
   * its claim and its first socket, or reloading, is gone for a moment only, and is not shown as
   * away (a timer renders again when one comes due).
   */
  function awayGuests() {
    const now = Date.now();
    const away = app.client.awayGuests?.() ?? [];
    for (const id of [...awaySince.keys()]) if (!away.some((a) => a.pairing === id)) awaySince.delete(id);
    for (const a of away) if (!awaySince.has(a.pairing)) awaySince.set(a.pairing, now);
    const due = away.filter((a) => now - /** @type {number} */ (awaySince.get(a.pairing)) >= AWAY_AFTER_MS);
    const next = Math.min(...away.filter((a) => !due.includes(a)).map((a) => /** @type {number} */ (awaySince.get(a.pairing)) + AWAY_AFTER_MS));
    clearTimeout(awayTimer);
    if (Number.isFinite(next)) awayTimer = setTimeout(render, Math.max(0, next - now) + 50);
    return due;
  }

  function render() {
    const groups = groupPeers(app.peers(), app.selection());
    // A guest whose page is closed is not online, but its pairing lives on for a while: it is
    // listed under its room, so that the member can end it now instead of waiting it out.
    const away = awayGuests();
    empty.hidden = groups.length + away.length > 0;
    rooms.replaceChildren(
      ...groups.map((group) => roomSection(group, [...group.peers.map(peerItem), ...away.filter((a) => a.room.id === group.id).map(awayItem)])),
      ...away.filter((a) => !groups.some((group) => group.id === a.room.id)).map((a) => roomSection({ id: a.room.id, kind: a.room.kind, title: roomTitle(a.room) }, [awayItem(a)])),
    );
  }

  /** @param {{ pairing: string, room: { name: string, label?: string } }} away */
  function awayItem({ pairing, room }) {
    const device = room.name.replace(/^Guest · /, "");
    return el(document, "li", { className: "peer is-away", dataset: { pairing, testid: "away-guest" } }, [
      el(document, "div", { className: "peer-main" }, [
        el(document, "span", { className: "peer-user", text: peerName({ user: null, label: room.label }) }),
        el(document, "span", { className: "peer-device", text: device }),
        el(document, "span", { className: "peer-room", text: "Away: the page is closed or offline. The pairing ends by itself if they do not come back within minutes." }),
      ]),
      el(document, "div", { className: "peer-actions" }, [
        endPairingButton(device, pairing),
      ]),
    ]);
  }

  /** @param {import("./model.js").PeerRow} peer */
  function peerItem(peer) {
    const select = el(document, "button", {
      className: "button peer-select",
      text: peer.selected ? "Selected" : "Select",
      attrs: { type: "button", "aria-pressed": String(peer.selected), "aria-label": `${peer.selected ? "Selected" : "Select"}: ${peer.who}, ${peer.device}` },
      dataset: { action: "select", peerId: peer.id },
    });
    const verify = el(document, "button", {
      className: "button peer-verify",
      text: peer.keyStatus === "verified" ? "Show code" : "Verify",
      attrs: { type: "button", "aria-label": `${peer.keyStatus === "verified" ? "Show code" : "Verify"}: ${peer.who}, ${peer.device}` },
      dataset: { action: "verify", peerId: peer.id },
    });
    const item = el(document, "li", { className: "peer", dataset: { peerId: peer.id, keyStatus: peer.keyStatus, testid: "peer" } }, [
      el(document, "div", { className: "peer-main" }, [
        el(document, "span", { className: "peer-user", text: peer.who }),
        el(document, "span", {
          className: "peer-device",
          text: peer.sameDevice ? `${peer.device} (this browser, another tab)` : `${peer.device}${(peer.tabs ?? 1) > 1 ? ` · ${peer.tabs} tabs` : ""}`,
        }),
        ...(peer.also
          ? [el(document, "span", { className: "peer-room", text: peer.also, attrs: /network/.test(peer.also) ? { title: "Behind the same internet address as you: most likely the same office or home network." } : {} })]
          : []),
        el(document, "span", { className: "trust-badge", text: peer.trust, dataset: { status: peer.keyStatus } }),
      ]),
      el(document, "div", { className: "peer-actions" }, [
        select,
        verify,
        ...(peer.pairing
          ? [endPairingButton(peer.device, peer.pairing, peer.id)]
          : []),
      ]),
    ]);
    item.setAttribute("data-testid", "peer");
    if (peer.selected) item.classList.add("is-selected");
    if (peer.keyChanged) {
      item.append(el(document, "p", { className: "peer-warning", text: "This device’s key changed. Compare the verification code before sending.", attrs: { role: "alert" } }));
    }
    // Dropping files on a peer sends to it (or to the whole selection it is part of).
    item.addEventListener("dragover", (/** @type {DragEvent} */ event) => {
      event.preventDefault();
      item.classList.add("is-drop-target");
    });
    item.addEventListener("dragleave", () => item.classList.remove("is-drop-target"));
    item.addEventListener("drop", async (/** @type {DragEvent} */ event) => {
      event.preventDefault();
      item.classList.remove("is-drop-target");
      const files = await filesFromDrop(event.dataTransfer);
      await app.sendFiles(files, peer.id);
    });
    return item;
  }

  rooms.addEventListener("click", async (/** @type {MouseEvent} */ event) => {
    const button = /** @type {HTMLElement | null} */ (/** @type {Element} */ (event.target).closest?.("button[data-action]"));
    if (!button) return;
    const peerId = button.dataset.peerId ?? "";
    if (button.dataset.action === "select") {
      app.toggle(peerId);
      byId(document, "rooms").querySelector(`button[data-action="select"][data-peer-id="${CSS.escape(peerId)}"]`)?.focus();
      return;
    }
    if (button.dataset.action === "end-pairing") {
      button.setAttribute("disabled", "");
      try {
        // The server's room-left says it (pairing feature, "pairing-ended"), and the row goes:
        // the focus moves to the list.
        await app.client.endGuestPairing(button.dataset.pairing ?? "");
        rooms.focus();
      } catch (error) {
        button.removeAttribute("disabled");
        app.error(/** @type {any} */ (error)?.detail || (error instanceof Error ? error.message : String(error)));
      }
      return;
    }
    await openVerify(peerId);
  });

  /** The verification dialog for a peer: its code to compare, and "They match". @param {string} peerId */
  async function openVerify(peerId) {
    try {
      const code = await app.client.verificationCode(peerId);
      const peer = app.peers().find((p) => p.id === peerId);
      verifying = peerId;
      verifyWho.textContent = `${peer ? peerName(peer) : "Guest"} · ${peer?.device.name ?? ""}`;
      verifyCode.textContent = code;
      verifyConfirm.hidden = peer?.keyStatus === "verified";
      dialog.showModal();
      verifyConfirm.hidden ? verifyClose.focus() : verifyConfirm.focus();
    } catch (error) {
      app.error(error instanceof Error ? error.message : String(error));
    }
  }
  // The offer prompt's "Compare codes…": the same dialog, over the prompt.
  app.events.on("verify-peer", (/** @type {string} */ peerId) => void openVerify(peerId));

  verifyConfirm.addEventListener("click", () => {
    if (verifying) {
      try {
        app.client.confirmVerified(verifying);
        app.status("Device verified.");
      } catch (error) {
        app.error(error instanceof Error ? error.message : String(error));
      }
    }
    verifying = null;
    dialog.close();
  });
  verifyClose.addEventListener("click", () => {
    verifying = null;
    dialog.close();
  });

  app.events.on("peers", render);
  app.events.on("selection", render);
  render();
}
