// Unit tests for Public/js/transfer/sender.js and receiver.js over fake data channels: whole
// transfers, flow control (bufferedAmount near the threshold, no per-chunk waiting, message
// size), the receiver's window, resume after a dropped channel and after reloads, hash checks,
// cancel and protocol errors.
import { createHash, randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CHUNK_HEADER_BYTES, decodeFrame, encodeChunk, encodeControl, peerReason } from "../../Public/js/transfer/channel.js";
import { manifestForFiles } from "../../Public/js/transfer/manifest.js";
import { TransferReceiver, memorySinks } from "../../Public/js/transfer/receiver.js";
import { TransferSender, memorySource } from "../../Public/js/transfer/sender.js";
import { channelPair } from "./fake-channel.mjs";
import { itemDigest } from "./item-digest.mjs";

const KiB = 1024;
const MiB = 1024 * KiB;

function makeItems(sizes) {
  const data = sizes.map((size) => new Uint8Array(randomBytes(size)));
  const manifest = manifestForFiles(data.map((bytes, i) => ({ name: `f${i}.bin`, size: bytes.length })));
  return { data, manifest };
}

function finished(emitter) {
  return new Promise((resolve) => {
    emitter.on("done", () => resolve("done"));
    emitter.on("failed", ({ reason }) => resolve(`failed: ${reason}`));
  });
}

/** Runs a sender and receiver on a new channel pair. */
function run({ data, manifest, sinks = memorySinks(), source = memorySource(data), limits, channel = {}, ackBytes }) {
  const sender = new TransferSender({ transferId: "T", manifest, source, limits });
  const receiver = new TransferReceiver({ transferId: "T", manifest, sinks, ackBytes });
  const [out, back] = channelPair(channel);
  sender.attach(out);
  receiver.attach(back);
  return { sender, receiver, out, back, sinks, senderDone: finished(sender), receiverDone: finished(receiver) };
}

const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");

describe("transfer: whole runs", () => {
  it("moves several items, an empty one included, and both sides verify", async () => {
    const { data, manifest } = makeItems([300 * KiB, 0, 1, 2 * MiB + 7]);
    const t = run({ data, manifest });
    const items = [];
    t.receiver.on("item", (e) => items.push(e));
    assert.deepEqual(await Promise.all([t.senderDone, t.receiverDone]), ["done", "done"]);
    for (const [i, bytes] of data.entries()) assert.equal(sha(t.sinks.store.get(i)), sha(bytes), `item ${i}`);
    assert.deepEqual(items.map((e) => [e.i, e.ok, e.sha256]), data.map((bytes, i) => [i, true, itemDigest(bytes)]));
    assert.equal(t.sender.confirmed, manifest.totalSize);
    assert.equal(t.receiver.received, manifest.totalSize);
  });
});

