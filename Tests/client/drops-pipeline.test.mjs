// The drop download's pipeline: records opened in place (here or on a worker), a bounded number of
// ranges in the pipeline, writes in order and only of verified records, and the first failure stopping
// everything before decodeStream rejects.
import assert from "node:assert/strict";
import { test } from "node:test";

import { AsyncQueue } from "../../Public/js/drops/async-queue.js";
import { decodeStream, PIPELINE_RANGES, RANGE_RECORDS } from "../../Public/js/drops/decode-stream.js";
import { DamagedError, encodeAll, RecordOpener } from "../../Public/js/drops/ece.js";
import { localOpeners, openInPlace, workerOpeners } from "../../Public/js/drops/open-records.js";

const K = 65_536;
const RS = 65_553;
const ikm = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const salt = Uint8Array.from({ length: 16 }, (_, i) => 200 - i);
const plain = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 16)) % 256);
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

test("an async queue hands items over in order, ends, and fails every waiter", async () => {
  const queue = new AsyncQueue([1]);
  const waiting = [queue.take(), queue.take()];
  queue.put(2);
  queue.put(3);
  assert.deepEqual(await Promise.all(waiting), [1, 2]);
  queue.end();
  assert.equal(await queue.take(), 3);
  assert.equal(await queue.take(), undefined);
  const failing = new AsyncQueue();
  const waiter = failing.take();
  const boom = new Error("boom");
  failing.fail(boom);
  failing.put(4);
  await assert.rejects(waiter, (error) => error === boom);
  await assert.rejects(failing.take(), (error) => error === boom);
});

test("records are opened in place: the plaintext at the buffer's front, damage refused", async () => {
  const size = 40 * K + 5; // more than one batch of 32 records
  const data = plain(size);
  const stream = await encodeAll(ikm, salt, data);
  const opener = await RecordOpener.create(ikm, stream.subarray(0, 21));
  const buffer = new ArrayBuffer(stream.length + 7);
  new Uint8Array(buffer).set(stream, 7);
  const opened = await openInPlace(opener, { buffer, offset: 7 + 21, length: stream.length - 21, sequence: 0, last: true });
  assert.equal(opened.plaintext, size);
  assert.equal(opened.finished, true);
  assert.deepEqual(new Uint8Array(opened.buffer, 0, size), data);
  // From a later record on, as a resumed range.
  const later = stream.slice(21 + 3 * RS, 21 + 5 * RS);
  const part = await openInPlace(opener, { buffer: later.buffer, offset: 0, length: later.length, sequence: 3, last: false });
  assert.deepEqual(new Uint8Array(part.buffer, 0, part.plaintext), data.subarray(3 * K, 5 * K));
  assert.equal(part.finished, false);
  const bad = stream.slice(21, 21 + 2 * RS);
  bad[RS + 9] ^= 1;
  await assert.rejects(openInPlace(opener, { buffer: bad.buffer, offset: 0, length: bad.length, sequence: 0, last: false }), DamagedError);
});

/** A server of `stream`, answering short with `cut(start, end)` bytes; records what was asked. */
function server(stream, { cut = null } = {}) {
  const asked = [];
  return {
    asked,
    async fetchRange(start, end) {
      asked.push([start, end]);
      await tick();
      const stop = cut ? Math.min(end, start + cut(start, end)) : end;
      return stream.slice(start, stop);
    },
  };
}

const run = async (stream, size, options = {}) => {
  const out = [];
  await decodeStream({
    length: stream.length,
    size,
    salt,
    ikm,
    write: (bytes) => void out.push(bytes.slice()),
    rangeRecords: 2,
    ...options,
  });
  return new Uint8Array(Buffer.concat(out));
};

test("a stream opens whole across ranges of whole records", async () => {
  const size = 11 * K + 3;
  const data = plain(size);
  const stream = await encodeAll(ikm, salt, data);
  const source = server(stream);
  assert.deepEqual(await run(stream, size, { fetchRange: source.fetchRange }), data);
  assert.deepEqual(source.asked, [[0, 21 + 2 * RS], ...[1, 2, 3, 4, 5].map((n) => [21 + 2 * n * RS, Math.min(stream.length, 21 + 2 * (n + 1) * RS)])]);
});

test("a short answer: its whole records are opened and the cut record asked for again", async () => {
  const size = 7 * K + 100;
  const data = plain(size);
  const stream = await encodeAll(ikm, salt, data);
  const source = server(stream, { cut: (start, end) => (start === 0 || end - start < 2 * RS ? end : Math.ceil((end - start) / 2) + 10) });
  assert.deepEqual(await run(stream, size, { fetchRange: source.fetchRange, rangeRecords: 3 }), data);
  assert.equal(source.asked[1][0], 21 + 3 * RS);
  assert.equal(source.asked[2][0], 21 + 4 * RS, "the record cut in two is asked for again");
  const nothing = server(stream, { cut: (start) => (start === 0 ? Infinity : 100) });
  await assert.rejects(run(stream, size, { fetchRange: nothing.fetchRange }), DamagedError);
});

