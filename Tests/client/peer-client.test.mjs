// End-to-end tests of Public/js/peer-client.js under Node: two or three clients, a fake
// signalling server (fake-hub.mjs), real WebCrypto, the relay path (no WebRTC in Node) and a
// fake RTCPeerConnection that never connects (ICE timeout → relay).
import { createHash, randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createPeerClient, splitItems, OFFER_PART_BYTES } from "../../Public/js/peer-client.js";
import { Sha256 } from "../../Public/js/sha256.js";
import { memorySinks } from "../../Public/js/transfer/receiver.js";
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
    sourceFor: (files) => memorySource(files.map((f) => f.bytes), Sha256),
    sinksFor: ({ manifest }) => {
      const sinks = memorySinks(Sha256);
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
const until = async (predicate) => {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(predicate(), "condition not reached");
};
const peerNamed = (c, name) => c.peers().find((p) => p.user?.name === name);

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
    await ann.sendText([peerNamed(ann, "Bob").id], "hi");
    assert.equal((await rejected).code, "bad-signature");
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

  it("falls back to the relay when ICE does not connect in time", async () => {
    const hub = new Hub();
    const made = [];
    class StuckPeerConnection {
      constructor(config) {
        this.config = config;
        this.listeners = new Map();
        this.connectionState = "new";
        this.remoteDescription = null;
        made.push(this);
      }
      addEventListener(type, fn) {
        this.listeners.set(type, fn);
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
      }
      async setRemoteDescription(d) {
        this.remoteDescription = d;
      }
      async addIceCandidate() {}
      close() {
        this.closed = true;
      }
    }
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

  it("splits large manifests into offer parts within the message limit", () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({ i, kind: "file", path: `folder/sub/file-${i}-${"x".repeat(40)}.bin`, size: i, type: "", modified: 0 }));
    const parts = splitItems(items);
    assert.ok(parts.length > 1);
    assert.deepEqual(parts.flat(), items);
    for (const part of parts) assert.ok(JSON.stringify(part).length <= OFFER_PART_BYTES + 10);
  });

  it("renames the device: peers see the new name", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const bob = await client(hub, "Bob");
    await until(() => peerNamed(bob, "Ann"));
    assert.equal(ann.rename("Ann's desktop"), true);
    await until(() => peerNamed(bob, "Ann")?.device.name === "Ann's desktop");
    ann.stop();
    bob.stop();
  });

  it("a guest's page registers its device its own way (a pairing claim), not with PUT /devices", async () => {
    const hub = new Hub();
    const ann = await client(hub, "Ann");
    const claimed = [];
    const api = hub.api({ id: "g", name: "unused" });
    const guest = await client(hub, "Guest", {
      api: { request: (method, path, options) => (method === "PUT" ? Promise.reject(new Error("guests have no account")) : api.request(method, path, options)) },
      register: async (identity) => {
        claimed.push(identity.deviceId);
        // What the server's claim does: the device is now the guest's.
        hub.devices.set(identity.deviceId, { name: "Guest's phone", publicKey: identity.publicKeySpki, user: null });
      },
    });
    assert.equal(claimed.length, 1);
    await until(() => ann.peers().some((p) => p.device.name === "Guest's phone"));
    ann.stop();
    guest.stop();
  });
});
