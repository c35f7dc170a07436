/**
 * The page's connection line and its two live regions: status (polite) and errors (alert).
 *
 * @module app/status
 */

import { byId } from "./dom.js";
import { peerName } from "./model.js";

const CONNECTION_TEXT = {
  connecting: "Connecting…",
  ready: "Connected",
  waiting: "Connection lost; trying again…",
  ended: "Your access ended (signed out, or the pairing is over). Sign in again, or ask for a new code.",
  stopped: "Disconnected.",
};

/** @param {import("./compose.js").AppContext} app */
export function statusFeature(app) {
  const { document } = app.env;
  const root = byId(document, "sharing");
  const connection = byId(document, "connection");
  const status = byId(document, "share-status");
  const error = byId(document, "share-error");
  let lost = false;
  /** The error line holds a security warning: routine news does not wipe it (a newer error does). */
  let warning = false;
  app.events.on("connection", ({ state }) => {
    root.dataset.connection = state;
    connection.textContent = /** @type {Record<string, string>} */ (CONNECTION_TEXT)[state] ?? state;
    // Back after a loss: what failed while the server was away is over, and the lines about it
    // would read as current.
    if (state === "waiting") lost = true;
    if (state === "ready" && lost) {
      lost = false;
      if (!warning) error.textContent = "";
      status.textContent = "";
    }
  });
  app.events.on("status", (/** @type {string} */ message) => {
    if (!warning) error.textContent = "";
    status.textContent = message;
  });
  // The user chose whom to send to: an error about the send before ("Choose who to send to…") is
  // over and would read as current. (Not when a peer leaves or comes back: that is not an answer.)
  app.events.on("chosen", () => {
    if (!warning) error.textContent = "";
  });
  app.events.on("error", (/** @type {string} */ message) => {
    status.textContent = ""; // a line about what came before would read as part of the error
    error.textContent = message;
    warning = false;
  });
  // What the line said is over (the offers it was waiting on were answered): it goes, unless
  // something newer replaced it.
  app.events.on("status-over", (/** @type {string} */ message) => {
    if (status.textContent === message) status.textContent = "";
  });
  /** Whose device: a guest unlabelled is "a guest" in a sentence. @param {any} peer */
  const whose = (peer) => (peer.user || peer.label ? peerName(peer) : "a guest");
  app.events.on("key-warning", ({ peer }) => {
    warning = true;
    error.textContent = `Warning: the key of ${whose(peer)}’s device “${peer.device.name}” changed. It may be another device pretending to be it. Compare the verification code before sending anything.`;
  });
  app.events.on("tampered", ({ peer }) => {
    warning = true;
    error.textContent = `Warning: a message from ${whose(peer)}’s device “${peer.device.name}” failed its signature check and was ignored. The server or the network may have changed it.`;
  });
}
