// End-to-end tests of Public/js/peer-client.js under Node: two or three clients, a fake
// signalling server (fake-hub.mjs), real WebCrypto, the relay path (no WebRTC in Node) and a
// fake RTCPeerConnection that never connects (ICE timeout, or no candidates → relay).
import { createHash, randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createPeerClient } from "../../Public/js/peer-client.js";
import { memorySinks } from "../../Public/js/transfer/receiver.js";
import { partName } from "../../Public/js/transfer/resume.js";
import { memorySource } from "../../Public/js/transfer/sender.js";
import { Hub } from "./fake-hub.mjs";

const storage = () => {
  const map = new Map();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) };
};
const keyStore = () => {
  const map = new Map();
  return { get: async (k) => map.get(k), put: async (k, v) => void map.set(k, v) };
};
const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** Files adapter over memory: what a test sends, and where a receiving client writes. */
function memoryFiles() {
  const received = [];
  return {
    received,
    sourceFor: (files) => memorySource(files.map((f) => f.bytes)),
    sinksFor: ({ manifest }) => {
      const sinks = memorySinks();
      received.push({ manifest, store: sinks.store });
      return sinks;
    },
  };
}

async function client(hub, name, extra = {}) {
  const files = memoryFiles();
  const c = createPeerClient({
    api: hub.api({ id: `u-${name}`, name }),
    deviceName: `${name}'s laptop`,
    files,
    location: { protocol: "https:", host: "ferry.test" },
    WebSocket: hub.WebSocket,
    RTCPeerConnection: null,
    storage: storage(),
    keyStore: keyStore(),
    progressIntervalMs: 0,
    ...extra,
  });
  c.files = files;
  await c.start();
  await new Promise((resolve) => (c.signal.state === "ready" ? resolve() : c.on("connection", ({ state }) => state === "ready" && resolve())));
  return c;
}

const next = (emitter, type, filter = () => true) =>
  new Promise((resolve) => {
    const off = emitter.on(type, (value) => {
      if (filter(value)) {
        off();
        resolve(value);
      }
    });
  });
const until = async (predicate, what = "condition") => {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(predicate(), `${what} not reached`);
};
const peerNamed = (c, name) => c.peers().find((p) => p.user?.name === name);

const HOST_CANDIDATE = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host";

/**
 * A fake RTCPeerConnection that never connects. With `gathers` (candidate strings) its gathering
 * yields those after the local description is set, then ends (`icecandidate` with null, as a
 * browser does); without, gathering never ends.
 * @param {object[]} made every connection made, for the test to inspect
 * @param {string[] | null} [gathers]
 */
function stuckPeerConnection(made, gathers = null) {
  return class StuckPeerConnection {
    constructor(config) {
      this.config = config;
      this.listeners = new Map();
      this.connectionState = "new";
      this.remoteDescription = null;
      made.push(this);
    }
    addEventListener(type, fn) {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
    }
    fire(type, event) {
      for (const fn of this.listeners.get(type) ?? []) fn(event);
    }
    createDataChannel() {
      return { binaryType: "blob", readyState: "connecting", addEventListener() {}, removeEventListener() {} };
    }
    async createOffer() {
      return { type: "offer", sdp: "v=0\r\na=fingerprint:sha-256 AB:CD:EF\r\n" };
    }
    async createAnswer() {
      return { type: "answer", sdp: "v=0\r\na=fingerprint:sha-256 12:34:56\r\n" };
    }
    async setLocalDescription(d) {
      this.localDescription = d;
      if (!gathers) return;
      setTimeout(() => {
        if (this.closed) return;
        for (const candidate of gathers) this.fire("icecandidate", { candidate: { candidate, toJSON: () => ({ candidate, sdpMid: "0" }) } });
        this.fire("icecandidate", { candidate: null });
      }, 0);
    }
    async setRemoteDescription(d) {
      this.remoteDescription = d;
    }
    async addIceCandidate() {}
    close() {
      this.closed = true;
    }
  };
}