/**
 * A download of `ranges` ranges of 2 records opened slowly here, `pipelineRanges` given or not;
 * the events: each range read, given to the opener, opened, and each write.
 */
async function slowDownload(ranges, pipelineRanges) {
  const size = ranges * 2 * K;
  const data = plain(size);
  const stream = await encodeAll(ikm, salt, data);
  const source = server(stream);
  const events = [];
  /** Opens here, slowly, and logs when each range is given and done. */
  const slow = async (...args) => {
    const local = await localOpeners(...args);
    return {
      async open(job) {
        events.push(`open ${job.sequence}`);
        for (let i = 0; i < 20; i++) await tick();
        const opened = await local.open(job);
        events.push(`opened ${job.sequence}`);
        return opened;
      },
      close() {},
    };
  };
  const out = [];
  await decodeStream({
    fetchRange: async (start, end) => {
      events.push(`read ${start}`);
      return source.fetchRange(start, end);
    },
    length: stream.length,
    size,
    salt,
    ikm,
    rangeRecords: 2,
    ...(pipelineRanges === undefined ? {} : { pipelineRanges }),
    openers: slow,
    write: (bytes) => {
      events.push("write");
      out.push(bytes.slice());
    },
  });
  assert.deepEqual(new Uint8Array(Buffer.concat(out)), data);
  return events;
}

test("opening overlaps the next ranges' fetching, as many ranges in the pipeline as asked, writes in order", async () => {
  const events = await slowDownload(10, 3);
  // The second and third ranges were read before the first was opened: they overlap.
  assert.ok(events.indexOf(`read ${21 + 2 * RS}`) < events.indexOf("opened 0"), events.join(", "));
  assert.ok(events.indexOf(`read ${21 + 4 * RS}`) < events.indexOf("opened 0"), events.join(", "));
  // But not a fourth: three ranges in the pipeline.
  assert.ok(events.indexOf(`read ${21 + 6 * RS}`) > events.indexOf("write"), events.join(", "));
  // Every range opened in order, and written once opened.
  const opened = events.filter((event) => event.startsWith("opened")).map((event) => Number(event.split(" ")[1]));
  assert.deepEqual(opened, Array.from({ length: 10 }, (_, i) => 2 * i));
  assert.equal(events.filter((event) => event === "write").length, 10);
});

test("by default a range is 32 records, each written as one 2 MiB piece at a record boundary", async () => {
  assert.equal(RANGE_RECORDS, 32);
  const size = 2 * RANGE_RECORDS * K + 3 * K + 7; // two whole ranges and a short last one
  const data = plain(size);
  const stream = await encodeAll(ikm, salt, data);
  const asked = [];
  const pieces = [];
  let at = 0;
  await decodeStream({
    fetchRange: async (start, end) => {
      asked.push(end - start);
      return stream.slice(start, end);
    },
    length: stream.length,
    size,
    salt,
    ikm,
    openers: localOpeners,
    write: (bytes) => {
      assert.deepEqual(bytes, data.subarray(at, at + bytes.length));
      pieces.push([at, bytes.length]);
      at += bytes.length;
    },
  });
  assert.deepEqual(asked, [21 + RANGE_RECORDS * RS, RANGE_RECORDS * RS, stream.length - 21 - 2 * RANGE_RECORDS * RS]);
  assert.deepEqual(pieces, [[0, 2 * 1024 * 1024], [2 * 1024 * 1024, 2 * 1024 * 1024], [4 * 1024 * 1024, 3 * K + 7]]);
});

test("a pipeline of fewer than two ranges, or a range of no record, is refused", async () => {
  const stream = await encodeAll(ikm, salt, plain(K));
  const source = server(stream);
  for (const pipelineRanges of [1, 0, NaN, 2.5]) {
    await assert.rejects(run(stream, K, { fetchRange: source.fetchRange, pipelineRanges }), RangeError);
  }
  for (const rangeRecords of [0, -1, NaN]) {
    await assert.rejects(run(stream, K, { fetchRange: source.fetchRange, rangeRecords }), RangeError);
  }
  assert.deepEqual(await run(stream, K, { fetchRange: source.fetchRange, pipelineRanges: 2 }), plain(K));
});

test("by default the pipeline holds PIPELINE_RANGES ranges: that many are read before the first write", async () => {
  assert.ok(PIPELINE_RANGES > 3, "more than one range fetched, one opened and one written");
  const events = await slowDownload(PIPELINE_RANGES + 4);
  const firstWrite = events.indexOf("write");
  const readBefore = events.slice(0, firstWrite).filter((event) => event.startsWith("read")).length;
  assert.equal(readBefore, PIPELINE_RANGES, events.join(", "));
});

