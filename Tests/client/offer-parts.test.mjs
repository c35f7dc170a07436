// The offer's wire form: a manifest split into messages within the signalling limit, and put
// back together at the receiver, in any order, once per part, within its time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ASSEMBLY_TIMEOUT_MS, MAX_OFFER_PARTS, OFFER_PART_BYTES, OfferAssembly, isOfferPart, offerMessages, splitItems } from "../../Public/js/transfer/offer-parts.js";

/** @param {number} n @param {number} nameLength */
function manifestOf(n, nameLength = 40) {
  const items = Array.from({ length: n }, (_, i) => ({ i, kind: "file", path: `folder/sub/file-${i}-${"x".repeat(nameLength)}.bin`, size: i, type: "", modified: 0 }));
  return { items, count: n, totalSize: items.reduce((sum, item) => sum + item.size, 0) };
}

/** Timers the test fires by hand. */
function manualTimers() {
  /** @type {Map<number, () => void>} */
  const pending = new Map();
  let next = 1;
  return {
    pending,
    setTimeout: /** @type {any} */ ((/** @type {() => void} */ fn, /** @type {number} */ ms) => {
      const id = next++;
      pending.set(id, fn);
      pending.get(id).ms = ms;
      return id;
    }),
    clearTimeout: /** @type {any} */ ((/** @type {number} */ id) => pending.delete(id)),
    fireAll() {
      for (const [id, fn] of [...pending]) {
        pending.delete(id);
        fn();
      }
    },
  };
}

describe("offer parts", () => {
  it("splits large manifests into offer parts within the message limit", () => {
    const { items } = manifestOf(2000);
    const parts = splitItems(items);
    assert.ok(parts.length > 1);
    assert.deepEqual(parts.flat(), items);
    for (const part of parts) assert.ok(JSON.stringify(part).length <= OFFER_PART_BYTES + 10);
  });

  it("makes one message per part, each carrying the offer's count, size, capabilities and resume flag", () => {
    const manifest = manifestOf(2000);
    const messages = offerMessages({ transfer: "t1", manifest, caps: { webrtc: true }, resume: true });
    assert.ok(messages.length > 1);
    messages.forEach((body, part) => {
      assert.equal(body.part, part);
      assert.equal(body.parts, messages.length);
      assert.equal(body.transfer, "t1");
      assert.equal(body.count, 2000);
      assert.equal(body.totalSize, manifest.totalSize);
      assert.deepEqual(body.caps, { webrtc: true });
      assert.equal(body.resume, true);
      assert.ok(isOfferPart(body));
    });
    assert.deepEqual(messages.flatMap((body) => body.items), manifest.items);
  });

  it("refuses a manifest that needs more than the maximum number of parts", () => {
    // The most items that still fit in MAX_OFFER_PARTS parts (item sizes vary with the index).
    let fits = 1;
    while (splitItems(manifestOf(fits * 2, 200).items).length <= MAX_OFFER_PARTS) fits *= 2;
    for (let step = fits / 2; step >= 1; step /= 2) {
      if (splitItems(manifestOf(fits + step, 200).items).length <= MAX_OFFER_PARTS) fits += step;
    }
    const atLimit = manifestOf(fits, 200);
    assert.equal(offerMessages({ transfer: "t", manifest: atLimit, caps: {}, resume: false }).length, MAX_OFFER_PARTS);
    const over = manifestOf(fits + 1, 200);
    assert.throws(() => offerMessages({ transfer: "t", manifest: over, caps: {}, resume: false }), RangeError);
  });

  it("checks the part fields' ranges", () => {
    assert.ok(isOfferPart({ part: 0, parts: 1, items: [] }));
    assert.ok(isOfferPart({ part: MAX_OFFER_PARTS - 1, parts: MAX_OFFER_PARTS, items: [] }));
    for (const body of [
      { part: 0, parts: 0, items: [] },
      { part: 1, parts: 1, items: [] },
      { part: -1, parts: 2, items: [] },
      { part: 0, parts: MAX_OFFER_PARTS + 1, items: [] },
      { part: 0.5, parts: 2, items: [] },
      { part: "0", parts: 2, items: [] },
      { part: 0, parts: 1, items: {} },
      { part: 0, parts: 1 },
    ]) {
      assert.equal(isOfferPart(body), false, JSON.stringify(body));
    }
  });

  it("puts parts back together in any order, each once, and validates the whole", () => {
    const timers = manualTimers();
    const assembly = new OfferAssembly({ timers });
    const manifest = manifestOf(2000);
    const messages = offerMessages({ transfer: "t", manifest, caps: { webrtc: false }, resume: false });
    assert.equal(assembly.add("k", messages[1]), null, "no entry before part 0");
    assembly.start("k", messages[0], () => assert.fail("not expired"));
    const [first, ...rest] = messages;
    for (const body of rest.reverse()) assert.equal(assembly.add("k", body), null);
    assert.equal(assembly.add("k", rest[0]), null, "a repeated part is ignored");
    const done = assembly.add("k", first);
    assert.ok(done?.ok);
    assert.deepEqual(done.manifest.items.map((item) => item.size), manifest.items.map((item) => item.size));
    assert.deepEqual(done.caps, { webrtc: false });
    assert.equal(assembly.has("k"), false, "the entry is gone once complete");
    assert.equal(timers.pending.size, 0, "its timer too");
  });

  it("ignores a part that names another number of parts than part 0", () => {
    const assembly = new OfferAssembly({ timers: manualTimers() });
    const messages = offerMessages({ transfer: "t", manifest: manifestOf(2000), caps: {}, resume: false });
    assembly.start("k", messages[0], () => {});
    assert.equal(assembly.add("k", messages[0]), null);
    assert.equal(assembly.add("k", { ...messages[1], parts: 2 }), null, "would have completed a 2-part offer");
    assert.ok(assembly.has("k"));
  });

  it("answers a complete but invalid manifest with ok: false", () => {
    const assembly = new OfferAssembly({ timers: manualTimers() });
    const body = { transfer: "t", part: 0, parts: 1, count: 2, totalSize: 1, items: [{ i: 0, kind: "file", path: "a", size: 1 }] };
    assembly.start("k", body, () => {});
    assert.deepEqual(assembly.add("k", body), { ok: false });
    assert.equal(assembly.has("k"), false);
  });

  it("forgets an offer whose parts stop coming, and says so once", () => {
    const timers = manualTimers();
    const assembly = new OfferAssembly({ timers });
    const messages = offerMessages({ transfer: "t", manifest: manifestOf(2000), caps: {}, resume: false });
    let expired = 0;
    assembly.start("k", messages[0], () => expired++);
    assembly.start("k", messages[0], () => expired++);
    assert.equal(timers.pending.size, 1, "starting again does not start a second entry");
    assert.equal([...timers.pending.values()][0].ms, ASSEMBLY_TIMEOUT_MS);
    assembly.add("k", messages[0]);
    timers.fireAll();
    assert.equal(expired, 1);
    assert.equal(assembly.has("k"), false);
    assert.equal(assembly.add("k", messages[1]), null, "late parts find nothing");
  });
});