describe("peer client", () => {
  it("sends a text message: the receiver sees who and what, and gets it only after accepting", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bob = await client(hub, "Bob");
    await until(() => peerNamed(ann, "Bob") && peerNamed(bob, "Ann"));
    const bobPeer = peerNamed(ann, "Bob");
    assert.equal(bobPeer.device.name, "Bob's laptop");
    assert.equal(bobPeer.keyStatus, "known", "remembered on first sight, not verified");
    assert.deepEqual(bobPeer.rooms.map((r) => r.name), ["Crew"]);

    const offered = next(bob, "offer");
    const [id] = await ann.sendText([bobPeer.id], "Meet at 3 — ünïcödé");
    const offer = await offered;
    assert.equal(offer.offerId, id);
    assert.equal(offer.peer.user.name, "Ann");
    assert.equal(offer.summary.isText, true);
    assert.equal(offer.manifest.items[0].size, new TextEncoder().encode("Meet at 3 — ünïcödé").length);
    assert.equal(bob.transfers().length, 0, "nothing starts before accept");

    assert.equal(ann.renameDevice("Ann's desktop"), true);
    await until(() => peerNamed(bob, "Ann")?.device.name === "Ann's desktop", "rename seen");
    const got = next(bob, "transfer-done");
    const sent = next(ann, "transfer-done");
    await bob.accept(offer.offerId);
    const done = await got;
    assert.equal(done.text, "Meet at 3 — ünïcödé");
    assert.equal(done.transfer.mode, "relay", "Node has no WebRTC: relayed, encrypted");
    assert.equal((await sent).transfer.state, "done");
    ann.stop();
    bob.stop();
  });

  it("sends files to two peers at once; one accepts, one declines", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bob = await client(hub, "Bob");
    const cat = await client(hub, "Cat");
    await until(() => ann.peers().length === 2 && bob.peers().length === 2 && cat.peers().length === 2);
    const files = [
      { name: "a.bin", size: 3 * 1024 * 1024 + 5, bytes: new Uint8Array(randomBytes(3 * 1024 * 1024 + 5)) },
      { name: "b.txt", size: 0, bytes: new Uint8Array(0), webkitRelativePath: "Docs/../../b.txt" },
    ];
    const bobOffer = next(bob, "offer");
    const catOffer = next(cat, "offer");
    const ids = await ann.sendFiles([peerNamed(ann, "Bob").id, peerNamed(ann, "Cat").id], files);
    assert.equal(ids.length, 2);
    const [ob, oc] = await Promise.all([bobOffer, catOffer]);
    assert.deepEqual(ob.manifest.items.map((i) => i.path), ["a.bin", "Docs/b.txt"], "names arrive sanitised");
    assert.equal(ob.summary.count, 2);

    const declined = next(ann, "transfer-failed");
    await cat.decline(oc.offerId);
    const failure = await declined;
    assert.equal(failure.reason, "declined");
    assert.equal(failure.transfer.id, ids[1]);

    const progress = [];
    ann.on("transfer", (t) => t.id === ids[0] && progress.push(t));
    const done = next(bob, "transfer-done");
    await bob.accept(ob.offerId);
    await done;
    const { store } = bob.files.received[0];
    assert.equal(sha(store.get(0)), sha(files[0].bytes));
    assert.equal(store.get(1).length, 0);
    await until(() => ann.transfers().find((t) => t.id === ids[0]).state === "done");
    assert.ok(progress.some((t) => t.state === "running" && t.done > 0 && t.done < t.total), "progress while running");
    assert.equal(progress.at(-1).done, files[0].size);
    for (const c of [ann, bob, cat]) c.stop();
  });

  it("drops signals a server changed, and never shows them", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bob = await client(hub, "Bob");
    await until(() => peerNamed(ann, "Bob"));
    hub.tamperSignal = (from, to, message) => {
      if (message.data.kind === "offer") message.data.ts += 1;
      return message;
    };
    let offers = 0;
    bob.on("offer", () => offers++);
    const rejected = next(bob, "rejected", (r) => r.code === "bad-signature");
    const tampered = next(bob, "tampered");
    await ann.sendText([peerNamed(ann, "Bob").id], "hi");
    assert.equal((await rejected).code, "bad-signature");
    const warning = await tampered;
    assert.equal(warning.code, "bad-signature");
    assert.equal(warning.peer.user.name, "Ann", "the warning names whom the message claimed to be from");
    assert.equal(offers, 0);
    ann.stop();
    bob.stop();
  });

  it("warns when the server lists another key for a verified device, and refuses to send to it", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bob = await client(hub, "Bob");
    await until(() => peerNamed(ann, "Bob") && peerNamed(bob, "Ann"));
    const bobId = peerNamed(ann, "Bob").id;
    const codeAnn = await ann.verificationCode(bobId);
    const codeBob = await bob.verificationCode(peerNamed(bob, "Ann").id);
    assert.equal(codeAnn, codeBob, "both see the same code");
    ann.confirmVerified(bobId);
    assert.equal(peerNamed(ann, "Bob").keyStatus, "verified");

    // The server now lists a key of its own for Bob's device (as after a reconnect).
    const mallory = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
    const spki = Buffer.from(await crypto.subtle.exportKey("spki", mallory.publicKey)).toString("base64url");
    hub.tamperPeer = (peer) => (peer.user?.name === "Bob" ? { ...peer, device: { ...peer.device, publicKey: spki } } : peer);
    const warning = next(ann, "key-warning");
    const carol = await client(hub, "Carol"); // any presence change makes Ann look again
    hub.sockets.forEach(() => {});
    // Force a fresh listing of Bob: Bob reconnects.
    const bobSocket = [...hub.sockets].find((s) => s.device === bob.identity.deviceId);
    bobSocket.close(1006);
    const warned = await warning;
    assert.equal(warned.peer.user.name, "Bob");
    assert.equal(warned.remembered.verified, true);
    await until(() => peerNamed(ann, "Bob")?.keyStatus === "changed");
    await assert.rejects(ann.sendText([peerNamed(ann, "Bob").id], "secret"), (e) => e.code === "key-changed");
    for (const c of [ann, bob, carol]) c.stop();
  });

  it("withdraws an unanswered offer when its sender leaves; a sender that only reconnected offers again", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bob = await client(hub, "Bob");
    try {
      await until(() => peerNamed(ann, "Bob"));
      // The sender's socket drops and comes back: the prompt goes, and comes back under the same id.
      let offered = next(bob, "offer");
      await ann.sendText([peerNamed(ann, "Bob").id], "still there");
      const first = await offered;
      const withdrawn = next(bob, "offer-withdrawn");
      offered = next(bob, "offer");
      [...hub.sockets].find((s) => s.device === ann.identity.deviceId).close(1006);
      assert.deepEqual(await withdrawn, { offerId: first.offerId, reason: "the sender left" });
      await assert.rejects(bob.accept(first.offerId), (e) => e.code === "unknown-offer");
      const again = await offered;
      assert.equal(again.offerId, first.offerId);
      const done = next(bob, "transfer-done");
      await bob.accept(again.offerId);
      assert.equal((await done).text, "still there");
      // The sender goes for good (a closed tab): the offer is withdrawn, nothing comes back.
      offered = next(bob, "offer");
      await ann.sendText([peerNamed(ann, "Bob").id], "gone");
      const last = await offered;
      const gone = next(bob, "offer-withdrawn");
      ann.stop();
      assert.deepEqual(await gone, { offerId: last.offerId, reason: "the sender left" });
      await assert.rejects(bob.accept(last.offerId), (e) => e.code === "unknown-offer");
    } finally {
      ann.stop();
      bob.stop();
    }
  });

  it("falls back to the relay when ICE does not connect in time", async () => {
    const hub = new Hub();
    const made = [];
    const StuckPeerConnection = stuckPeerConnection(made);
    const ann = await client(hub, "Ann", { RTCPeerConnection: StuckPeerConnection, iceTimeoutMs: 100 });
    const bob = await client(hub, "Bob", { RTCPeerConnection: StuckPeerConnection, iceTimeoutMs: 100 });
    await until(() => peerNamed(ann, "Bob"));
    const offered = next(bob, "offer");
    await ann.sendText([peerNamed(ann, "Bob").id], "via relay");
    const done = next(bob, "transfer-done");
    await bob.accept((await offered).offerId);
    const result = await done;
    assert.equal(result.text, "via relay");
    assert.equal(result.transfer.mode, "relay");
    assert.equal(made.length, 2, "a direct connection was tried on both sides first");
    assert.ok(made.every((pc) => pc.closed), "and given up");
    ann.stop();
    bob.stop();
  });

  for (const [who, annGathers, bobGathers] of [
    ["the sender", [], [HOST_CANDIDATE]],
    ["the receiver", [HOST_CANDIDATE], []],
  ]) {
    it(`goes to the relay at once, not after the ICE timeout, when ${who} gathers no ICE candidate`, async () => {
      const hub = new Hub();
      const made = [];
      // An ICE timeout far longer than the test may take: only the empty gathering can end the try.
      const ann = await client(hub, "Ann", { RTCPeerConnection: stuckPeerConnection(made, annGathers), iceTimeoutMs: 60_000 });
      const bob = await client(hub, "Bob", { RTCPeerConnection: stuckPeerConnection(made, bobGathers), iceTimeoutMs: 60_000 });
      try {
        await until(() => peerNamed(ann, "Bob"));
        const offered = next(bob, "offer");
        await ann.sendText([peerNamed(ann, "Bob").id], "no direct path");
        const done = next(bob, "transfer-done");
        await bob.accept((await offered).offerId);
        const result = await Promise.race([done, new Promise((resolve) => setTimeout(() => resolve(null), 5000))]);
        assert.ok(result, "delivered within 5 s (the ICE timeout is a minute)");
        assert.equal(result.text, "no direct path");
        assert.equal(result.transfer.mode, "relay");
        assert.equal(made.length, 2, "a direct connection was tried on both sides first");
        assert.ok(made.every((pc) => pc.closed), "and given up");
      } finally {
        ann.stop();
        bob.stop();
      }
    });
  }

  it("continues after the relay is cut mid-transfer", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bob = await client(hub, "Bob");
    await until(() => peerNamed(ann, "Bob"));
    const bytes = new Uint8Array(randomBytes(6 * 1024 * 1024));
    let cut = false;
    hub.cutRelay = (relay, count) => {
      if (!cut && count === 12) return (cut = true);
      return false;
    };
    const offered = next(bob, "offer");
    await ann.sendFiles([peerNamed(ann, "Bob").id], [{ name: "big.bin", size: bytes.length, bytes }]);
    const states = [];
    bob.on("transfer", (t) => states.push(t.state));
    const done = next(bob, "transfer-done");
    await bob.accept((await offered).offerId);
    await done;
    assert.ok(cut);
    assert.ok(states.includes("interrupted"), "the cut was seen");
    assert.equal(sha(bob.files.received[0].store.get(0)), sha(bytes));
    ann.stop();
    bob.stop();
  });

  it("continues after the receiver reloads: the same device comes back and the partial file is resumed", async () => {
    const hub = new Hub();
    const limits = { window: 512 * 1024, readBytes: 256 * 1024 };
    const ann = await client(hub, "Ann", { limits });
    // What survives Bob's reload: localStorage, the key store, the private file system (by part name).
    const bobStorage = storage();
    const bobKeys = keyStore();
    const disk = new Map();
    const diskFiles = () => ({
      sourceFor: () => assert.fail("Bob does not send"),
      sinksFor: ({ fromDevice }) => memorySinks(disk, (item) => partName(fromDevice, item)),
    });
    const bob1 = await client(hub, "Bob", { storage: bobStorage, keyStore: bobKeys, files: diskFiles() });
    await until(() => peerNamed(ann, "Bob"));
    const bytes = new Uint8Array(randomBytes(6 * 1024 * 1024));
    const offered = next(bob1, "offer");
    const [id] = await ann.sendFiles([peerNamed(ann, "Bob").id], [{ name: "big.bin", size: bytes.length, bytes, lastModified: 7 }]);
    await bob1.accept((await offered).offerId);
    await until(() => (bob1.transfers()[0]?.done ?? 0) >= 2 * 1024 * 1024, "2 MiB at Bob");
    bob1.stop(); // the tab goes away
    await until(() => ann.transfers()[0].state === "interrupted", "interrupted at Ann");
    const part = [...disk.values()][0];
    assert.ok(part.length >= 2 * 1024 * 1024 && part.length < bytes.length, `partial ${part.length}`);

    const relayedBefore = hub.relayBytes;
    let prompts = 0;
    const bob2 = await client(hub, "Bob", { storage: bobStorage, keyStore: bobKeys, files: diskFiles(), limits });
    bob2.on("offer", () => prompts++);
    const done = next(bob2, "transfer-done");
    assert.equal(bob2.identity.deviceId, bob1.identity.deviceId, "the same device");
    const result = await done;
    assert.equal(result.transfer.id, id, "the same transfer continued");
    assert.equal(prompts, 0, "accepted before the reload: not asked again");
    assert.equal(sha([...disk.values()][0]), sha(bytes));
    const relayedAfter = hub.relayBytes - relayedBefore;
    assert.ok(relayedAfter < bytes.length - part.length + 1024 * 1024, `sent again: ${relayedAfter} of ${bytes.length}, ${part.length} were there`);
    await until(() => ann.transfers()[0].state === "done", "done at Ann");
    ann.stop();
    bob2.stop();
  });


});

