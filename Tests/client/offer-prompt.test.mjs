// The incoming-offer prompt (Public/js/app/offer-prompt.js) on a small fake DOM: it never opens
// with the focus on Accept, its buttons take clicks only once armed, each prompt arms on its own
// (an offer made again under the same id included), and the focus goes back where it was.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Emitter } from "../../Public/js/emitter.js";
import { ARMING_MS, offerPrompt } from "../../Public/js/app/offer-prompt.js";

function fakePage() {
  const document = { activeElement: null };
  const make = (id) => {
    const listeners = new Map();
    const element = {
      id,
      textContent: "",
      hidden: false,
      disabled: false,
      dataset: {},
      open: false,
      isConnected: true,
      children: [],
      classes: new Set(),
      classList: { toggle: (name, on) => (on ? element.classes.add(name) : element.classes.delete(name)) },
      setAttribute() {},
      append: (...nodes) => element.children.push(...nodes),
      replaceChildren: (...nodes) => (element.children = nodes),
      addEventListener: (type, fn) => listeners.set(type, fn),
      click: () => !element.disabled && listeners.get("click")?.(),
      focus: () => (document.activeElement = element),
      showModal: () => (element.open = true),
      close: () => (element.open = false),
    };
    return element;
  };
  const ids = ["offer-dialog", "offer-title", "offer-from", "offer-trust", "offer-warning", "offer-summary", "offer-items", "offer-resumable", "offer-accept", "offer-accept-folder", "offer-accept-zip", "offer-decline", "offer-verify"];
  const elements = new Map(ids.map((id) => [id, make(id)]));
  Object.assign(document, { getElementById: (id) => elements.get(id) ?? null, createElement: (tag) => make(tag) });
  const timers = [];
  const window = { setTimeout: (fn, ms) => timers.push({ fn, ms }) };
  const answers = [];
  const app = {
    env: { document, window },
    events: new Emitter(),
    accept: async (id, target) => answers.push(["accept", id, target.kind]),
    decline: async (id) => answers.push(["decline", id]),
    status() {},
  };
  offerPrompt(/** @type {any} */ (app));
  const offer = (offerId) => ({
    offerId,
    peer: { id: "p", user: { name: "Ann" }, device: { name: "Laptop" }, rooms: [], keyStatus: "known" },
    manifest: { items: [{ path: "a.bin", size: 3 }] },
    summary: { isText: false, count: 1, totalSize: 3 },
    resumableBytes: 0,
  });
  return { document, app, el: (id) => elements.get(id), timers, answers, offer, make };
}

test("opens on its title, armed only after a moment, and gives the focus back", async () => {
  const page = fakePage();
  const typing = page.make("text-message");
  typing.focus();
  page.app.events.emit("offer", page.offer("T1"));
  assert.equal(page.el("offer-dialog").open, true);
  assert.equal(page.document.activeElement, page.el("offer-title"), "not Accept: a key pressed meanwhile answers nothing");
  assert.equal(page.el("offer-accept").disabled, true);
  page.el("offer-accept").click();
  assert.deepEqual(page.answers, [], "a click before it is armed answers nothing");
  assert.equal(page.timers[0].ms, ARMING_MS);
  page.timers[0].fn();
  assert.equal(page.el("offer-accept").disabled, false);
  page.el("offer-accept").click();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(page.answers, [["accept", "T1", "download"]]);
  assert.equal(page.el("offer-dialog").open, false);
  assert.equal(page.document.activeElement, typing, "back where the user was");
});

test("a prompt that follows, even under the same id, arms on its own", async () => {
  const page = fakePage();
  page.app.events.emit("offer", page.offer("T1"));
  // Withdrawn and made again (same transfer id) before the first prompt armed.
  page.app.events.emit("offer-gone", { offerId: "T1", reason: "the sender left" });
  page.app.events.emit("offer", page.offer("T1"));
  assert.equal(page.timers.length, 2);
  page.timers[0].fn(); // the first prompt's timer
  assert.equal(page.el("offer-accept").disabled, true, "the old timer does not arm the new prompt");
  page.timers[1].fn();
  assert.equal(page.el("offer-decline").disabled, false);
  page.el("offer-decline").click();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(page.answers, [["decline", "T1"]]);
});

test("several files put the zip first; one file is a plain Accept", () => {
  const page = fakePage();
  const several = { ...page.offer("T2"), manifest: { items: [{ path: "a/x.bin", size: 3 }, { path: "a/y.bin", size: 4 }] }, summary: { isText: false, count: 2, totalSize: 7 } };
  page.app.events.emit("offer", several);
  assert.equal(page.el("offer-accept-zip").hidden, false);
  assert.equal(page.el("offer-accept-zip").classes.has("button-primary"), true);
  assert.equal(page.el("offer-accept").classes.has("button-primary"), false);
  assert.equal(page.el("offer-accept").textContent, "Accept as 2 downloads");
  page.timers[0].fn();
  page.el("offer-decline").click();
  page.app.events.emit("offer", page.offer("T3"));
  assert.equal(page.el("offer-accept-zip").hidden, true);
  assert.equal(page.el("offer-accept").textContent, "Accept");
  assert.equal(page.el("offer-accept").classes.has("button-primary"), true);
});

test("a sender not verified can be checked from the prompt, and the trust line follows", async () => {
  const page = fakePage();
  const asked = [];
  page.app.events.on("verify-peer", (peerId) => asked.push(peerId));
  page.app.events.emit("offer", { ...page.offer("T1"), peer: { ...page.offer("T1").peer, keyStatus: "changed" } });
  assert.equal(page.el("offer-dialog").open, true);
  assert.equal(page.el("offer-trust").textContent, "key changed!");
  assert.equal(page.el("offer-warning").hidden, false);
  assert.equal(page.el("offer-verify").hidden, false);
  page.el("offer-verify").click();
  assert.deepEqual(asked, ["p"], "the verification dialog is asked for, for the sender");
  // Another peer's change does not touch the prompt; the sender's verification does.
  page.app.events.emit("peers", [{ id: "q", keyStatus: "verified" }]);
  assert.equal(page.el("offer-trust").textContent, "key changed!");
  page.app.events.emit("peers", [{ id: "p", keyStatus: "verified" }]);
  assert.equal(page.el("offer-trust").textContent, "verified");
  assert.equal(page.el("offer-warning").hidden, true);
  assert.equal(page.el("offer-verify").hidden, true);
  assert.equal(page.el("offer-dialog").open, true, "still waiting for an answer");
  assert.deepEqual(page.answers, [], "verifying answers nothing");
});