describe("transfer: completion (a zip of the items)", () => {
  it("tells the sender done only once the sinks completed; a failed completion fails the transfer", async () => {
    const { data, manifest } = makeItems([100 * KiB, 5]);
    let release;
    const sinks = Object.assign(memorySinks(), { complete: () => new Promise((resolve) => (release = resolve)) });
    const t = run({ data, manifest, sinks });
    await new Promise((resolve) => t.receiver.on("item", ({ i }) => i === 1 && setTimeout(resolve, 20)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(t.sender.state, "running", "the sender waits while the zip is made");
    assert.notEqual(t.receiver.state, "done");
    release();
    assert.deepEqual(await Promise.all([t.senderDone, t.receiverDone]), ["done", "done"]);

    const failing = Object.assign(memorySinks(), { complete: async () => { throw new Error("disk gone"); } });
    const f = run({ data, manifest, sinks: failing });
    assert.match(await f.receiverDone, /^failed: cannot save the items: disk gone/);
  });

  it("completes at once when every item was verified before a reload", async () => {
    const { data, manifest } = makeItems([10, 20]);
    let completed = 0;
    const sinks = Object.assign(memorySinks(), { complete: async () => void completed++ });
    const receiver = new TransferReceiver({ transferId: "T", manifest, sinks, startAt: 2 });
    const [out, back] = channelPair();
    const told = [];
    out.addEventListener("message", (event) => {
      const frame = decodeFrame(new Uint8Array(event.data));
      if (frame.type === "control") told.push(frame.message.t);
    });
    const done = finished(receiver);
    receiver.attach(back);
    assert.equal(await done, "done");
    assert.equal(completed, 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(told, ["done"], "nothing asked for again: only the completion was left");
    void data;
  });
});

describe("transfer: resume", () => {
  it("continues from the written offset after the channel drops", async () => {
    const { data, manifest } = makeItems([3 * MiB, 2 * MiB]);
    const t = run({ data, manifest, ackBytes: 256 * KiB, limits: { window: 1 * MiB }, channel: { drainPerTick: 64 * KiB } });
    const wants = [];
    await new Promise((resolve) => {
      const off = t.receiver.on("progress", ({ done }) => {
        if (done > 1 * MiB) {
          off();
          resolve();
        }
      });
    });
    t.out.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(t.sender.state, "interrupted");
    assert.equal(t.receiver.state, "interrupted");
    const [out, back] = channelPair({ drainPerTick: 64 * KiB });
    back.addEventListener("message", () => {});
    const send = back.send.bind(back);
    back.send = (bytes) => {
      const frame = decodeFrame(bytes);
      if (frame.type === "control" && frame.message.t === "want") wants.push(frame.message);
      send(bytes);
    };
    t.sender.attach(out);
    t.receiver.attach(back);
    assert.deepEqual(await Promise.all([t.senderDone, t.receiverDone]), ["done", "done"]);
    assert.ok(wants[0].i === 0 && wants[0].offset > 1 * MiB, `resumed at ${JSON.stringify(wants[0]).slice(0, 60)}`);
    assert.equal(wants[0].prefix, itemDigest(data[0].subarray(0, wants[0].offset)));
    for (const [i, bytes] of data.entries()) assert.equal(sha(t.sinks.store.get(i)), sha(bytes));
  });

  it("resumes a partial file after both sides reloaded (same file offered again)", async () => {
    const { data, manifest } = makeItems([2 * MiB]);
    const store = new Map([[0, data[0].slice(0, 700 * KiB)]]);
    const t = run({ data, manifest, sinks: memorySinks(store) });
    let firstChunkOffset = -1;
    t.back.addEventListener("message", (event) => {
      const frame = decodeFrame(new Uint8Array(event.data));
      if (frame.type === "chunk" && firstChunkOffset < 0) firstChunkOffset = frame.offset;
    });
    assert.deepEqual(await Promise.all([t.senderDone, t.receiverDone]), ["done", "done"]);
    assert.equal(firstChunkOffset, 700 * KiB, "only the missing part was sent");
    assert.equal(sha(store.get(0)), sha(data[0]));
  });

  it("starts an item over when the partial file's prefix does not match the sender's file", async () => {
    const { data, manifest } = makeItems([1 * MiB]);
    const wrong = data[0].slice(0, 300 * KiB);
    wrong[5] ^= 1;
    const store = new Map([[0, wrong]]);
    const t = run({ data, manifest, sinks: memorySinks(store) });
    const controls = [];
    t.back.addEventListener("message", (event) => {
      const frame = decodeFrame(new Uint8Array(event.data));
      if (frame.type === "control") controls.push(frame.message.t);
    });
    assert.deepEqual(await Promise.all([t.senderDone, t.receiverDone]), ["done", "done"]);
    assert.equal(controls[0], "mismatch");
    assert.equal(sha(store.get(0)), sha(data[0]));
  });
});

describe("transfer: receiver pipeline", () => {
  it("starts each write without waiting for the previous one, and applies them in order", async () => {
    const { data, manifest } = makeItems([3 * MiB + 5]);
    const inner = memorySinks();
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = {
      async open(item) {
        const sink = await inner.open(item);
        const write = sink.write.bind(sink);
        sink.write = async (bytes) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          const applied = write(bytes); // applied in call order, then a slow "reply"
          await new Promise((resolve) => setTimeout(resolve, 2));
          await applied;
          inFlight--;
        };
        return sink;
      },
    };
    const t = run({ data, manifest, sinks: slow, channel: { drainPerTick: 1 * MiB } });
    assert.deepEqual(await Promise.all([t.senderDone, t.receiverDone]), ["done", "done"]);
    assert.equal(sha(inner.store.get(0)), sha(data[0]));
    assert.ok(maxInFlight > 1, `writes overlapped (at most ${maxInFlight} at once)`);
  });

  /** The `ack` offsets the receiver sends over `channel` (its end of the pair). */
  function recordAcks(channel) {
    const acks = [];
    const send = channel.send.bind(channel);
    channel.send = (bytes) => {
      const frame = decodeFrame(bytes);
      if (frame.type === "control" && frame.message.t === "ack") acks.push(frame.message.offset);
      send(bytes);
    };
    return acks;
  }

  it("acks every ackBytes while chunks keep coming, not every time its write queue runs empty", async () => {
    const { data, manifest } = makeItems([8 * MiB]);
    const sender = new TransferSender({ transferId: "T", manifest, source: memorySource(data) });
    // Timers that never fire: the default window (32 MiB) never needs a delayed ack here, and the test's
    // event loop must not be timed.
    let armed = 0;
    const timers = { setTimeout: () => ++armed, clearTimeout: () => {} };
    const receiver = new TransferReceiver({ transferId: "T", manifest, sinks: memorySinks(), ackBytes: 1 * MiB, timers });
    // One 64 KiB message per tick: each write is done before the next chunk comes.
    const [out, back] = channelPair({ drainPerTick: 64 * KiB });
    const acks = recordAcks(back);
    const done = Promise.all([finished(sender), finished(receiver)]);
    sender.attach(out);
    receiver.attach(back);
    assert.deepEqual(await done, ["done", "done"]);
    const chunks = out.sent.filter((length) => length === 64 * KiB).length;
    assert.ok(chunks >= 128, `${chunks} chunk messages`);
    assert.ok(acks.length >= 7 && acks.length <= 8, `${acks.length} acks for ${chunks} chunks: ${acks}`);
    for (const [n, offset] of acks.entries()) assert.ok(offset - (acks[n - 1] ?? 0) >= MiB, `ack ${n} at ${offset}`);
    assert.ok(armed > 0, "the write queue ran empty between chunks (a delayed ack was armed)");
  });

  it("acks what is written once no chunk came for ackDelayMs, so a window below ackBytes still moves", async () => {
    const { data, manifest } = makeItems([1 * MiB + 3]);
    const sender = new TransferSender({ transferId: "T", manifest, source: memorySource(data), limits: { window: 192 * KiB, readBytes: 64 * KiB } });
    const receiver = new TransferReceiver({ transferId: "T", manifest, sinks: memorySinks(), ackBytes: 1 * MiB, ackDelayMs: 5 });
    const [out, back] = channelPair();
    const acks = recordAcks(back);
    const done = Promise.all([finished(sender), finished(receiver)]);
    sender.attach(out);
    receiver.attach(back);
    assert.deepEqual(await done, ["done", "done"]);
    assert.ok(acks.length >= 5, `the sender waited on ${acks.length} delayed acks`);
    for (const [n, offset] of acks.entries()) {
      const whole = offset === data[0].length || (offset % (192 * KiB) === 0 && offset >= (n + 1) * 192 * KiB);
      assert.ok(whole, `ack ${n} at ${offset}: a whole window written, or the item`);
    }
  });

  it("waits for a whole quiet ackDelayMs before a delayed ack: chunks written meanwhile re-arm it", async () => {
    const { data, manifest } = makeItems([512 * KiB]);
    /** @type {Array<() => void>} */
    const due = [];
    const timers = { setTimeout: (fn) => due.push(fn), clearTimeout: () => {} };
    const sender = new TransferSender({ transferId: "T", manifest, source: memorySource(data), limits: { window: 192 * KiB, readBytes: 64 * KiB } });
    const receiver = new TransferReceiver({ transferId: "T", manifest, sinks: memorySinks(), ackBytes: 1 * MiB, timers });
    const [out, back] = channelPair({ drainPerTick: 64 * KiB });
    const acks = recordAcks(back);
    const settle = async () => {
      for (let n = 0; n < 50; n++) await new Promise((resolve) => setImmediate(resolve));
    };
    sender.attach(out);
    receiver.attach(back);
    await settle();
    // The first chunk emptied the write queue and armed the timer; more chunks came after it.
    assert.equal(due.length, 1);
    assert.ok(receiver.received > 64 * KiB, `received ${receiver.received}`);
    due.shift()();
    assert.deepEqual(acks, [], "no ack: chunks were written since the timer was armed");
    assert.equal(due.length, 1, "armed again");
    due.shift()();
    assert.deepEqual(acks, [192 * KiB], "quiet for a whole period: what is written is acked");
    await settle();
    assert.ok(receiver.received > 192 * KiB, "the sender moved on");
  });

  it("checkpoints every checkpointBytes, and where it stands when interrupted", async () => {
    const { data, manifest } = makeItems([6 * MiB]);
    const sender = new TransferSender({ transferId: "T", manifest, source: memorySource(data), limits: { window: 1 * MiB } });
    const receiver = new TransferReceiver({ transferId: "T", manifest, sinks: memorySinks(), ackBytes: 256 * KiB, checkpointBytes: 2 * MiB });
    const [out, back] = channelPair({ drainPerTick: 64 * KiB });
    const checkpoints = [];
    receiver.on("checkpoint", ({ offset }) => checkpoints.push(offset));
    sender.attach(out);
    receiver.attach(back);
    await new Promise((resolve) => {
      const off = receiver.on("progress", ({ done }) => done >= 5 * MiB && (off(), resolve()));
    });
    out.close();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(receiver.state, "interrupted");
    assert.ok(checkpoints.length >= 3 && checkpoints.length <= 4, `checkpoints ${checkpoints}`);
    for (const [n, offset] of checkpoints.slice(0, -1).entries()) assert.ok(offset >= (n + 1) * 2 * MiB, `checkpoint ${n} at ${offset}`);
    assert.equal(checkpoints.at(-1), receiver.received, "the last one is where it stands");
  });
});

describe("transfer: a receiver handing its part file over", () => {
  it("suspend waits for the queued writes and closes the sink, keeping the data", async () => {
    const { data, manifest } = makeItems([4 * MiB]);
    const inner = memorySinks();
    const events = [];
    const slow = {
      async open(item) {
        const sink = await inner.open(item);
        const write = sink.write.bind(sink);
        sink.write = async (bytes) => {
          await new Promise((resolve) => setTimeout(resolve, 3)); // a slow disk: writes still queued at suspend
          await write(bytes);
          events.push("write");
        };
        sink.close = async () => {
          events.push("close");
        };
        return sink;
      },
    };
    const t = run({ data, manifest, sinks: slow, limits: { window: 1 * MiB }, channel: { drainPerTick: 512 * KiB } });
    await new Promise((resolve) => {
      const off = t.receiver.on("progress", ({ done }) => done >= 1 * MiB && (off(), resolve()));
    });
    await t.receiver.suspend();
    assert.equal(t.receiver.state, "interrupted");
    assert.equal(events.at(-1), "close", "closed after the last write, never before");
    assert.equal(events.filter((e) => e === "close").length, 1);
    const kept = inner.store.get(0);
    assert.ok(kept.length >= 1 * MiB && kept.length < 4 * MiB, `kept ${kept.length} bytes`);
    assert.deepEqual(kept, data[0].subarray(0, kept.length), "what was written is the file's prefix");
    const length = kept.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(inner.store.get(0).length, length, "nothing is written after suspend returned");
  });
});

describe("transfer: integrity and endings", () => {
  it("retries an item once when the hashes differ, then fails and keeps nothing", async () => {
    const { data, manifest } = makeItems([100 * KiB]);
    const honest = memorySource(data);
    const lying = { open: async (i, offset) => ({ ...(await honest.open(i, offset)), sha256: async () => "0".repeat(64) }) };
    const t = run({ data, manifest, source: lying });
    const items = [];
    t.receiver.on("item", (e) => items.push(e.ok));
    assert.match(await t.receiverDone, /^failed: .*SHA-256 differs twice/);
    assert.match(await t.senderDone, /^failed/);
    assert.deepEqual(items, [false, false]);
  });

  it("is cancelled from either side", async () => {
    for (const side of ["sender", "receiver"]) {
      const { data, manifest } = makeItems([8 * MiB]);
      const t = run({ data, manifest, channel: { drainPerTick: 32 * KiB } });
      await new Promise((resolve) => t.receiver.on("progress", ({ done }) => done > 0 && resolve()));
      t[side].cancel("user");
      assert.match(await t.senderDone, /^failed: /);
      assert.match(await t.receiverDone, /^failed: /);
      assert.equal(t.sender.state, "cancelled");
      assert.equal(t.receiver.state, "cancelled");
      if (side === "receiver" || side === "sender") assert.equal(t.sinks.store.has(0), false, "a cancelled partial file is deleted");
    }
  });

  it("fails on a chunk at the wrong offset or beyond the offered size", async () => {
    const { manifest } = makeItems([1000]);
    for (const [offset, length] of [[5, 10], [0, 2000]]) {
      const receiver = new TransferReceiver({ transferId: "T", manifest, sinks: memorySinks() });
      const [out, back] = channelPair();
      out.addEventListener("message", () => {});
      receiver.attach(back);
      const done = finished(receiver);
      await new Promise((resolve) => setTimeout(resolve, 5));
      out.send(encodeChunk(0, offset, new Uint8Array(length)));
      assert.match(await done, /^failed: protocol/);
    }
  });

  it("refuses a want outside the manifest", async () => {
    const { data, manifest } = makeItems([10]);
    const sender = new TransferSender({ transferId: "T", manifest, source: memorySource(data) });
    const [out, back] = channelPair();
    back.addEventListener("message", () => {});
    sender.attach(out);
    const done = finished(sender);
    back.send(encodeControl({ t: "want", i: 0, offset: 11 }));
    assert.match(await done, /^failed: protocol/);
  });
});

describe("transfer: chunk framing", () => {
  it("frames a chunk in a reused buffer exactly as in a new one", () => {
    const into = new Uint8Array(CHUNK_HEADER_BYTES + 100).fill(0xee);
    for (const [index, offset, length] of [[3, 2 ** 40 + 5, 100], [0, 7, 10]]) {
      const bytes = new Uint8Array(length).map((_, i) => i * 7);
      const fresh = encodeChunk(index, offset, bytes);
      const reused = encodeChunk(index, offset, bytes, into);
      assert.equal(reused.buffer, into.buffer);
      assert.deepEqual(reused, fresh);
      const frame = decodeFrame(reused);
      assert.equal(frame.type, "chunk");
      assert.deepEqual([frame.index, frame.offset, [...frame.data]], [index, offset, [...bytes]]);
    }
    // Too small a buffer: a new one.
    assert.notEqual(encodeChunk(0, 0, new Uint8Array(200), into).buffer, into.buffer);
  });
});

describe("the other side's reason", () => {
  it("names who cancelled when the other side only said it did", () => {
    assert.equal(peerReason("cancelled", "cancelled by the receiver"), "cancelled by the receiver");
    assert.equal(peerReason(undefined, "cancelled by the sender"), "cancelled by the sender");
    assert.equal(peerReason("", "cancelled by the sender"), "cancelled by the sender");
    assert.equal(peerReason("the disk is full", "cancelled by the sender"), "the disk is full");
    assert.equal(peerReason("x".repeat(500), "f").length, 200);
  });
});
