// Unit tests for the file logic behind the workers: transfer/file-reader.js (reading from an
// offset with the prefix hash, read-ahead, a shrinking window) with Node's Blob, and
// transfer/opfs-writer.js against an in-memory stand-in for the OPFS sync access handles.
import { createHash, randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import zlib from "node:zlib";

import { BlobReader } from "../../Public/js/transfer/file-reader.js";
import { FLUSH_BYTES, createOpfsWriter } from "../../Public/js/transfer/opfs-writer.js";
import { DOWNLOAD_SPACING_MS, READ_WORKER_IDLE_MS, downloadName, downloadQueue, dropZipName, workerSource, zipName } from "../../Public/js/transfer/browser-files.js";
import { partName } from "../../Public/js/transfer/resume.js";
import { WRITE_PIECE_BYTES, writeFully } from "../../Public/js/sync-write.js";
import { itemDigest } from "./item-digest.mjs";

const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");

describe("blob reader", () => {
  it("reads from an offset, gives the prefix hash, and hashes the whole file", async () => {
    const data = new Uint8Array(randomBytes(3_000_001));
    for (const offset of [0, 1, 1_000_000, 3_000_001]) {
      const reader = await BlobReader.open(new Blob([data]), offset);
      assert.equal(reader.prefixSha256, offset === 0 ? null : itemDigest(data.subarray(0, offset)));
      const pieces = [];
      for (let block; (block = await reader.read(256 * 1024)) !== null; ) pieces.push(block);
      assert.equal(sha(Buffer.concat(pieces)), sha(data.subarray(offset)), `offset ${offset}`);
      assert.equal(await reader.sha256(), itemDigest(data));
    }
    await assert.rejects(BlobReader.open(new Blob([data]), data.length + 1), RangeError);
  });

  it("honours a smaller maxBytes than the block read ahead", async () => {
    const data = new Uint8Array(randomBytes(1000));
    const reader = await BlobReader.open(new Blob([data]), 0);
    const sizes = [];
    const pieces = [];
    for (const max of [300, 100, 100, 500, 500]) {
      const block = await reader.read(max);
      if (block === null) break;
      assert.ok(block.length <= max);
      sizes.push(block.length);
      pieces.push(block);
    }
    assert.equal(sha(Buffer.concat(pieces)), sha(data));
    assert.equal(await reader.sha256(), itemDigest(data));
  });
});

/** An in-memory directory of fake sync access handles. */
function fakeDirectory() {
  const files = new Map();
  const stats = { flushes: 0, closed: 0 };
  return {
    files,
    stats,
    async getFileHandle(name, { create } = {}) {
      if (!files.has(name)) {
        if (!create) throw new Error("NotFoundError");
        files.set(name, new Uint8Array(0));
      }
      return {
        createSyncAccessHandle: async () => ({
          getSize: () => files.get(name).length,
          read: (buffer, { at }) => {
            const bytes = files.get(name).subarray(at, at + buffer.length);
            buffer.set(bytes);
            return bytes.length;
          },
          write: (buffer, { at }) => {
            const old = files.get(name);
            const next = new Uint8Array(Math.max(old.length, at + buffer.length));
            next.set(old);
            next.set(buffer, at);
            files.set(name, next);
            return buffer.length;
          },
          truncate: (size) => files.set(name, files.get(name).slice(0, size)),
          flush: () => stats.flushes++,
          close: () => stats.closed++,
        }),
      };
    },
    async removeEntry(name) {
      files.delete(name);
    },
  };
}

describe("writeFully", () => {
  /** A handle that records each call and takes at most `take` bytes a call. */
  const recording = (take = Infinity) => {
    const calls = [];
    const file = new Uint8Array(4 * 1024 * 1024);
    return {
      calls,
      file,
      write(buffer, { at }) {
        const n = Math.min(buffer.length, take);
        file.set(buffer.subarray(0, n), at);
        calls.push({ at, length: n, asked: buffer.length });
        return n;
      },
    };
  };

  it("writes a large buffer in calls of at most WRITE_PIECE_BYTES, in order, at the right offsets", () => {
    const data = new Uint8Array(randomBytes(WRITE_PIECE_BYTES * 2 + 1000));
    const handle = recording();
    writeFully(handle, data, 7);
    assert.deepEqual(handle.calls.map((c) => c.asked), [WRITE_PIECE_BYTES, WRITE_PIECE_BYTES, 1000]);
    assert.deepEqual(handle.calls.map((c) => c.at), [7, 7 + WRITE_PIECE_BYTES, 7 + 2 * WRITE_PIECE_BYTES]);
    assert.equal(sha(handle.file.subarray(7, 7 + data.length)), sha(data));
  });

  it("continues after a short write, and refuses a write that takes nothing", () => {
    const data = new Uint8Array(randomBytes(10_000));
    const short = recording(3000);
    writeFully(short, data, 0);
    assert.deepEqual(short.calls.map((c) => c.at), [0, 3000, 6000, 9000]);
    assert.equal(sha(short.file.subarray(0, data.length)), sha(data));
    assert.throws(() => writeFully(recording(0), data, 0), /full/);
    writeFully(recording(0), new Uint8Array(0), 0); // nothing to write: no call, no error
  });
});

describe("OPFS writer", () => {
  const part = partName("DEV", { path: "a.bin", size: 10, modified: 0 });

  it("writes, hashes, flushes in bounded steps and finishes with the digest", async () => {
    const dir = fakeDirectory();
    const writer = createOpfsWriter(dir);
    assert.deepEqual(await writer.open(part), { offset: 0, prefixSha256: null });
    const data = new Uint8Array(randomBytes(FLUSH_BYTES + 1000));
    await writer.write(part, data.subarray(0, 1000));
    assert.equal(await writer.prefix(part), itemDigest(data.subarray(0, 1000)));
    await writer.write(part, data.subarray(1000));
    assert.equal(dir.stats.flushes, 1);
    assert.equal(await writer.finish(part), itemDigest(data));
    assert.equal(sha(dir.files.get(part)), sha(data));
  });

  it("re-hashes a partial file after a reload, truncates on mismatch, and removes", async () => {
    const dir = fakeDirectory();
    const first = createOpfsWriter(dir);
    await first.open(part);
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024 + 7));
    await first.write(part, data.subarray(0, 2_500_000));
    first.close(part);
    const second = createOpfsWriter(dir); // a new worker after the reload
    assert.deepEqual(await second.open(part), { offset: 2_500_000, prefixSha256: itemDigest(data.subarray(0, 2_500_000)) });
    await second.write(part, data.subarray(2_500_000));
    assert.equal(await second.finish(part), itemDigest(data));
    await second.open(part);
    second.truncate(part);
    assert.equal(await second.prefix(part), null);
    await second.remove(part);
    assert.equal(dir.files.has(part), false);
    await assert.rejects(second.open("../escape"), /bad part name/);
  });

  it("reads a finished part's CRC-32 back from disk, for a zip; never of a part still written", async () => {
    const dir = fakeDirectory();
    const writer = createOpfsWriter(dir);
    await writer.open(part);
    const data = new Uint8Array(randomBytes(2 * 1024 * 1024 + 3)); // more than one read buffer
    await writer.write(part, data);
    await assert.rejects(writer.crc32(part), /still being written/);
    await writer.finish(part);
    assert.equal(await writer.crc32(part), zlib.crc32(data));
    await assert.rejects(writer.crc32("../escape"), /bad part name/);
  });

  it("flattens folder paths for downloads, and names a zip by its one folder or its sender", () => {
    assert.equal(downloadName("Photos/2024/a.jpg"), "Photos_2024_a.jpg");
    assert.equal(zipName({ items: [{ path: "Proj/a.txt" }, { path: "Proj/sub/b.md" }] }, "Ann"), "Proj.zip");
    assert.equal(zipName({ items: [{ path: "Proj/a.txt" }, { path: "x.pdf" }] }, "Ann"), "From Ann.zip");
    assert.equal(zipName({ items: [{ path: "a" }, { path: "b" }] }, "Ann/../evil"), "From Ann_.._evil.zip");
    assert.equal(dropZipName(["Photos/a.jpg", "Photos/2024/b.jpg"]), "Photos.zip");
    assert.equal(dropZipName(["beach.jpg", "notes.txt", "c"]), "beach and 2 more.zip");
    assert.equal(dropZipName(["report.final.pdf"]), "report.final.zip");
    assert.equal(dropZipName([".profile", "x"]), ".profile and 1 more.zip");
  });
});

