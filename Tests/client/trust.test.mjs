// Unit tests for Public/js/trust/: encoding, device keys, signed and sealed envelopes (tampering,
// substituted keys, replay, clock), verification codes and the known-keys store.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createDeviceIdentity, loadOrCreateDeviceIdentity, importDevicePublicKey, registerDevice } from "../../Public/js/trust/device-key.js";
import { canonicalJson, fromBase64Url, toBase64Url } from "../../Public/js/trust/encoding.js";
import { EnvelopeError, ReplayGuard, openEnvelope, sealEnvelope } from "../../Public/js/trust/envelope.js";
import { KNOWN_KEYS_STORAGE_KEY, KnownKeys } from "../../Public/js/trust/known-keys.js";
import { codesMatch, verificationCode } from "../../Public/js/trust/verification-code.js";
import { createKeyShare, deriveSession } from "../../Public/js/relay/key-agreement.js";

const memoryStorage = () => {
  const map = new Map();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, String(v)), removeItem: (k) => map.delete(k), map };
};

describe("encoding", () => {
  it("round-trips base64url for every length and refuses non-canonical text", () => {
    for (let length = 0; length < 70; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = toBase64Url(bytes);
      assert.equal(text, Buffer.from(bytes).toString("base64url"));
      assert.deepEqual(fromBase64Url(text), bytes);
    }
    for (const bad of ["a", "ab==", "a+b/", "ab c", "AB", "é"]) assert.throws(() => fromBase64Url(bad), TypeError, bad);
  });

  it("writes canonical JSON with sorted keys and refuses what JSON cannot carry", () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, "x"], c: { z: 0, y: -1.5 } }), '{"a":[true,null,"x"],"b":1,"c":{"y":-1.5,"z":0}}');
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
    assert.throws(() => canonicalJson({ a: undefined }), TypeError);
    assert.throws(() => canonicalJson({ a: NaN }), TypeError);
    assert.throws(() => canonicalJson(new Date()), TypeError);
  });
});

