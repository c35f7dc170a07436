/**
 * The incoming-offer prompt: a modal dialog that says who (user, device, room, verified or not,
 * a loud warning for a changed key) and what (names, sizes, count, total), with Accept (as
 * downloads; several files also as one zip; or into a folder the user picks where the browser
 * can) and Decline. Nothing starts
 * before Accept; Escape declines nothing and does not close it (the offer stays in view until it
 * is answered or withdrawn). Offers queue: one prompt at a time. A sender whose device is not
 * verified can be checked from the prompt ("Compare codes…", the verification dialog over it);
 * the prompt's trust line follows.
 *
 * Against accepting by accident: the prompt opens with the focus on its title, not on Accept (a
 * key pressed while typing elsewhere answers nothing), its buttons wait {@link ARMING_MS} before
 * they take a click (a double click on one offer's button does not answer the next), and the
 * focus goes back where it was once the prompt closes.
 *
 * @module app/offer-prompt
 */

import { byId, el } from "./dom.js";
import { offerView, trustLabel, withdrawnText } from "./model.js";

/** How long a new prompt's buttons ignore clicks. */
export const ARMING_MS = 400;

/** @param {import("./compose.js").AppContext} app */
export function offerPrompt(app) {
  const { document } = app.env;
  const window = app.env.window ?? globalThis;
  const dialog = byId(document, "offer-dialog");
  const title = byId(document, "offer-title");
  const from = byId(document, "offer-from");
  const trust = byId(document, "offer-trust");
  const warning = byId(document, "offer-warning");
  const summary = byId(document, "offer-summary");
  const items = byId(document, "offer-items");
  const resumable = byId(document, "offer-resumable");
  const accept = byId(document, "offer-accept");
  const acceptFolder = byId(document, "offer-accept-folder");
  const acceptZip = byId(document, "offer-accept-zip");
  const decline = byId(document, "offer-decline");
  const verify = byId(document, "offer-verify");
  /** @type {import("../peer-client.js").IncomingOffer[]} */
  const queue = [];
  /** @type {string | null} */
  let showing = null;
  /** What the prompt on screen offers, for the line said if it goes unanswered. @type {ReturnType<typeof offerView> | null} */
  let shownView = null;
  /** Where the focus was before the prompt took it. @type {any} */
  let returnFocus = null;
  /** Prompts shown so far. */
  let shown = 0;
  const buttons = [accept, acceptZip, acceptFolder, decline];
  const canPickFolder = typeof window.showDirectoryPicker === "function";
  acceptFolder.hidden = !canPickFolder;

  function showNext() {
    if (showing !== null) return;
    const offer = queue.shift();
    if (!offer) return;
    const view = offerView(offer);
    showing = view.id;
    shownView = view;
    dialog.dataset.offerId = view.id;
    title.textContent = view.title;
    from.textContent = `${view.who} · ${view.device}${view.rooms ? ` · ${view.rooms}` : ""}`;
    showTrust(offer.peer.keyStatus);
    dialog.dataset.peerId = offer.peer.id;
    summary.textContent = view.isText ? `A text message, ${view.total}` : `${view.count} ${view.count === 1 ? "file" : "files"}, ${view.total}`;
    items.replaceChildren(
      ...view.items.map((item) => el(document, "li", {}, [el(document, "span", { className: "offer-name", text: item.name }), " ", el(document, "span", { className: "offer-size", text: item.size })])),
      ...(view.more > 0 ? [el(document, "li", { className: "hint", text: `and ${view.more} more` })] : []),
    );
    resumable.textContent = view.resumable;
    acceptFolder.hidden = !canPickFolder || view.isText;
    // Several files as downloads are one download each (a browser may ask before the second);
    // one zip keeps them and their folders together.
    acceptZip.hidden = view.isText || view.count < 2;
    // With several files the zip is the first choice: separate downloads lose their folders, and a
    // browser may block all but the first of them unless the user allows it.
    const several = !view.isText && view.count >= 2;
    accept.textContent = several ? `Accept as ${view.count} downloads` : "Accept";
    accept.classList.toggle("button-primary", !several);
    acceptZip.classList.toggle("button-primary", several);
    returnFocus ??= document.activeElement;
    // Each prompt its own arming: an offer withdrawn and made again under the same id is a new one.
    const armed = ++shown;
    for (const button of buttons) button.disabled = true;
    (window.setTimeout ?? setTimeout)(() => {
      if (armed === shown && showing === view.id) for (const button of buttons) button.disabled = false;
    }, ARMING_MS);
    dialog.showModal();
    title.focus();
  }

  /** The sender's trust, and "Compare codes…" while it is not verified. @param {string} status */
  function showTrust(status) {
    trust.textContent = trustLabel(status);
    trust.dataset.status = status;
    verify.hidden = status === "verified";
    warning.hidden = status !== "changed";
  }

  /** Closes the prompt; the focus returns where it was unless another prompt follows. */
  function close() {
    dialog.close();
    if (queue.length === 0 && returnFocus?.isConnected) returnFocus.focus?.();
    if (queue.length === 0) returnFocus = null;
  }

  /** @param {() => Promise<void>} answer */
  const answer = async (answer) => {
    const id = showing;
    if (id === null) return;
    showing = null;
    close();
    await answer();
    showNext();
  };

  accept.addEventListener("click", () => answer(() => app.accept(/** @type {string} */ (dialog.dataset.offerId), { kind: "download" })));
  acceptZip.addEventListener("click", () => answer(() => app.accept(/** @type {string} */ (dialog.dataset.offerId), { kind: "zip" })));
  acceptFolder.addEventListener("click", async () => {
    const id = /** @type {string} */ (dialog.dataset.offerId);
    let handle;
    try {
      handle = await window.showDirectoryPicker({ mode: "readwrite", id: "ferry-receive" });
    } catch {
      return; // the user closed the picker: the prompt stays
    }
    await answer(() => app.accept(id, { kind: "folder", handle }));
  });
  decline.addEventListener("click", () => answer(async () => {
    await app.decline(/** @type {string} */ (dialog.dataset.offerId));
    app.status("Offer declined.");
  }));
  // Escape would close a modal dialog: this one stays, and the offer is never silently answered.
  dialog.addEventListener("cancel", (/** @type {Event} */ event) => event.preventDefault());
  // The verification dialog (peers panel) opens over the prompt; confirming there updates the
  // peers, and with them this trust line.
  verify.addEventListener("click", () => {
    if (showing !== null && dialog.dataset.peerId) app.events.emit("verify-peer", dialog.dataset.peerId);
  });
  app.events.on("peers", (/** @type {any[]} */ peers) => {
    if (showing === null) return;
    const peer = peers.find((p) => p.id === dialog.dataset.peerId);
    if (peer) showTrust(peer.keyStatus);
  });

  app.events.on("offer", (offer) => {
    queue.push(offer);
    showNext();
  });
  app.events.on("offer-gone", ({ offerId, reason }) => {
    const index = queue.findIndex((offer) => offer.offerId === offerId);
    if (index >= 0) queue.splice(index, 1);
    if (showing === offerId) {
      showing = null;
      close();
      if (reason !== "declined" && shownView) app.status(withdrawnText(shownView, reason));
      showNext();
    }
  });
}
