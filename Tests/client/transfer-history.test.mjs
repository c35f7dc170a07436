// The tab's history of finished transfers (Public/js/app/transfer-history.js): one identity's,
// bounded in rows and size, robust to a refusing or corrupt storage.
import assert from "node:assert/strict";
import { test } from "node:test";
import { storageOrNull } from "../../Public/js/app/dom.js";
import { HISTORY_KEY, MAX_CHARS, MAX_ROWS, STOPPED_NOTE, TransferHistory } from "../../Public/js/app/transfer-history.js";
import { transferRow } from "../../Public/js/app/model.js";

const storage = (quota = Infinity) => {
  const items = new Map();
  const store = {
    writes: 0,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => {
      if (String(value).length > quota) throw new DOMException("full", "QuotaExceededError");
      store.writes++;
      items.set(key, String(value));
    },
    removeItem: (key) => items.delete(key),
    items,
  };
  return store;
};
const ann = () => "user:ann";
const view = (id, state = "done") => ({ id, state, direction: "in", summary: { isText: true, count: 1, names: [] } });

test("keeps the newest rows, within the row and size limits", () => {
  const store = storage();
  const history = new TransferHistory(store, ann);
  for (let i = 0; i < MAX_ROWS + 5; i++) history.record(view(`T${i}`));
  const ids = new TransferHistory(store, ann).entries().map((entry) => entry.view.id);
  assert.equal(ids.length, MAX_ROWS);
  assert.equal(ids[0], "T5");
  assert.equal(ids.at(-1), `T${MAX_ROWS + 4}`);

  const big = "x".repeat(MAX_CHARS / 4);
  for (let i = 0; i < 6; i++) history.record(view(`B${i}`), big);
  const kept = new TransferHistory(store, ann).entries();
  assert.ok(store.items.get(HISTORY_KEY).length <= MAX_CHARS);
  assert.equal(kept.at(-1).view.id, "B5", "the newest stays");
  assert.ok(kept.length < MAX_ROWS, "older rows made room");
});

test("rows are one identity's: another, or a page that does not know its identity yet, neither sees nor keeps them", () => {
  const store = storage();
  new TransferHistory(store, ann).record(view("T1"), "the door code is 4711");
  assert.deepEqual(new TransferHistory(store, () => "user:bob").entries(), [], "the next person in this tab");
  assert.deepEqual(new TransferHistory(store, () => null).entries(), [], "a guest page before its pairing");
  assert.equal(new TransferHistory(store, ann).entries()[0].text, "the door code is 4711");
  // Bob's first row replaces Ann's for good.
  new TransferHistory(store, () => "user:bob").record(view("T2"));
  assert.deepEqual(new TransferHistory(store, ann).entries(), []);
  // Nobody known yet: nothing written.
  const before = store.writes;
  new TransferHistory(store, () => null).record(view("T3"));
  assert.equal(store.writes, before);
});

test("a finish told twice writes once; forget() ends keeping", () => {
  const store = storage();
  const history = new TransferHistory(store, ann);
  history.record(view("T1"));
  history.record(view("T1"));
  assert.equal(store.writes, 1);
  history.record(view("T1"), "text");
  assert.equal(store.writes, 2, "the text is news");
  history.forget();
  history.record(view("T2", "failed"));
  assert.deepEqual(new TransferHistory(store, ann).entries(), []);
});

test("a storage over its quota keeps fewer rows; a corrupt or missing one starts empty", () => {
  const small = storage(400);
  const history = new TransferHistory(small, ann);
  for (let i = 0; i < 10; i++) history.record(view(`T${i}`), "some text");
  const kept = new TransferHistory(small, ann).entries();
  assert.ok(kept.length >= 1 && kept.length < 10);
  assert.equal(kept.at(-1).view.id, "T9");

  const corrupt = storage();
  corrupt.setItem(HISTORY_KEY, "{not json");
  assert.deepEqual(new TransferHistory(corrupt, ann).entries(), []);
  corrupt.setItem(HISTORY_KEY, JSON.stringify({ owner: "user:ann", entries: [{ view: null }, { view: { id: 7 } }, { view: view("ok") }] }));
  assert.deepEqual(new TransferHistory(corrupt, ann).entries().map((entry) => entry.view.id), ["ok"]);

  const none = new TransferHistory(null, ann);
  none.record(view("x"), "t");
  assert.equal(none.entries().length, 1, "kept in memory at least");
  assert.equal(storageOrNull("sessionStorage", { get sessionStorage() { throw new Error("denied"); } }), null);
  assert.equal(storageOrNull("localStorage", { localStorage: corrupt }), corrupt);
});

test("clear forgets everything", () => {
  const store = storage();
  const history = new TransferHistory(store, ann);
  history.record(view("T1"), "hello");
  history.clear();
  assert.deepEqual(new TransferHistory(store, ann).entries(), []);
});

test("an outgoing transfer a reload cut off comes back as stopped, saying how to continue", () => {
  const store = storage();
  const history = new TransferHistory(store, ann);
  const out = { ...view("O1", "running"), direction: "out", peer: { userName: "Bob", deviceName: "Laptop", guest: false }, done: 2, total: 10, summary: { isText: false, count: 1, totalSize: 10, names: ["big.bin"] } };
  history.record(out);
  const writes = store.writes;
  history.record({ ...out, done: 5 }); // progress in the same state writes nothing
  assert.equal(store.writes, writes);
  // …but the page going writes how far it got (once).
  history.record({ ...out, done: 5 }, undefined, { progress: true });
  history.record({ ...out, done: 5 }, undefined, { progress: true });
  assert.equal(store.writes, writes + 1);
  const [restored] = new TransferHistory(store, ann).entries();
  assert.equal(restored.view.done, 5);
  assert.equal(restored.view.state, "cancelled");
  assert.equal(restored.view.note, STOPPED_NOTE);
  const row = transferRow(restored.view);
  assert.equal(row.stateText, STOPPED_NOTE);
  assert.equal(row.canCancel, false, "nothing left to cancel");
  // A finished one comes back as it was.
  history.record({ ...out, state: "done", done: 10 });
  assert.equal(new TransferHistory(store, ann).entries()[0].view.state, "done");
});

test("clearing the finished rows keeps the sends still under way", () => {
  const store = storage();
  const history = new TransferHistory(store, ann);
  history.record(view("F1", "done"));
  history.record({ ...view("O1", "running"), direction: "out" });
  history.clearFinished();
  assert.deepEqual(new TransferHistory(store, ann).entries().map((entry) => entry.view.id), ["O1"]);
  history.remove("O1");
  assert.deepEqual(new TransferHistory(store, ann).entries(), []);
});

test("a sent text is kept once, as the row's text, not again in its view", () => {
  const store = storage();
  const history = new TransferHistory(store, ann);
  const sent = { ...view("S1", "offered"), direction: "out", sentText: "see you at 5" };
  history.record(sent, sent.sentText);
  history.record({ ...sent, state: "done" }, sent.sentText);
  const [entry] = new TransferHistory(store, ann).entries();
  assert.equal(entry.text, "see you at 5");
  assert.equal(entry.view.state, "done");
  assert.equal("sentText" in entry.view, false);
  assert.equal(store.items.get(HISTORY_KEY).split("see you at 5").length, 2, "written once");
});