describe("device identity", () => {
  it("makes a non-extractable signing key and keeps it across loads", async () => {
    const map = new Map();
    const store = { get: async (k) => map.get(k), put: async (k, v) => void map.set(k, v) };
    const first = await loadOrCreateDeviceIdentity(store);
    assert.match(first.deviceId, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(first.privateKey.extractable, false);
    await assert.rejects(crypto.subtle.exportKey("pkcs8", first.privateKey));
    const again = await loadOrCreateDeviceIdentity(store);
    assert.equal(again.deviceId, first.deviceId);
    assert.equal(again.publicKeySpki, first.publicKeySpki);
    map.set("device", { deviceId: "broken" });
    const replaced = await loadOrCreateDeviceIdentity(store);
    assert.notEqual(replaced.deviceId, first.deviceId);
  });

  it("registers the public half with PUT /devices/{id}", async () => {
    const identity = await createDeviceIdentity();
    const calls = [];
    await registerDevice({ request: async (...args) => calls.push(args) }, identity, "Laptop");
    assert.deepEqual(calls, [["PUT", `/devices/${identity.deviceId}`, { body: { name: "Laptop", publicKey: identity.publicKeySpki } }]]);
    const key = await importDevicePublicKey(identity.publicKeySpki);
    assert.equal(key.type, "public");
  });
});

/** Two devices with a key session, as after the `key` exchange. */
async function pair() {
  const alice = await createDeviceIdentity();
  const bob = await createDeviceIdentity();
  const sid = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const [shareA, shareB] = await Promise.all([createKeyShare(), createKeyShare()]);
  const sessionA = await deriveSession({ mine: shareA, theirs: shareB.publicKey, self: alice.deviceId, peer: bob.deviceId, sid });
  const sessionB = await deriveSession({ mine: shareB, theirs: shareA.publicKey, self: bob.deviceId, peer: alice.deviceId, sid });
  return { alice, bob, sid, sessionA, sessionB, alicePublic: await importDevicePublicKey(alice.publicKeySpki) };
}

describe("envelopes", () => {
  const NOW = 1_800_000_000_000;

  async function offerFromAlice(p, body = { transfer: "t", manifest: { items: [{ path: "a.txt", size: 3 }] } }) {
    return sealEnvelope({ identity: p.alice, to: p.bob.deviceId, kind: "offer", sid: p.sid, body, sealKey: p.sessionA.sealKey, now: NOW });
  }
  function bobOpens(p, envelope, overrides = {}) {
    return openEnvelope(structuredClone(envelope), {
      self: p.bob.deviceId,
      expectFrom: p.alice.deviceId,
      publicKey: p.alicePublic,
      replay: new ReplayGuard(),
      openKey: (sid) => (sid === p.sid ? p.sessionB.openKey : undefined),
      now: NOW + 1000,
      ...overrides,
    });
  }
  const rejectsWith = (promise, code) => assert.rejects(promise, (error) => error instanceof EnvelopeError && error.code === code);

  it("opens a sealed, signed offer and hides the body from the server", async () => {
    const p = await pair();
    const envelope = await offerFromAlice(p);
    assert.equal(envelope.body, undefined);
    assert.ok(!JSON.stringify(envelope).includes("a.txt"), "file names are not visible in signal.data");
    const opened = await bobOpens(p, envelope);
    assert.equal(opened.kind, "offer");
    assert.deepEqual(opened.body.manifest.items[0], { path: "a.txt", size: 3 });
  });

  it("signs key messages in the clear, and refuses a changed ECDH key", async () => {
    const p = await pair();
    const envelope = await sealEnvelope({ identity: p.alice, to: p.bob.deviceId, kind: "key", sid: p.sid, body: { ecdh: "AAAA" }, now: NOW });
    assert.deepEqual((await bobOpens(p, envelope)).body, { ecdh: "AAAA" });
    envelope.body.ecdh = "BBBB";
    await rejectsWith(bobOpens(p, envelope), "bad-signature");
  });

  it("detects each changed header field and a changed ciphertext", async () => {
    const p = await pair();
    const envelope = await offerFromAlice(p);
    const flipped = fromBase64Url(envelope.sealed);
    flipped[20] ^= 1;
    await rejectsWith(bobOpens(p, { ...envelope, sealed: toBase64Url(flipped) }), "bad-signature");
    await rejectsWith(bobOpens(p, { ...envelope, ts: envelope.ts + 1 }), "bad-signature");
    await rejectsWith(bobOpens(p, { ...envelope, kind: "accept" }), "bad-signature");
    await rejectsWith(bobOpens(p, { ...envelope, nonce: toBase64Url(new Uint8Array(16)) }), "bad-signature");
    await rejectsWith(bobOpens(p, { ...envelope, extra: 1 }), "malformed");
    await rejectsWith(bobOpens(p, { ...envelope, body: {} }), "malformed");
  });

  it("refuses a message for another device and a sender other than the listed one", async () => {
    const p = await pair();
    const envelope = await offerFromAlice(p);
    const carol = await createDeviceIdentity();
    await rejectsWith(bobOpens(p, envelope, { self: carol.deviceId }), "wrong-recipient");
    await rejectsWith(bobOpens(p, envelope, { expectFrom: carol.deviceId }), "wrong-sender");
  });

  it("refuses a signature checked against a substituted key (server impersonation)", async () => {
    const p = await pair();
    const mallory = await createDeviceIdentity();
    // Mallory signs as Alice's device id; Bob checks against Alice's listed key.
    const forged = await sealEnvelope({
      identity: { deviceId: p.alice.deviceId, privateKey: mallory.privateKey },
      to: p.bob.deviceId, kind: "offer", sid: p.sid, body: { x: 1 }, sealKey: p.sessionA.sealKey, now: NOW,
    });
    await rejectsWith(bobOpens(p, forged), "bad-signature");
    // Alice's real message checked against a key the server substituted.
    const real = await offerFromAlice(p);
    await rejectsWith(bobOpens(p, real, { publicKey: await importDevicePublicKey(mallory.publicKeySpki) }), "bad-signature");
  });

  it("refuses a replayed nonce and a message outside the clock window", async () => {
    const p = await pair();
    const envelope = await offerFromAlice(p);
    const replay = new ReplayGuard();
    await bobOpens(p, envelope, { replay });
    await rejectsWith(bobOpens(p, envelope, { replay }), "replayed");
    await rejectsWith(bobOpens(p, envelope, { now: NOW + 11 * 60 * 1000 }), "stale");
    await rejectsWith(bobOpens(p, envelope, { now: NOW - 11 * 60 * 1000 }), "stale");
  });

  it("refuses a seal made with another session's key", async () => {
    const p = await pair();
    const other = await pair();
    const envelope = await sealEnvelope({
      identity: p.alice, to: p.bob.deviceId, kind: "offer", sid: p.sid, body: { x: 1 }, sealKey: other.sessionA.sealKey, now: NOW,
    });
    await rejectsWith(bobOpens(p, envelope), "bad-seal");
    await rejectsWith(bobOpens(p, await offerFromAlice(p), { openKey: () => undefined }), "no-session");
  });

  it("derives matching directional keys on both sides, different per direction", async () => {
    const p = await pair();
    const iv = new Uint8Array(12);
    const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, p.sessionA.sealKey, new Uint8Array([1, 2, 3]));
    assert.deepEqual(new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, p.sessionB.openKey, sealed)), new Uint8Array([1, 2, 3]));
    await assert.rejects(crypto.subtle.decrypt({ name: "AES-GCM", iv }, p.sessionA.openKey, sealed));
    await assert.rejects(deriveSession({ mine: await createKeyShare(), theirs: toBase64Url(new Uint8Array(65).fill(4)), self: "a", peer: "b", sid: p.sid }));
  });
});

