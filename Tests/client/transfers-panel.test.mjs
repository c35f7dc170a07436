// The transfers panel (Public/js/app/transfers-panel.js) on a small fake DOM: a row shows the
// transfer, and a progress update writes only the texts and attributes that changed (each write
// invalidates style and layout while the data channel competes for the same cores).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Emitter } from "../../Public/js/emitter.js";
import { SENT_TEXT_KEPT_CHARS, transfersPanel } from "../../Public/js/app/transfers-panel.js";

/** Elements that count writes to their text, attributes, dataset and `hidden`/`value`. */
function fakeDocument() {
  const writes = { count: 0 };
  const make = (tag) => {
    let text = "";
    let hidden = false;
    let value = 0;
    const attributes = new Map();
    const element = {
      tag,
      className: "",
      children: [],
      dataset: new Proxy(
        {},
        {
          set(target, key, v) {
            writes.count++;
            target[key] = String(v);
            return true;
          },
        },
      ),
      get textContent() {
        return text;
      },
      set textContent(v) {
        writes.count++;
        text = String(v);
      },
      get hidden() {
        return hidden;
      },
      set hidden(v) {
        writes.count++;
        hidden = Boolean(v);
      },
      get value() {
        return value;
      },
      set value(v) {
        writes.count++;
        value = Number(v);
      },
      disabled: false,
      setAttribute(name, v) {
        writes.count++;
        attributes.set(name, String(v));
      },
      toggleAttribute(name, force) {
        if (attributes.has(name) === force) return force; // the DOM's no-op: not a write
        writes.count++;
        if (force) attributes.set(name, "");
        else attributes.delete(name);
        return force;
      },
      getAttribute: (name) => attributes.get(name) ?? null,
      addEventListener() {},
      append: (...nodes) => element.children.push(...nodes),
      prepend: (...nodes) => element.children.unshift(...nodes),
      remove() {},
      closest: () => null,
    };
    return element;
  };
  const byId = new Map(["transfers", "transfers-empty", "transfers-clear"].map((id) => [id, make("div")]));
  return { writes, byId, createElement: make, getElementById: (id) => byId.get(id) ?? null };
}

const view = (done, extra = {}) => ({
  id: "T1",
  direction: "in",
  peerId: "p",
  peer: { deviceId: "d", deviceName: "Laptop", userName: "Ann", guest: false },
  summary: { isText: false, count: 1, names: ["big.bin"] },
  state: "running",
  mode: "direct",
  done,
  total: 1000,
  bytesPerSecond: 100,
  etaMs: ((1000 - done) / 100) * 1000,
  error: null,
  ...extra,
});

test("a row shows the transfer, and an update writes only what changed", () => {
  const document = fakeDocument();
  const events = new Emitter();
  transfersPanel(/** @type {any} */ ({ env: { document }, events, cancel: async () => {}, error() {}, status() {} }));

  events.emit("transfer", view(100));
  const row = document.byId.get("transfers").children[0];
  assert.equal(row.dataset.state, "running");
  const text = (className) => {
    const find = (node) => (node.className === className ? node : node.children?.map(find).find(Boolean));
    return find(row)?.textContent;
  };
  assert.equal(text("transfer-name"), "big.bin");
  assert.equal(text("transfer-path"), "direct");
  assert.equal(text("transfer-progress"), "10%");

  // Only the bytes differ (same percent, speed and time left): one write.
  document.writes.count = 0;
  events.emit("transfer", view(101));
  assert.equal(text("transfer-bytes"), "101 B of 1000 B");
  assert.equal(document.writes.count, 1);

  // Bytes, percent (value and text) and time left: four writes.
  document.writes.count = 0;
  events.emit("transfer", view(300));
  assert.equal(text("transfer-progress"), "30%");
  assert.equal(document.writes.count, 4);

  // The same view again: nothing is written.
  document.writes.count = 0;
  events.emit("transfer", view(300));
  assert.equal(document.writes.count, 0);

  // Done: state, progress, texts and the cancel button change; the row says so.
  events.emit("transfer-done", { transfer: view(1000, { state: "done", etaMs: 0 }) });
  assert.equal(row.dataset.state, "done");
  assert.equal(text("transfer-progress"), "100%");
  assert.equal(text("transfer-eta"), "");
});

/** A sessionStorage stand-in. */
function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    items,
  };
}

/** A panel of Ann's tab over `sessionStorage` (a new one is the same tab after a reload). */
function panelOver(sessionStorage) {
  const document = fakeDocument();
  const events = new Emitter();
  transfersPanel(/** @type {any} */ ({ env: { document, window: { sessionStorage }, historyOwner: () => "user:ann" }, events, cancel: async () => {}, error() {}, status() {} }));
  return { document, events, rows: () => document.byId.get("transfers").children };
}

/** The first node under `node` (itself included) of a class. */
const find = (node, className) => (node.className === className ? node : node.children?.map((child) => find(child, className)).find(Boolean));