/**
 * A read worker as transfer/read-worker.js answers (in order, one request at a time), in this
 * process. `hold` (a promise) keeps it busy before its next answer.
 */
class FakeReadWorker {
  /** @type {FakeReadWorker[]} */
  static made = [];
  constructor() {
    this.terminated = false;
    /** @type {Array<(event: { data: any }) => void>} */
    this.listeners = [];
    /** @type {BlobReader | null} */
    this.reader = null;
    this.queue = Promise.resolve();
    /** @type {Promise<void> | null} */
    this.hold = null;
    FakeReadWorker.made.push(this);
  }
  addEventListener(_type, listener) {
    this.listeners.push(listener);
  }
  terminate() {
    this.terminated = true;
  }
  postMessage(request) {
    this.queue = this.queue.then(async () => {
      if (this.hold) await this.hold;
      let reply;
      if (request.type === "open") {
        this.reader = await BlobReader.open(request.file, request.offset);
        reply = { type: "opened", prefixSha256: this.reader.prefixSha256 };
      } else if (request.type === "read") {
        const block = await this.reader.read(request.maxBytes);
        reply = block === null ? { type: "block", bytes: null } : { type: "block", bytes: block.slice().buffer, length: block.byteLength };
      } else {
        reply = { type: "digest", sha256: await this.reader.sha256() };
      }
      if (!this.terminated) for (const listener of this.listeners) listener({ data: reply });
    });
  }
}