describe("verification code", () => {
  it("is the same both ways and changes with either key", async () => {
    const [a, b, c] = await Promise.all([createDeviceIdentity(), createDeviceIdentity(), createDeviceIdentity()]);
    const ab = await verificationCode(a.publicKeySpki, b.publicKeySpki);
    assert.match(ab, /^\d{5}( \d{5}){5}$/);
    assert.equal(await verificationCode(b.publicKeySpki, a.publicKeySpki), ab);
    assert.notEqual(await verificationCode(a.publicKeySpki, c.publicKeySpki), ab);
    assert.notEqual(await verificationCode(c.publicKeySpki, b.publicKeySpki), ab);
  });

  it("matches typed codes with spaces or dashes, not other digits", () => {
    assert.ok(codesMatch("12345-67890 11111", "12345 67890 11111"));
    assert.ok(!codesMatch("12345 67890 11112", "12345 67890 11111"));
    assert.ok(!codesMatch("", "12345"));
  });
});

describe("known keys", () => {
  const peer = (key, name = "Laptop", user = "u1") => ({ device: { id: "D".repeat(22), name, publicKey: key }, user: { id: user } });

  it("remembers a new device, then warns when its key changes and keeps the old one", () => {
    const storage = memoryStorage();
    const keys = new KnownKeys(storage, () => 5);
    assert.equal(keys.observe(peer("K1")).status, "new");
    assert.equal(keys.observe(peer("K1", "Renamed")).status, "known");
    const changed = keys.observe(peer("K2"));
    assert.equal(changed.status, "changed");
    assert.equal(changed.remembered?.publicKey, "K1");
    assert.equal(keys.observe(peer("K2")).status, "changed", "still a warning the second time: never silently accepted");
    assert.equal(keys.observe(peer("K1", "Laptop", "someone-else")).status, "changed", "same key listed for another user");
    assert.equal(new KnownKeys(storage).get("D".repeat(22))?.publicKey, "K1", "kept across reloads");
  });

  it("is verified after confirm, and a confirmed new key replaces the old one", () => {
    const storage = memoryStorage();
    const keys = new KnownKeys(storage, () => 7);
    keys.observe(peer("K1"));
    keys.confirm(peer("K1"));
    assert.equal(keys.observe(peer("K1")).status, "verified");
    assert.equal(keys.observe(peer("K2")).status, "changed");
    keys.confirm(peer("K2"));
    assert.equal(new KnownKeys(storage).statusOf(peer("K2")), "verified");
    assert.equal(new KnownKeys(storage).statusOf(peer("K1")), "changed");
  });

  it("survives a damaged store", () => {
    const storage = memoryStorage();
    storage.setItem(KNOWN_KEYS_STORAGE_KEY, "{not json");
    assert.equal(new KnownKeys(storage).observe(peer("K1")).status, "new");
  });
});