describe("peer client: more flows", () => {
  it("resumes from the receiver's partial file when the sender reloaded and sends the same file again", async () => {
    const hub = new Hub();
    const limits = { window: 512 * 1024, readBytes: 256 * 1024 };
    const annStorage = storage();
    const annKeys = keyStore();
    const ann1 = await client(hub, "Ann", { limits, storage: annStorage, keyStore: annKeys });
    const bob = await client(hub, "Bob");
    await until(() => peerNamed(ann1, "Bob"));
    const bytes = new Uint8Array(randomBytes(4 * 1024 * 1024));
    const file = { name: "same.bin", size: bytes.length, bytes, lastModified: 42 };
    const first = next(bob, "offer");
    await ann1.sendFiles([peerNamed(ann1, "Bob").id], [file]);
    await bob.accept((await first).offerId);
    await until(() => (bob.transfers()[0]?.done ?? 0) >= 1024 * 1024, "1 MiB at Bob");
    ann1.stop(); // the sender's tab goes away
    await until(() => bob.transfers()[0].state === "interrupted", "interrupted at Bob");
    const had = bob.files.received[0].store.get(0).length;
    const cutOff = bob.transfers()[0].id;

    const ann2 = await client(hub, "Ann", { limits, storage: annStorage, keyStore: annKeys });
    await until(() => peerNamed(ann2, "Bob"));
    const second = next(bob, "offer");
    const before = hub.relayBytes;
    await ann2.sendFiles([peerNamed(ann2, "Bob").id], [file]);
    const offer = await second;
    assert.ok(offer.resumableBytes > 0, "the prompt can say how much is already here");
    // Received into the same part file: the test's adapter keys its sinks by part name here.
    const disk = new Map([[partName(offer.peer.device.id, offer.manifest.items[0]), bob.files.received[0].store.get(0)]]);
    bob.options.files.sinksFor = ({ fromDevice }) => memorySinks(disk, (item) => partName(fromDevice, item));
    const done = next(bob, "transfer-done", (d) => d.transfer.id === offer.offerId);
    const ended = next(bob, "transfer", (view) => view.id === cutOff && view.state === "cancelled");
    await bob.accept(offer.offerId);
    // The cut-off transfer's row ends, saying where it went on, instead of waiting beside the new one.
    assert.equal((await ended).note, "continued in a newer transfer");
    await done;
    assert.deepEqual(bob.transfers().map((t) => [t.id, t.state]), [[offer.offerId, "done"]]);
    assert.equal(sha([...disk.values()][0]), sha(bytes));
    assert.ok(hub.relayBytes - before < bytes.length - had + 1024 * 1024, "only the rest was sent");
    ann2.stop();
    bob.stop();
  });

  it("offers to every tab of a browser; the first answer counts and the other tabs' prompts close", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bobStorage = storage();
    const bobKeys = keyStore();
    const bob1 = await client(hub, "Bob", { storage: bobStorage, keyStore: bobKeys });
    const bob2 = await client(hub, "Bob", { storage: bobStorage, keyStore: bobKeys });
    await until(() => ann.peers().filter((p) => p.user?.name === "Bob").length === 2, "both of Bob's tabs at Ann");
    const [tab1, tab2] = ann.peers().filter((p) => p.user?.name === "Bob");
    assert.equal(tab1.device.id, tab2.device.id, "one browser");
    const offered1 = next(bob1, "offer");
    const offered2 = next(bob2, "offer");
    const removed = next(ann, "transfer-removed");
    const ids = await ann.sendText([tab1.id], "for Bob");
    assert.equal(ids.length, 2, "one offer per tab, from one selected row");
    const [first] = await Promise.all([offered1, offered2]);
    const withdrawn = next(bob2, "offer-withdrawn");
    const done = next(bob1, "transfer-done");
    await bob1.accept(first.offerId);
    assert.deepEqual(await withdrawn, { offerId: ids[1 - ids.indexOf(first.offerId)], reason: "answered in another tab" });
    assert.equal((await removed).id, ids[1 - ids.indexOf(first.offerId)]);
    assert.equal((await done).text, "for Bob");
    assert.deepEqual(ann.transfers().map((t) => t.id), [first.offerId], "the other tab's row went");
    ann.stop();
    bob1.stop();
    bob2.stop();
  });

  for (const canceller of ["sender", "receiver"]) {
    it(`cancels from the ${canceller}: the other side is told who cancelled, and the receiver drops the partial file`, async () => {
      const hub = new Hub();
      const ann = await client(hub, "Ann", { limits: { window: 256 * 1024, readBytes: 64 * 1024 } });
      const bob = await client(hub, "Bob");
      await until(() => peerNamed(ann, "Bob"));
      const bytes = new Uint8Array(randomBytes(8 * 1024 * 1024));
      const offered = next(bob, "offer");
      const [id] = await ann.sendFiles([peerNamed(ann, "Bob").id], [{ name: "x.bin", size: bytes.length, bytes }]);
      await bob.accept((await offered).offerId);
      await until(() => (bob.transfers()[0]?.done ?? 0) > 0, "bytes at Bob");
      const failed = next(canceller === "sender" ? bob : ann, "transfer-failed");
      await (canceller === "sender" ? ann.cancel(id) : bob.cancel(id));
      const result = await failed;
      assert.equal(result.transfer.state, "cancelled");
      assert.equal(result.transfer.error, `cancelled by the ${canceller}`);
      await until(() => ann.transfers()[0].state === "cancelled" && bob.transfers()[0].state === "cancelled", "cancelled on both sides");
      await until(() => !bob.files.received[0].store.has(0), "partial deleted");
      ann.stop();
      bob.stop();
    });
  }

  it("declines offers over the per-device rate limit without showing them", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bob = await client(hub, "Bob");
    await until(() => peerNamed(ann, "Bob"));
    let shown = 0;
    bob.on("offer", () => shown++);
    const declines = [];
    const notes = [];
    ann.on("transfer-failed", (f) => (declines.push(f.transfer.error), notes.push(f.transfer.note)));
    for (let i = 0; i < 5; i++) await ann.sendText([peerNamed(ann, "Bob").id], `spam ${i}`);
    await until(() => shown + declines.length === 5, "all answered");
    assert.equal(shown, 3, "at most 3 unanswered offers per device");
    assert.deepEqual(declines, ["rate-limited", "rate-limited"]);
    // The sender's row says why in words (never "declined: rate-limited", as if Bob had refused).
    assert.match(notes[0], /^not shown to them: too many of your offers arrived in a short time or are waiting for their answer; send it again in a moment$/);
    ann.stop();
    bob.stop();
  });

  it("offers the receiver accepts do not use up the rate limit: seven texts in a row all arrive", { timeout: 20_000 }, async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bob = await client(hub, "Bob");
    await until(() => peerNamed(ann, "Bob"));
    const declines = [];
    ann.on("transfer-failed", (f) => declines.push(f.transfer.error));
    for (let i = 0; i < 7; i++) {
      const offered = next(bob, "offer");
      await ann.sendText([peerNamed(ann, "Bob").id], `note ${i}`);
      const got = next(bob, "transfer-done");
      await bob.accept((await offered).offerId);
      await got;
    }
    assert.deepEqual(declines, []);
    ann.stop();
    bob.stop();
  });

  it("ends instead of retrying for ever once the server no longer admits this tab, and retries while it is unreachable", async () => {
    const hub = new Hub();
    const backoff = { baseMs: 5, maxMs: 20 };
    const ann = await client(hub, "Ann", { backoff });
    await until(() => ann.signal.state === "ready", "connected");
    const states = [];
    ann.on("connection", ({ state }) => states.push(state));

    // Unreachable for a while: it keeps trying, and is back when the server is.
    hub.outage = "down";
    for (const socket of [...hub.sockets]) socket.close(1006, "");
    await until(() => states.filter((state) => state === "waiting").length >= 3, "several attempts");
    assert.notEqual(ann.signal.state, "ended");
    hub.outage = null;
    await until(() => ann.signal.state === "ready", "back");

    // The session ended while the socket was down (or a guest pass lapsed): the handshake is
    // refused, which script cannot tell from a network failure; the client asks and ends.
    hub.outage = "refused";
    for (const socket of [...hub.sockets]) socket.close(1006, "");
    await until(() => ann.signal.state === "ended", "ended");
    assert.equal(states.at(-1), "ended");
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(ann.signal.state, "ended", "no more attempts");
    ann.stop();
  });

  it("tells when a pairing room it was in goes, not when its socket drops", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann", { backoff: { baseMs: 5, maxMs: 10 } });
    await until(() => ann.signal.state === "ready", "connected");
    const ended = [];
    ann.on("pairing-ended", ({ room }) => ended.push(room.name));
    const room = { id: "pairing:abc", kind: "pairing", name: "Guest · Phone", peers: [] };
    const socket = () => [...hub.sockets].at(-1);
    hub.json(socket(), { type: "room-joined", room });
    await until(() => ann.signal.presence.rooms["pairing:abc"], "in the pairing room");

    const states = [];
    ann.on("connection", ({ state }) => states.push(state));
    for (const open of [...hub.sockets]) open.close(1006, "");
    await until(() => states.includes("waiting") && ann.signal.state === "ready", "dropped and back");
    assert.deepEqual(ended, [], "a dropped socket ends no pairing");

    hub.json(socket(), { type: "room-joined", room });
    await until(() => ann.signal.presence.rooms["pairing:abc"], "in it again");
    hub.json(socket(), { type: "room-left", room: "pairing:abc" });
    await until(() => ended.length > 0, "told");
    assert.deepEqual(ended, ["Guest · Phone"]);
    ann.stop();
  });

  it("makes and claims guest pairing codes through the API", async () => {
    const calls = [];
    const api = { request: async (method, path, options) => (calls.push([method, path, options?.body]), { code: "C0DE", expiresAt: "x" }) };
    const guest = createPeerClient({ api, deviceName: "Guest phone", files: memoryFiles(), keyStore: keyStore(), storage: storage() });
    assert.deepEqual(await guest.pairingCode(), { code: "C0DE", expiresAt: "x" });
    assert.deepEqual(calls[0], ["POST", "/pairings", undefined], "no label: no body");
    await guest.pairingCode("  Vera ");
    await guest.pairingCode("   ");
    assert.deepEqual(calls.slice(1), [["POST", "/pairings", { label: "Vera" }], ["POST", "/pairings", undefined]]);
    calls.splice(0, calls.length - 1);
    await guest.claimPairing("C0DE");
    const [, path, body] = calls[1];
    assert.equal(path, "/pairings/claim");
    assert.equal(body.code, "C0DE");
    assert.match(body.device.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(body.device.name, "Guest phone");
    assert.ok(body.device.publicKey.length > 80);
    await guest.endPairing();
    assert.deepEqual(calls[2].slice(0, 2), ["DELETE", "/pairings/current"]);
    await guest.endGuestPairing("abc_DEF-123");
    assert.deepEqual(calls[3].slice(0, 2), ["DELETE", "/pairings/abc_DEF-123"]);
  });
});
