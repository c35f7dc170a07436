// Unit tests for Public/js/relay/: sealed relay frames (round trip, flipped bits, reordered,
// replayed, truncated, cross-relay) and the relay channel's data-channel behaviour.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { FIN, RelayFrameError, SEAL_OVERHEAD, createFrameOpener, createFrameSealer, relayIdBytes, relayIdFromBytes } from "../../Public/js/relay/frames.js";
import { createKeyShare, deriveSession } from "../../Public/js/relay/key-agreement.js";
import { RelayChannel } from "../../Public/js/relay/transport.js";

const A = "A".repeat(22);
const B = "B".repeat(22);
const SID = "S".repeat(22);
const RELAY = "0123456789abcdef";

async function relayKeys(relayId = RELAY) {
  const [a, b] = await Promise.all([createKeyShare(), createKeyShare()]);
  const sa = await deriveSession({ mine: a, theirs: b.publicKey, self: A, peer: B, sid: SID });
  const sb = await deriveSession({ mine: b, theirs: a.publicKey, self: B, peer: A, sid: SID });
  return { a: await sa.relayKeys(relayId), b: await sb.relayKeys(relayId), sa, sb };
}
const bytes = (...values) => new Uint8Array(values);
const rejectsWith = (promise, code) => assert.rejects(promise, (e) => e instanceof RelayFrameError && e.code === code);
const throwsWith = (fn, code) => assert.throws(fn, (e) => e instanceof RelayFrameError && e.code === code);

describe("relay frames", () => {
  it("round-trips frames in order and ends cleanly with FIN", async () => {
    const { a, b } = await relayKeys();
    const sealer = createFrameSealer(a.send, RELAY);
    const opener = createFrameOpener(b.receive, RELAY);
    const first = await sealer.seal(bytes(1, 2, 3));
    assert.equal(first.length, 3 + SEAL_OVERHEAD);
    assert.deepEqual((await opener.open(first)).plain, bytes(1, 2, 3));
    const last = await sealer.seal(bytes(4), { fin: true });
    assert.equal(last[0] & FIN, FIN);
    assert.deepEqual(await opener.open(last), { plain: bytes(4), fin: true });
    opener.end();
    await rejectsWith(sealer.seal(bytes(5)), "after-fin");
  });

  it("catches a flipped bit anywhere, and the opener stays failed", async () => {
    const { a, b } = await relayKeys();
    const sealer = createFrameSealer(a.send, RELAY);
    const frame = await sealer.seal(new Uint8Array(100).fill(7));
    for (const position of [0, 5, 12, frame.length - 1]) {
      const opener = createFrameOpener(b.receive, RELAY);
      const bad = frame.slice();
      bad[position] ^= 0x02;
      await assert.rejects(opener.open(bad), RelayFrameError, `position ${position}`);
      await assert.rejects(opener.open(frame), RelayFrameError, "nothing is accepted after a failure");
    }
  });

  it("catches reordered, replayed and dropped frames", async () => {
    const { a, b } = await relayKeys();
    const sealer = createFrameSealer(a.send, RELAY);
    const frames = [await sealer.seal(bytes(0)), await sealer.seal(bytes(1)), await sealer.seal(bytes(2))];
    await rejectsWith(createFrameOpener(b.receive, RELAY).open(frames[1]), "reordered");
    const replay = createFrameOpener(b.receive, RELAY);
    await replay.open(frames[0]);
    await rejectsWith(replay.open(frames[0]), "replayed");
    const gap = createFrameOpener(b.receive, RELAY);
    await gap.open(frames[0]);
    await rejectsWith(gap.open(frames[2]), "reordered");
  });

  it("catches truncation: a relay that ends without FIN", async () => {
    const { a, b } = await relayKeys();
    const sealer = createFrameSealer(a.send, RELAY);
    const opener = createFrameOpener(b.receive, RELAY);
    await opener.open(await sealer.seal(bytes(1)));
    throwsWith(() => opener.end(), "truncated");
  });

  it("does not open frames of another relay, the other direction, or a forged FIN flag", async () => {
    const { a, b, sa, sb } = await relayKeys();
    const frame = await createFrameSealer(a.send, RELAY).seal(bytes(9));
    const otherId = "fedcba9876543210";
    const other = await sb.relayKeys(otherId);
    await rejectsWith(createFrameOpener(other.receive, otherId).open(frame), "forged");
    await rejectsWith(createFrameOpener(a.receive, RELAY).open(frame), "forged");
    const finForged = frame.slice();
    finForged[0] |= FIN;
    await rejectsWith(createFrameOpener(b.receive, RELAY).open(finForged), "forged");
    assert.ok(sa && sb);
  });

  it("gives the two directions different keys even between two tabs of one device", async () => {
    const [a, b] = await Promise.all([createKeyShare(), createKeyShare()]);
    const sa = await deriveSession({ mine: a, theirs: b.publicKey, self: A, peer: A, sid: SID });
    const sb = await deriveSession({ mine: b, theirs: a.publicKey, self: A, peer: A, sid: SID });
    const ka = await sa.relayKeys(RELAY);
    const kb = await sb.relayKeys(RELAY);
    const frame = await createFrameSealer(ka.send, RELAY).seal(bytes(1));
    assert.deepEqual((await createFrameOpener(kb.receive, RELAY).open(frame)).plain, bytes(1));
    await rejectsWith(createFrameOpener(kb.send, RELAY).open(frame), "forged");
    await rejectsWith(createFrameOpener(ka.receive, RELAY).open(frame), "forged");
  });

  it("converts relay ids", () => {
    assert.equal(relayIdFromBytes(relayIdBytes(RELAY)), RELAY);
    assert.throws(() => relayIdBytes("0123456789ABCDEF"), TypeError);
  });
});

