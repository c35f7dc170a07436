// Unit tests for Public/js/transfer/write-batch.js: appends are gathered into batches that end on
// multiples of the batch size in the file, each append resolves once its last byte is written,
// and nothing waits for ever (flush, a quiet period).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { WriteBatch } from "../../Public/js/transfer/write-batch.js";

/** Timers driven by hand. */
function handTimers() {
  /** @type {Map<number, () => void>} */
  const pending = new Map();
  let next = 0;
  return {
    pending,
    setTimeout: (/** @type {() => void} */ fn) => (pending.set(++next, fn), next),
    clearTimeout: (/** @type {number} */ id) => void pending.delete(id),
    fire() {
      const fns = [...pending.values()];
      pending.clear();
      for (const fn of fns) fn();
    },
  };
}

/** A file in memory that records each write it gets. */
function memoryFile(size = 0) {
  const bytes = [];
  /** @type {Array<{ at: number, length: number }>} */
  const writes = [];
  let length = size;
  return {
    bytes,
    writes,
    write: async (/** @type {Uint8Array} */ data) => {
      writes.push({ at: length, length: data.length });
      bytes.push(...data);
      length += data.length;
      return length;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("write batch", () => {
  it("gathers appends into batches that end on multiples of the batch size, in order", async () => {
    const timers = handTimers();
    const file = memoryFile(5);
    const batch = new WriteBatch({ offset: 5, write: file.write, timers, batchBytes: 16, quietMs: 10 });
    const sent = [];
    const results = [];
    for (let i = 0; i < 7; i++) {
      const chunk = Uint8Array.from({ length: 6 }, (_, k) => i * 6 + k);
      sent.push(...chunk);
      results.push(batch.append(chunk));
      chunk.fill(0xff); // the caller may reuse its bytes at once
    }
    await tick();
    // 5 + 42 = 47: batches [5, 16), [16, 32), [32, 47) — the last waits.
    assert.deepEqual(file.writes, [{ at: 5, length: 11 }, { at: 16, length: 16 }]);
    assert.deepEqual(await Promise.all(results.slice(0, 4)), [16, 32, 32, 32]);
    assert.equal(await batch.flush(), 47);
    assert.deepEqual(await Promise.all(results.slice(4)), [47, 47, 47]);
    assert.deepEqual(file.bytes, sent);
  });

  it("sends a batch once no append came for a whole quiet period", async () => {
    const timers = handTimers();
    const file = memoryFile();
    const batch = new WriteBatch({ offset: 0, write: file.write, timers, batchBytes: 1024, quietMs: 10 });
    batch.append(new Uint8Array(100)); // arms the timer
    const second = batch.append(new Uint8Array(100)); // comes within the period
    timers.fire(); // not quiet: armed again
    await tick();
    assert.equal(file.writes.length, 0);
    timers.fire(); // a whole quiet period
    assert.equal(await second, 200);
    assert.deepEqual(file.writes, [{ at: 0, length: 200 }]);
    assert.equal(timers.pending.size, 0);
  });

  it("reuses a buffer given back, and reports a failed write to every append in it", async () => {
    const timers = handTimers();
    /** @type {Uint8Array[]} */
    const seen = [];
    let fail = false;
    const batch = new WriteBatch({
      offset: 0,
      timers,
      batchBytes: 8,
      write: async (bytes) => {
        seen.push(bytes);
        if (fail) throw new Error("disk full");
        queueMicrotask(() => batch.give(/** @type {ArrayBuffer} */ (bytes.buffer)));
        return 8 * seen.length;
      },
    });
    assert.equal(await batch.append(new Uint8Array(8)), 8);
    await tick();
    fail = true;
    const a = batch.append(new Uint8Array(3));
    const b = batch.append(new Uint8Array(5));
    await assert.rejects(a, /disk full/);
    await assert.rejects(b, /disk full/);
    assert.equal(seen[1].buffer, seen[0].buffer);
  });
});