test("finished rows and received texts come back after a reload of the tab; running ones do not", () => {
  const sessionStorage = memoryStorage();
  const panel = () => panelOver(sessionStorage);

  const first = panel();
  first.events.emit("transfer", view(100));
  first.events.emit("transfer-done", { transfer: view(1000, { id: "T2", state: "done", summary: { isText: true, count: 1, names: [] } }), text: "the door code is 4711" });
  first.events.emit("transfer-failed", { transfer: view(10, { id: "T3", state: "failed", error: "the sender left" }) });
  assert.equal(first.rows().length, 3);

  const reloaded = panel();
  const rows = reloaded.rows();
  assert.deepEqual(rows.map((row) => row.dataset.transferId), ["T3", "T2"], "newest first, as they came; the running one is not kept");
  assert.equal(find(rows[1], "received-text").textContent, "the door code is 4711");
  assert.equal(rows[0].dataset.state, "failed");
  assert.equal(reloaded.document.byId.get("transfers-clear").hidden, false);

  // The same transfer finishing again (a later view) replaces its row's view and keeps its text.
  reloaded.events.emit("transfer", view(1000, { id: "T2", state: "done", summary: { isText: true, count: 1, names: [] } }));
  const again = panel();
  const t2 = again.rows().find((row) => row.dataset.transferId === "T2");
  assert.equal(find(t2, "received-text").textContent, "the door code is 4711");

  // A row of an unexpected shape (an older client's) is skipped, not the panel.
  sessionStorage.setItem("ferry.transfer-history.1", JSON.stringify({ owner: "user:ann", entries: [{ view: { id: "odd" } }, { view: view(1000, { id: "T9", state: "done" }) }] }));
  assert.deepEqual(panel().rows().map((row) => row.dataset.transferId), ["T9"]);
});

test("a send stopped by a reload says it continued once the same files go to the same device again", () => {
  const sessionStorage = memoryStorage();
  const panel = () => panelOver(sessionStorage);
  const stateOf = (rows, id) => find(rows.find((row) => row.dataset.transferId === id), "transfer-state").textContent;
  const out = (id, extra = {}) => view(300, { id, direction: "out", ...extra });

  const before = panel();
  before.events.emit("transfer", out("OLD"));
  before.events.emit("transfer", out("ELSE", { peer: { deviceId: "other", deviceName: "Phone", userName: "Bob", guest: false } }));
  const reloaded = panel();
  assert.match(stateOf(reloaded.rows(), "OLD"), /stopped when this page was reloaded/);
  // Other files to the same device, or the same files to another device: not a continuation.
  reloaded.events.emit("transfer", out("NEW1", { state: "offered", summary: { isText: false, count: 1, names: ["other.bin"] } }));
  assert.match(stateOf(reloaded.rows(), "OLD"), /stopped when this page was reloaded/);
  reloaded.events.emit("transfer", out("NEW2", { state: "offered" }));
  assert.equal(stateOf(reloaded.rows(), "OLD"), "continued in a newer transfer");
  const rowOf = (id) => reloaded.rows().find((row) => row.dataset.transferId === id);
  assert.equal(rowOf("OLD").getAttribute("data-continued"), "", "shown muted: not a failure");
  assert.equal(rowOf("ELSE").getAttribute("data-continued"), null);
  assert.match(stateOf(reloaded.rows(), "ELSE"), /stopped when this page was reloaded/, "another device's row is left");
  // Kept so across the next reload.
  assert.equal(stateOf(panel().rows(), "OLD"), "continued in a newer transfer");
});

test("the sender's row shows the text it sent; the tab keeps it only when short; a text never continues another", () => {
  const sessionStorage = memoryStorage();
  const panel = () => panelOver(sessionStorage);
  const rowOf = (rows, id) => rows.find((row) => row.dataset.transferId === id);
  const text = { isText: true, count: 1, names: ["message.txt"] };
  const sent = (id, sentText, extra = {}) => view(0, { id, direction: "out", state: "offered", total: sentText.length, summary: text, sentText, ...extra });
  const long = "x".repeat(SENT_TEXT_KEPT_CHARS + 1);

  const first = panel();
  first.events.emit("transfer", sent("SHORT", "see you at 5"));
  first.events.emit("transfer", sent("LONG", long));
  assert.equal(find(rowOf(first.rows(), "SHORT"), "received-text").textContent, "see you at 5");
  assert.equal(find(rowOf(first.rows(), "LONG"), "received-text").textContent, long, "shown while the page lives");

  const reloaded = panel();
  assert.equal(find(rowOf(reloaded.rows(), "SHORT"), "received-text").textContent, "see you at 5");
  assert.equal(find(rowOf(reloaded.rows(), "LONG"), "received-text"), undefined, "too long to keep");
  assert.ok(!sessionStorage.items.get("ferry.transfer-history.1").includes(long));
  // Another text of the same length to the same device is not the stopped one's continuation.
  reloaded.events.emit("transfer", sent("OTHER", "see you at 6"));
  assert.match(find(rowOf(reloaded.rows(), "SHORT"), "transfer-state").textContent, /stopped when this page was reloaded/);
});