/** Timers run by hand: `fire()` runs the ones set so far. */
function manualTimers() {
  const pending = new Map();
  let next = 0;
  return {
    pending,
    setTimeout: (fn, ms) => (pending.set(++next, { fn, ms }), next),
    clearTimeout: (id) => pending.delete(id),
    fire: () => {
      const due = [...pending.values()];
      pending.clear();
      for (const { fn } of due) fn();
    },
  };
}

/** @param {import("../../Public/js/transfer/sender.js").Reader} reader */
async function readAll(reader) {
  const pieces = [];
  for (let block; (block = await reader.read(1 << 20)) !== null; ) pieces.push(Buffer.from(block));
  return Buffer.concat(pieces);
}

describe("worker source", () => {
  it("reads item after item in one worker, and ends it once idle", async () => {
    FakeReadWorker.made = [];
    const timers = manualTimers();
    const data = [0, 1, 2].map((i) => new Uint8Array(randomBytes(1000 + i)));
    const source = workerSource(data.map((bytes) => new Blob([bytes])), () => new FakeReadWorker(), timers);
    for (const [index, bytes] of data.entries()) {
      const reader = await source.open(index, 0);
      assert.equal(sha(await readAll(reader)), sha(bytes));
      assert.equal(await reader.sha256(), itemDigest(bytes));
      reader.close();
      assert.equal(timers.pending.size, 1, "the end of an idle worker is scheduled");
      assert.equal([...timers.pending.values()][0].ms, READ_WORKER_IDLE_MS);
    }
    assert.equal(FakeReadWorker.made.length, 1, "one worker for the three items");
    assert.equal(FakeReadWorker.made[0].terminated, false);
    timers.fire();
    assert.equal(FakeReadWorker.made[0].terminated, true, "ended after its last item");
    // A later item gets a new worker.
    const reader = await source.open(1, 500);
    assert.equal(reader.prefixSha256, itemDigest(data[1].subarray(0, 500)));
    assert.equal(sha(await readAll(reader)), sha(data[1].subarray(500)));
    assert.equal(FakeReadWorker.made.length, 2);
  });

  it("ends a worker still busy with an abandoned item instead of waiting behind it", async () => {
    FakeReadWorker.made = [];
    const timers = manualTimers();
    const data = [new Uint8Array(randomBytes(3000)), new Uint8Array(randomBytes(2000))];
    const source = workerSource(data.map((bytes) => new Blob([bytes])), () => new FakeReadWorker(), timers);
    const first = await source.open(0, 0);
    let release = () => {};
    FakeReadWorker.made[0].hold = new Promise((resolve) => (release = resolve));
    let abandonedRead = "pending";
    void first.read(1000).then(() => (abandonedRead = "answered"), () => (abandonedRead = "failed"));
    first.close();
    const second = await source.open(1, 0); // answered though the first worker never is
    assert.equal(sha(await readAll(second)), sha(data[1]));
    assert.equal(FakeReadWorker.made.length, 2);
    assert.equal(FakeReadWorker.made[0].terminated, true);
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(abandonedRead, "pending", "an ended worker answers nothing");
    await assert.rejects(first.read(10), /closed/, "a reader of an ended worker refuses to read");
  });
});

describe("download queue", () => {
  /** Whether leaving the page now would ask first. @param {EventTarget} guard */
  const asksBeforeLeaving = (guard) => {
    const event = new Event("beforeunload", { cancelable: true });
    guard.dispatchEvent(event);
    return event.defaultPrevented;
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it("starts downloads one by one and asks before the page is left while any waits", async () => {
    const timers = manualTimers();
    const guard = new EventTarget();
    const enqueue = downloadQueue(timers, guard);
    const started = [];
    assert.equal(asksBeforeLeaving(guard), false, "nothing queued");
    for (const name of ["a", "b", "c"]) enqueue(() => started.push(name));
    assert.equal(asksBeforeLeaving(guard), true, "three downloads wait");
    await settle();
    assert.deepEqual(started, ["a"]);
    assert.equal([...timers.pending.values()][0].ms, DOWNLOAD_SPACING_MS);
    assert.equal(asksBeforeLeaving(guard), true, "two still wait");
    timers.fire();
    await settle();
    assert.deepEqual(started, ["a", "b"]);
    timers.fire();
    await settle();
    assert.deepEqual(started, ["a", "b", "c"]);
    assert.equal(asksBeforeLeaving(guard), false, "every download started: leaving is free");
    // A start that throws still counts as started, and the next one follows.
    enqueue(() => {
      throw new Error("blocked");
    });
    enqueue(() => started.push("d"));
    timers.fire();
    await settle();
    timers.fire();
    await settle();
    assert.deepEqual(started, ["a", "b", "c", "d"]);
    assert.equal(asksBeforeLeaving(guard), false);
  });
});
