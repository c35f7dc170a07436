/**
 * "Pair a guest": asks the server for a one-time code (`POST /api/v1/pairings`) and shows it big,
 * with the link `ORIGIN/pair#CODE` as text and as a QR code for a phone's camera. The guest who
 * enters it appears under "Online now" in a pairing room.
 *
 * @module app/pairing
 */

import { byId } from "./dom.js";
import { pairingLink } from "./model.js";
import { encodeQr, qrSvg } from "./qr.js";
import { formatTime } from "../format.js";

/** @param {import("./compose.js").AppContext} app */
export function pairingFeature(app) {
  const { document } = app.env;
  const origin = app.env.origin ?? globalThis.location.origin;
  const button = byId(document, "pair-start");
  const box = byId(document, "pair-box");
  const code = byId(document, "pair-code");
  const link = byId(document, "pair-link");
  const qr = byId(document, "pair-qr");
  const expires = byId(document, "pair-expires");
  const label = /** @type {HTMLInputElement} */ (byId(document, "pair-label"));

  /** Pairing rooms that existed when the shown code was made: a guest in another one used it. */
  let before = new Set();
  /** @type {any} */
  let expiry = null;
  /** @param {import("../peer-client.js").PeerView[]} peers */
  const pairingRooms = (peers) => new Set(peers.flatMap((peer) => (peer.guest ? peer.rooms.filter((room) => room.kind === "pairing").map((room) => room.id) : [])));

  // The code is single use: once a guest is in a new pairing room, say who, and drop the code
  // (a guest paired earlier, still there, says nothing about this code).
  app.events.on("peers", (/** @type {import("../peer-client.js").PeerView[]} */ peers) => {
    if (box.hidden) return;
    const guests = peers.filter((peer) => peer.guest && peer.rooms.some((room) => room.kind === "pairing" && !before.has(room.id)));
    if (guests.length === 0) return;
    box.hidden = true;
    clearTimeout(expiry);
    app.status(`Paired with ${guests.map((peer) => (peer.label ? `${peer.label} (${peer.device.name})` : peer.device.name)).join(", ")}. They are under “Online now”.`);
  });

  // A guest's pairing ended (the guest ended it or stayed away, or we did): the line that said
  // "Paired with …" is over.
  app.events.on("pairing-ended", ({ room }) => app.status(`The pairing with ${room.label || room.name} has ended.`));

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const answer = await app.client.pairingCode(label.value);
      label.value = ""; // the next code is for someone else
      const url = pairingLink(origin, answer.code);
      code.textContent = answer.code;
      link.textContent = url;
      link.href = url;
      qr.replaceChildren(qrSvg(document, encodeQr(url), `QR code of ${url}`));
      const until = new Date(answer.expiresAt);
      expires.textContent = Number.isNaN(until.getTime()) ? "" : `Valid once, until ${formatTime(until)}.`;
      before = pairingRooms(app.peers());
      box.hidden = false;
      // An expired code is no use on the screen.
      clearTimeout(expiry);
      const left = until.getTime() - Date.now();
      if (left > 0) {
        expiry = setTimeout(() => {
          if (box.hidden) return;
          box.hidden = true;
          app.status(`The pairing code ${answer.code} has expired. Make a new one to pair a guest.`);
        }, left);
      }
      app.status(`Pairing code ${answer.code} ready. The guest opens the link or scans the code.`);
    } catch (error) {
      app.error(error instanceof Error ? error.message : String(error));
    } finally {
      button.disabled = false;
    }
  });
}
