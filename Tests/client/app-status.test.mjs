// The connection line and the status and error regions (Public/js/app/status.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Emitter } from "../../Public/js/emitter.js";
import { statusFeature } from "../../Public/js/app/status.js";

function page() {
  const elements = new Map(["sharing", "connection", "share-status", "share-error"].map((id) => [id, { id, textContent: "", dataset: {} }]));
  const events = new Emitter();
  statusFeature(/** @type {any} */ ({ env: { document: { getElementById: (id) => elements.get(id) ?? null } }, events }));
  return { events, el: (id) => elements.get(id) };
}

test("the connection line follows the socket, and lines from before a loss go once it is back", () => {
  const { events, el } = page();
  events.emit("connection", { state: "ready" });
  assert.equal(el("connection").textContent, "Connected");
  assert.equal(el("sharing").dataset.connection, "ready");

  events.emit("error", "Choose who to send to first.");
  events.emit("connection", { state: "ready" });
  assert.equal(el("share-error").textContent, "Choose who to send to first.", "no loss, nothing cleared");

  events.emit("connection", { state: "waiting" });
  assert.equal(el("connection").textContent, "Connection lost; trying again…");
  assert.equal(el("share-error").textContent, "Choose who to send to first.", "still said while away");
  events.emit("connection", { state: "ready" });
  assert.equal(el("share-error").textContent, "");

  events.emit("status", "Paired with Tablet.");
  assert.equal(el("share-status").textContent, "Paired with Tablet.");
  events.emit("error", "Could not send.");
  assert.equal(el("share-status").textContent, "", "an error replaces the status line");
  events.emit("status-over", "something else");
  assert.equal(el("share-error").textContent, "Could not send.");
  // Choosing someone (or changing who) makes an error about the send before stale.
  events.emit("selection", new Set(["b"]));
  assert.equal(el("share-error").textContent, "Could not send.", "a peer coming back is not the user's answer");
  events.emit("chosen", new Set(["b"]));
  assert.equal(el("share-error").textContent, "");
});

test("a security warning stays over routine news; a newer error replaces it", () => {
  const { events, el } = page();
  const peer = { user: { name: "Ann" }, device: { name: "Laptop" } };
  events.emit("tampered", { peer });
  assert.match(el("share-error").textContent, /failed its signature check/);
  events.emit("status", "report.bin received from Ann · Laptop.");
  assert.match(el("share-error").textContent, /failed its signature check/, "not wiped by a transfer's end");
  assert.equal(el("share-status").textContent, "report.bin received from Ann · Laptop.");
  events.emit("chosen", new Set());
  assert.match(el("share-error").textContent, /failed its signature check/, "not wiped by a selection");
  events.emit("error", "Could not send.");
  assert.equal(el("share-error").textContent, "Could not send.");
  events.emit("status", "Sent.");
  assert.equal(el("share-error").textContent, "", "an ordinary error goes as before");
});
