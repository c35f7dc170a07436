// Unit tests for Public/js/transfer/resume.js: part names that survive a sender reload, offsets,
// accepted transfers that continue after a receiver reload, and pruning.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { RESUME_STORAGE_KEY, ResumeBook, partName } from "../../Public/js/transfer/resume.js";

const storage = () => {
  const map = new Map();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) };
};
const item = { i: 0, kind: "file", path: "a/b.bin", size: 1000, type: "", modified: 5 };
const manifest = { items: [item, { ...item, i: 1, path: "c.bin", size: 500 }], count: 2, totalSize: 1500 };

describe("resume book", () => {
  it("names part files by device and file identity, not by transfer", () => {
    assert.equal(partName("DEV", item), partName("DEV", { ...item, i: 7 }));
    assert.match(partName("DEV", item), /^[0-9a-f]{32}\.part$/);
    assert.notEqual(partName("DEV", item), partName("OTHER", item));
    assert.notEqual(partName("DEV", item), partName("DEV", { ...item, size: 1001 }));
    assert.notEqual(partName("DEV", item), partName("DEV", { ...item, modified: 6 }));
  });

  it("keeps offsets across reloads and reports how much of an offer is already here", () => {
    const store = storage();
    const book = new ResumeBook(store, () => 0);
    book.checkpoint(partName("DEV", item), 400, 1000);
    const again = new ResumeBook(store, () => 0);
    assert.equal(again.offsetOf(partName("DEV", item)), 400);
    assert.equal(again.resumableBytes("DEV", manifest), 400);
    assert.equal(again.resumableBytes("OTHER", manifest), 0);
    again.forgetPart(partName("DEV", item));
    assert.equal(new ResumeBook(store).offsetOf(partName("DEV", item)), 0);
  });

  it("continues an accepted transfer only with the same device and manifest", () => {
    const store = storage();
    new ResumeBook(store, () => 0).accepted("T1", "DEV", manifest, "opfs");
    const book = new ResumeBook(store, () => 0);
    assert.deepEqual(book.wasAccepted("T1", "DEV", manifest), { target: "opfs", next: 0 });
    book.delivered("T1", 0);
    assert.deepEqual(new ResumeBook(store).wasAccepted("T1", "DEV", manifest), { target: "opfs", next: 1 }, "delivered items are not received twice");
    assert.equal(book.wasAccepted("T1", "OTHER", manifest), null);
    assert.equal(book.wasAccepted("T1", "DEV", { ...manifest, totalSize: 1 }), null);
    assert.equal(book.wasAccepted("T2", "DEV", manifest), null);
    book.finished("T1");
    assert.equal(book.wasAccepted("T1", "DEV", manifest), null);
  });

  it("prunes old entries and names their part files", () => {
    let now = 0;
    const store = storage();
    const book = new ResumeBook(store, () => now);
    book.checkpoint("old.part", 1, 2);
    book.accepted("T", "DEV", manifest, "opfs");
    now = 8 * 24 * 3600 * 1000;
    book.checkpoint("new.part", 1, 2);
    assert.deepEqual(book.prune(), ["old.part"]);
    assert.equal(book.wasAccepted("T", "DEV", manifest), null);
    assert.equal(book.offsetOf("new.part"), 1);
    store.setItem(RESUME_STORAGE_KEY, "garbage");
    assert.equal(new ResumeBook(store).offsetOf("new.part"), 0);
  });

  it("remembers part files handed over as downloads until they are deleted, across reloads", () => {
    let now = 1_000;
    const store = storage();
    const book = new ResumeBook(store, () => now);
    book.handedOver("a.part");
    book.handedOver("b.part");
    now += 30_000;
    assert.deepEqual(book.handedOverParts(60_000), [{ part: "a.part", dueInMs: 30_000 }, { part: "b.part", dueInMs: 30_000 }]);
    book.deletedHandedOver("b.part"); // the page's own timer deleted it
    // The page went before its timer for a.part: a later start (a new book) finds it, due or not.
    const next = new ResumeBook(store, () => now);
    assert.deepEqual(next.handedOverParts(60_000), [{ part: "a.part", dueInMs: 30_000 }]);
    now += 40_000;
    assert.deepEqual(next.handedOverParts(60_000), [{ part: "a.part", dueInMs: 0 }]);
    next.deletedHandedOver("a.part");
    assert.deepEqual(new ResumeBook(store, () => now).handedOverParts(60_000), [], "forgotten once deleted");
    // Data saved before this record existed still loads.
    store.setItem(RESUME_STORAGE_KEY, JSON.stringify({ parts: {}, accepted: {} }));
    assert.deepEqual(new ResumeBook(store, () => now).handedOverParts(0), []);
  });
});