test("the first failure stops the pipeline: nothing unverified written, no write left running", async () => {
  const size = 12 * K;
  const data = plain(size);
  const stream = await encodeAll(ikm, salt, data);
  const damaged = stream.slice();
  damaged[21 + 6 * RS + 50] ^= 0x10; // record 6: the fourth range
  const writes = [];
  let writing = false;
  const write = async (bytes) => {
    writing = true;
    for (let i = 0; i < 5; i++) await tick();
    writes.push(bytes.length);
    writing = false;
  };
  await assert.rejects(run(damaged, size, { fetchRange: server(damaged).fetchRange, write }), DamagedError);
  assert.equal(writing, false);
  assert.equal(writes.reduce((a, b) => a + b, 0), 6 * K, "the three verified ranges, nothing after");
  // A network failure on a later range: nothing past the verified ranges before it is written
  // (the failure stops the writer at once, so maybe fewer), and no write is under way when
  // decodeStream rejects.
  writes.length = 0;
  const lost = new Error("network");
  const source = server(stream);
  const flaky = (start, end) => (start >= 21 + 8 * RS ? Promise.reject(lost) : source.fetchRange(start, end));
  await assert.rejects(run(stream, size, { fetchRange: flaky, write }), (error) => error === lost);
  assert.equal(writing, false);
  assert.ok(writes.reduce((a, b) => a + b, 0) <= 8 * K);
});

test("a worker's openers: jobs go to the worker and back; a worker that fails to start opens here", async () => {
  const size = 9 * K + 1;
  const data = plain(size);
  const stream = await encodeAll(ikm, salt, data);
  /** A worker in this thread speaking open-worker.js's messages. */
  class FakeWorker extends EventTarget {
    streams = new Map();
    jobs = 0;
    queue = Promise.resolve();
    constructor() {
      super();
      setTimeout(() => this.answer({ ready: true }));
    }
    answer(data) {
      this.dispatchEvent(Object.assign(new Event("message"), { data }));
    }
    postMessage(data, transfer = []) {
      if (transfer.length) assert.equal(transfer[0], data.buffer);
      if (data.op === "start") this.streams.set(data.stream, RecordOpener.create(data.ikm, data.header));
      if (data.op !== "open") return;
      this.jobs++;
      const opener = this.streams.get(data.stream);
      this.queue = this.queue.then(() => opener).then((opened) => openInPlace(opened, data)).then(
        (opened) => this.answer({ id: data.id, ok: true, ...opened }),
        (error) => this.answer({ id: data.id, ok: false, damaged: error instanceof DamagedError, detail: error.message.replace(/^damaged: /, ""), message: error.message }),
      );
    }
  }
  let worker;
  const openers = workerOpeners(() => (worker = new FakeWorker()));
  assert.deepEqual(await run(stream, size, { fetchRange: server(stream).fetchRange, openers }), data);
  assert.equal(worker.jobs, 5);
  const damaged = stream.slice();
  damaged[21 + RS * 4 + 3] ^= 1;
  await assert.rejects(run(damaged, size, { fetchRange: server(damaged).fetchRange, openers }), DamagedError);
  class BrokenWorker extends EventTarget {
    constructor() {
      super();
      setTimeout(() => this.dispatchEvent(new Event("error")));
    }
    postMessage() {
      throw new Error("not started");
    }
  }
  const fallback = workerOpeners(() => new BrokenWorker());
  assert.deepEqual(await run(stream, size, { fetchRange: server(stream).fetchRange, openers: fallback }), data);
});

test("each range is read into the memory of a range already written: as many buffers as ranges in the pipeline", async () => {
  const size = 20 * K;
  const data = plain(size);
  const stream = await encodeAll(ikm, salt, data);
  const given = new Set();
  const fetchRange = async (start, end, into) => {
    await tick();
    assert.ok(into instanceof ArrayBuffer && into.byteLength >= end - start, "memory for every range");
    given.add(into);
    const bytes = new Uint8Array(into, 0, end - start);
    bytes.set(stream.subarray(start, end));
    return bytes;
  };
  assert.deepEqual(await run(stream, size, { fetchRange, pipelineRanges: 3 }), data);
  // Ten ranges through at most three buffers (fewer when the opening keeps up).
  assert.ok(given.size <= 3, `${given.size} buffers`);
  given.clear();
  const longer = await encodeAll(ikm, salt, plain(4 * PIPELINE_RANGES * K));
  const fetchLonger = async (start, end, into) => {
    await tick();
    given.add(into);
    const bytes = new Uint8Array(into, 0, end - start);
    bytes.set(longer.subarray(start, end));
    return bytes;
  };
  assert.deepEqual(await run(longer, 4 * PIPELINE_RANGES * K, { fetchRange: fetchLonger }), plain(4 * PIPELINE_RANGES * K));
  // Twice as many ranges as the pipeline holds, through at most PIPELINE_RANGES buffers.
  assert.ok(given.size <= PIPELINE_RANGES, `${given.size} buffers`);
  // The header alone, before a resume, is asked for without memory.
  const asked = [];
  const resumed = await run(stream, size, {
    fromRecord: 4,
    fetchRange: async (start, end, into) => {
      asked.push(into === null);
      return stream.slice(start, end);
    },
  });
  assert.deepEqual(resumed, data.subarray(4 * K));
  assert.deepEqual(asked.slice(0, 2), [true, false]);
});