/** Two RelayChannels wired to each other through a fake socket. */
async function channelPair({ socketBuffered = () => 0 } = {}) {
  const { a, b } = await relayKeys();
  /** @type {RelayChannel} */
  let left;
  /** @type {RelayChannel} */
  let right;
  const wire = [];
  left = new RelayChannel({ relayId: RELAY, keys: a, sendPayload: (p) => { wire.push(p.length); right.receive(p); }, socketBufferedAmount: socketBuffered, maxFrameBytes: 1024 });
  right = new RelayChannel({ relayId: RELAY, keys: b, sendPayload: (p) => left.receive(p), socketBufferedAmount: () => 0, maxFrameBytes: 1024 });
  left.markOpen();
  right.markOpen();
  return { left, right, wire };
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function settle(channel) {
  for (let i = 0; i < 20; i++) {
    await channel.flushed();
    await tick();
  }
}

describe("relay channel", () => {
  it("carries messages in order like a data channel, limited to maxMessageSize", async () => {
    const { left, right } = await channelPair();
    const got = [];
    right.addEventListener("message", (event) => got.push([...event.data]));
    assert.equal(left.maxMessageSize, 1024 - SEAL_OVERHEAD);
    assert.throws(() => left.send(new Uint8Array(left.maxMessageSize + 1)), RangeError);
    const buffer = bytes(1, 2);
    left.send(buffer);
    buffer[0] = 99; // reusing the buffer after send must not change what was sent
    left.send(bytes(3));
    await settle(left);
    assert.deepEqual(got, [[1, 2], [3]]);
  });

  it("counts queued bytes in bufferedAmount and fires bufferedamountlow at the threshold", async () => {
    const { left } = await channelPair();
    left.bufferedAmountLowThreshold = 100;
    let lows = 0;
    left.addEventListener("bufferedamountlow", () => lows++);
    for (let i = 0; i < 5; i++) left.send(new Uint8Array(50));
    assert.equal(left.bufferedAmount, 250);
    await settle(left);
    assert.equal(left.bufferedAmount, 0);
    assert.equal(lows, 1);
  });

  it("polls the socket's buffer when that holds the excess", async () => {
    let socket = 500;
    const { left } = await channelPair({ socketBuffered: () => socket });
    left.bufferedAmountLowThreshold = 100;
    let lows = 0;
    left.addEventListener("bufferedamountlow", () => lows++);
    left.send(new Uint8Array(10));
    await settle(left);
    assert.equal(lows, 0);
    socket = 50;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(lows, 1);
  });

  it("closes cleanly on FIN, and reports truncation when the relay ends without it", async () => {
    const { left, right } = await channelPair();
    let closed = 0;
    right.addEventListener("close", () => closed++);
    left.close();
    await settle(left);
    await settle(right);
    assert.equal(right.readyState, "closed");
    assert.equal(closed, 1);

    const second = await channelPair();
    const errors = [];
    second.right.addEventListener("error", (event) => errors.push(event.error.code));
    second.left.send(bytes(1));
    await settle(second.left);
    second.right.remoteClosed();
    await settle(second.right);
    assert.deepEqual(errors, ["truncated"]);
    assert.equal(second.right.readyState, "closed");
  });
});
