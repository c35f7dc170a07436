// Unit tests for Public/js/signal/: the socket client against a fake WebSocket and fake timers
// (hello/welcome, presence, signals, relay frames, errors, reconnect with backoff, the identity
// close) and the presence reducer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { applyPresence, awayPairings, emptyPresence, guestLabelOf, listPeers, peersOfDevice } from "../../Public/js/signal/presence.js";
import { SUBPROTOCOL, SignalClient, backoffDelay, signalUrl } from "../../Public/js/signal/socket.js";

class FakeWebSocket {
  static all = [];
  readyState = 0;
  bufferedAmount = 0;
  sent = [];
  listeners = new Map();
  constructor(url, protocol) {
    this.url = url;
    this.protocol = protocol;
    FakeWebSocket.all.push(this);
  }
  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
  }
  fire(type, event = {}) {
    for (const fn of this.listeners.get(type) ?? []) fn({ type, ...event });
  }
  send(data) {
    this.sent.push(data);
  }
  close(code = 1000, reason = "") {
    this.closedWith = { code, reason };
    this.readyState = 3;
    this.fire("close", { code, reason });
  }
  // server side helpers
  open() {
    this.readyState = 1;
    this.fire("open");
  }
  receive(message) {
    this.fire("message", { data: typeof message === "string" || message instanceof ArrayBuffer ? message : JSON.stringify(message) });
  }
  drop(code = 1006, reason = "") {
    this.readyState = 3;
    this.fire("close", { code, reason });
  }
  json() {
    return this.sent.filter((m) => typeof m === "string").map((m) => JSON.parse(m));
  }
}

class FakeTimers {
  now = 0;
  timers = new Map();
  next = 1;
  setTimeout = (fn, ms) => {
    const id = this.next++;
    this.timers.set(id, { fn, at: this.now + ms });
    return id;
  };
  clearTimeout = (id) => void this.timers.delete(id);
  advance(ms) {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
  pending() {
    return [...this.timers.values()].map((t) => t.at - this.now);
  }
}

const DEVICE = "D".repeat(22);
const peer = (n, device = `dev${n}`.padEnd(22, "x"), user = `User ${n}`) => ({
  id: `p_${String(n).padEnd(22, "0")}`,
  device: { id: device, name: `Device ${n}`, publicKey: `key${n}` },
  user: { id: `u${n}`, name: user },
  guest: false,
});
const you = peer(0, DEVICE);
const welcome = (rooms) => ({ type: "welcome", v: 1, you, rooms, limits: { maxMessageBytes: 65536, maxRelayFrameBytes: 262144 } });

function setup(options = {}) {
  FakeWebSocket.all = [];
  const timers = new FakeTimers();
  const client = new SignalClient({ url: "wss://ferry.test/api/v1/signal", deviceId: DEVICE, WebSocket: FakeWebSocket, timers, random: () => 0.5, ...options });
  const events = [];
  for (const type of ["state", "welcome", "signal", "relay-opened", "relay-closed", "relay-frame", "server-error", "ended", "disconnected"]) {
    client.on(type, (value) => events.push([type, value]));
  }
  return { client, timers, events, socket: () => FakeWebSocket.all.at(-1) };
}

describe("signal client", () => {
  it("builds the URL from the page's location", () => {
    assert.equal(signalUrl({ protocol: "https:", host: "ferry.lan:8443" }), "wss://ferry.lan:8443/api/v1/signal");
    assert.equal(signalUrl({ protocol: "http:", host: "127.0.0.1:8080" }), "ws://127.0.0.1:8080/api/v1/signal");
  });

  it("says hello with the subprotocol and becomes ready on welcome", () => {
    const { client, socket, events } = setup();
    client.start();
    assert.equal(socket().protocol, SUBPROTOCOL);
    assert.equal(socket().url, "wss://ferry.test/api/v1/signal");
    assert.equal(client.signal("p_x", {}), null, "nothing is sent before welcome");
    socket().open();
    assert.deepEqual(socket().json(), [{ type: "hello", v: 1, device: DEVICE }]);
    socket().receive(welcome([{ id: "team:1", kind: "team", name: "Crew", peers: [peer(1)] }]));
    assert.equal(client.state, "ready");
    assert.deepEqual(client.limits, { maxMessageBytes: 65536, maxRelayFrameBytes: 262144 });
    assert.equal(listPeers(client.presence).length, 1);
    assert.ok(events.some(([type]) => type === "welcome"));
  });

  it("sends signals and relay requests with refs, and matches errors to them", () => {
    const { client, socket, events } = setup();
    client.start();
    socket().open();
    socket().receive(welcome([]));
    const ref = client.signal("p_a", { v: 1 });
    assert.equal(client.openRelay("p_a", "0123456789abcdef") !== null, true);
    assert.equal(client.closeRelay("0123456789abcdef") !== null, true);
    const sent = socket().json().slice(1);
    assert.deepEqual(sent[0], { type: "signal", to: "p_a", data: { v: 1 }, ref });
    assert.equal(sent[1].type, "relay-open");
    assert.equal(sent[2].type, "relay-close");
    socket().receive({ type: "error", code: "unknown-peer", message: "no", ref });
    assert.deepEqual(events.at(-1), ["server-error", { code: "unknown-peer", message: "no", ref }]);
    assert.equal(client.state, "ready", "an error leaves the socket open");
  });

  it("passes on signals and relay events, and frames relay data with the 8-byte id", () => {
    const { client, socket, events } = setup();
    client.start();
    socket().open();
    socket().receive(welcome([]));
    socket().receive({ type: "signal", from: "p_b", data: { kind: "offer" } });
    socket().receive({ type: "signal", from: "p_b", data: "not an object" });
    socket().receive({ type: "relay-opened", relay: "00000000000000ff", peer: "p_b" });
    const frame = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0xff, 9, 8, 7]);
    socket().receive(frame.buffer);
    socket().receive("{bad json");
    socket().receive({ type: "from-the-future" });
    socket().receive({ type: "relay-closed", relay: "00000000000000ff", reason: "idle" });
    const kinds = events.map(([type]) => type).filter((t) => t !== "state" && t !== "welcome");
    assert.deepEqual(kinds, ["signal", "relay-opened", "relay-frame", "relay-closed"]);
    const relayFrame = events.find(([type]) => type === "relay-frame")[1];
    assert.equal(relayFrame.relay, "00000000000000ff");
    assert.deepEqual([...relayFrame.payload], [9, 8, 7]);
    assert.ok(client.sendRelayFrame("00000000000000ff", new Uint8Array([1, 2])));
    assert.deepEqual([...socket().sent.at(-1)], [0, 0, 0, 0, 0, 0, 0, 0xff, 1, 2]);
  });

  it("reconnects with exponential backoff and jitter, and resets after a welcome", () => {
    const { client, socket, timers } = setup();
    client.start();
    socket().drop();
    assert.equal(client.state, "waiting");
    // random() = 0.5: half the ceiling plus a quarter = 0.75 × ceiling
    assert.deepEqual(timers.pending(), [750]);
    timers.advance(750);
    assert.equal(FakeWebSocket.all.length, 2);
    socket().drop();
    assert.deepEqual(timers.pending(), [1500]);
    timers.advance(1500);
    socket().drop();
    assert.deepEqual(timers.pending(), [3000]);
    timers.advance(3000);
    socket().open();
    socket().receive(welcome([]));
    socket().drop();
    assert.deepEqual(timers.pending(), [750], "the count starts over after a welcome");
    assert.equal(backoffDelay(30, { baseMs: 1000, maxMs: 30_000 }, () => 0.999999) <= 30_000, true);
    assert.equal(backoffDelay(30, { baseMs: 1000, maxMs: 30_000 }, () => 0), 15_000);
  });

  it("forgets presence when the socket drops and takes the new welcome after reconnecting", () => {
    const { client, socket, timers } = setup();
    const presences = [];
    client.on("presence", (p) => presences.push(listPeers(p).map((x) => x.id)));
    client.start();
    socket().open();
    socket().receive(welcome([{ id: "team:1", kind: "team", name: "Crew", peers: [peer(1), peer(2)] }]));
    socket().drop();
    assert.deepEqual(presences.at(-1), []);
    timers.advance(1000);
    socket().open();
    socket().receive(welcome([{ id: "team:1", kind: "team", name: "Crew", peers: [peer(3)] }]));
    assert.deepEqual(presences.at(-1), [peer(3).id]);
  });

  it("closes and retries when no welcome comes", () => {
    const { client, socket, timers } = setup({ welcomeTimeoutMs: 5000 });
    client.start();
    socket().open();
    timers.advance(5000);
    assert.deepEqual(socket().closedWith, { code: 4000, reason: "no welcome" });
    assert.equal(client.state, "waiting");
  });

  it("ends without reconnecting when the server closes for identity, and stop() is final", () => {
    const a = setup();
    a.client.start();
    a.socket().open();
    a.socket().receive(welcome([]));
    a.socket().drop(1008, "identity");
    assert.equal(a.client.state, "ended");
    assert.deepEqual(a.timers.pending(), []);
    assert.ok(a.events.some(([type, body]) => type === "ended" && body.reason === "identity"));

    // A guest whose pass ended: no reconnect either (the handshake would be refused for ever).
    const guest = setup();
    guest.client.start();
    guest.socket().open();
    guest.socket().receive(welcome([]));
    guest.socket().drop(1008, "pairing ended by member");
    assert.equal(guest.client.state, "ended");
    assert.deepEqual(guest.timers.pending(), []);
    assert.ok(guest.events.some(([type, body]) => type === "ended" && body.reason === "pairing ended by member"));

    // Ended from outside (the page learnt the identity is gone): only while waiting, no retry.
    const outside = setup();
    outside.client.start();
    outside.socket().open();
    outside.socket().receive(welcome([]));
    outside.client.end("identity");
    assert.equal(outside.client.state, "ready", "a live socket is not ended from outside");
    outside.socket().drop(1006, "");
    assert.equal(outside.client.state, "waiting");
    outside.client.end("identity");
    assert.equal(outside.client.state, "ended");
    assert.deepEqual(outside.timers.pending(), []);

    // Any other policy close is retried.
    const other = setup();
    other.client.start();
    other.socket().open();
    other.socket().receive(welcome([]));
    other.socket().drop(1008, "rate");
    assert.equal(other.client.state, "waiting");
    assert.equal(other.timers.pending().length, 1);

    const b = setup();
    b.client.start();
    b.socket().open();
    b.client.stop();
    assert.equal(b.client.state, "stopped");
    assert.deepEqual(b.timers.pending(), []);
    assert.equal(FakeWebSocket.all.length, 1);
  });
});

describe("presence", () => {
  const team = { id: "team:1", kind: "team", name: "Crew" };
  const net = { id: "network:1", kind: "network", name: "Crew (here)" };

  it("lists each peer once with its rooms, sorted by user and device", () => {
    let state = applyPresence(emptyPresence(), welcome([{ ...team, peers: [peer(2, undefined, "Zed"), peer(1, undefined, "Ann")] }, { ...net, peers: [peer(1, undefined, "Ann")] }]));
    const list = listPeers(state);
    assert.deepEqual(list.map((p) => [p.user.name, p.rooms.map((r) => r.kind)]), [["Ann", ["team", "network"]], ["Zed", ["team"]]]);
    state = applyPresence(state, { type: "peer-left", room: "network:1", peer: peer(1).id });
    assert.equal(listPeers(state).length, 2, "still in the team room");
    state = applyPresence(state, { type: "peer-left", room: "team:1", peer: peer(1).id });
    assert.deepEqual(listPeers(state).map((p) => p.user.name), ["Zed"]);
  });

  it("handles joins, renames, room changes, and ignores itself and unknown rooms", () => {
    let state = applyPresence(emptyPresence(), welcome([{ ...team, peers: [] }]));
    state = applyPresence(state, { type: "peer-joined", room: "team:1", peer: peer(1) });
    state = applyPresence(state, { type: "peer-joined", room: "team:1", peer: you });
    state = applyPresence(state, { type: "peer-joined", room: "team:9", peer: peer(5) });
    assert.deepEqual(Object.keys(state.peers), [peer(1).id]);
    const renamed = { ...peer(1), device: { ...peer(1).device, name: "New name" } };
    state = applyPresence(state, { type: "peer-updated", peer: renamed });
    assert.equal(listPeers(state)[0].device.name, "New name");
    state = applyPresence(state, { type: "room-joined", room: { id: "pairing:abc", kind: "pairing", name: "Guest", peers: [peer(7)] } });
    assert.equal(listPeers(state).length, 2);
    state = applyPresence(state, { type: "room-left", room: "pairing:abc" });
    assert.equal(listPeers(state).length, 1);
    assert.equal(state.rooms["pairing:abc"], undefined);
  });

  it("lists a member's pairings whose guest is away, and none for a guest", () => {
    const guest = (n) => ({ ...peer(n), user: null, guest: true });
    const pairing = (id, peers) => ({ id: `pairing:${id}`, kind: "pairing", name: `Guest · G${id}`, peers });
    let state = applyPresence(emptyPresence(), welcome([{ ...team, peers: [peer(1)] }, pairing("a", [guest(5)]), pairing("b", [])]));
    assert.deepEqual(awayPairings(state).map((p) => [p.pairing, p.room.name]), [["b", "Guest · Gb"]]);
    // The guest's page closes: its room stays for the grace time, and its pairing is now away.
    state = applyPresence(state, { type: "peer-left", room: "pairing:a", peer: guest(5).id });
    assert.deepEqual(awayPairings(state).map((p) => p.pairing).sort(), ["a", "b"]);
    // Back (a reload), or ended: not away any more.
    state = applyPresence(state, { type: "peer-joined", room: "pairing:a", peer: guest(6) });
    state = applyPresence(state, { type: "room-left", room: "pairing:b" });
    assert.deepEqual(awayPairings(state), []);
    // A member's other tab in a pairing room is not the guest.
    state = applyPresence(state, { type: "room-joined", room: pairing("c", [peer(2)]) });
    assert.deepEqual(awayPairings(state).map((p) => p.pairing), ["c"]);
    // A guest's own pairing room, its member away, is not a guest it could end.
    const asGuest = applyPresence(emptyPresence(), { ...welcome([pairing("a", [])]), you: guest(0) });
    assert.deepEqual(awayPairings(asGuest), []);
  });

  it("gives a guest the label of its member's pairing room, and no one else", () => {
    const guest = (n) => ({ ...peer(n), user: null, guest: true });
    const labelled = { id: "pairing:a", kind: "pairing", name: "Guest · Visitor", label: "Vera", peers: [guest(5), peer(2)] };
    let state = applyPresence(emptyPresence(), welcome([{ ...team, peers: [peer(1)] }, labelled]));
    assert.equal(state.rooms["pairing:a"].label, "Vera");
    const byId = Object.fromEntries(listPeers(state).map((p) => [p.id, p]));
    assert.equal(byId[guest(5).id].label, "Vera");
    assert.equal(byId[peer(2).id].label, undefined, "a member's own tab in the room is not the guest");
    assert.equal(byId[peer(1).id].label, undefined);
    assert.deepEqual(guestLabelOf(state, guest(5).id), { label: "Vera" });
    // Away: the room keeps its label for the row that ends the pairing.
    state = applyPresence(state, { type: "peer-left", room: "pairing:a", peer: guest(5).id });
    assert.deepEqual(awayPairings(state).map((p) => p.room.label), ["Vera"]);
    // No label, or not a string: none.
    state = applyPresence(state, { type: "room-joined", room: { id: "pairing:b", kind: "pairing", name: "Guest · X", label: 7, peers: [guest(6)] } });
    assert.deepEqual(guestLabelOf(state, guest(6).id), {});
  });

  it("finds a device's tabs and marks other tabs of this device", () => {
    const sibling = { ...peer(4), device: you.device };
    const state = applyPresence(emptyPresence(), welcome([{ ...team, peers: [peer(1), sibling] }]));
    assert.deepEqual(peersOfDevice(state, DEVICE).map((p) => p.id), [sibling.id]);
    assert.equal(listPeers(state).find((p) => p.id === sibling.id).sameDevice, true);
  });

  it("marks another device of the same person, and only that", async () => {
    const { peerRow } = await import("../../Public/js/app/model.js");
    const phone = { ...peer(5), user: you.user };
    const state = applyPresence(emptyPresence(), welcome([{ ...team, peers: [peer(1), phone] }]));
    const list = listPeers(state);
    assert.deepEqual(list.map((p) => [p.id, p.mine]), [[phone.id, true], [peer(1).id, false]]);
    const rows = list.map((p) => peerRow({ ...p, keyStatus: "unknown" }, new Set()).who);
    assert.deepEqual(rows, ["User 0 (you)", "User 1"]);
  });
});

describe("messenger", async () => {
  const { Messenger } = await import("../../Public/js/signal/messenger.js");
  const { createDeviceIdentity } = await import("../../Public/js/trust/device-key.js");
  const { Emitter } = await import("../../Public/js/emitter.js");

  /** Two messengers joined by a fake signal client each (synchronous delivery through a queue). */
  async function pairOfMessengers({ drop = () => false } = {}) {
    const [a, b] = await Promise.all([createDeviceIdentity(), createDeviceIdentity()]);
    const peerA = { id: "p_A", device: { id: a.deviceId, name: "A", publicKey: a.publicKeySpki }, user: null, guest: true };
    const peerB = { id: "p_B", device: { id: b.deviceId, name: "B", publicKey: b.publicKeySpki }, user: null, guest: true };
    const signalA = Object.assign(new Emitter(), { presence: { peers: { p_B: peerB } }, online: true });
    const signalB = Object.assign(new Emitter(), { presence: { peers: { p_A: peerA } }, online: true });
    signalA.signal = (to, data) => (signalA.online ? (drop(data) || setImmediate(() => signalB.emit("signal", { from: "p_A", data })), "r") : null);
    signalB.signal = (to, data) => (signalB.online ? (drop(data) || setImmediate(() => signalA.emit("signal", { from: "p_B", data })), "r") : null);
    const ma = new Messenger({ signal: signalA, identity: a, keyTimeoutMs: 200 });
    const mb = new Messenger({ signal: signalB, identity: b, keyTimeoutMs: 200 });
    return { ma, mb, signalA, signalB };
  }
  const received = (m) => new Promise((resolve) => m.on("message", resolve));

  it("makes one session even when both sides start at once, and delivers in order", async () => {
    const { ma, mb } = await pairOfMessengers();
    const got = [];
    mb.on("message", (m) => got.push(m.body.n));
    const gotA = received(ma);
    await Promise.all([ma.send("p_B", "cancel", { n: 1 }), mb.send("p_A", "cancel", { n: 9 }), ma.send("p_B", "cancel", { n: 2 })]);
    assert.equal((await gotA).body.n, 9);
    await until(() => got.length === 2);
    assert.deepEqual(got, [1, 2]);
    assert.equal((await ma.session("p_B")).sid, (await mb.session("p_A")).sid);
  });

  it("fails waiting sends when the key exchange is not answered, or cannot be sent", async () => {
    const lost = await pairOfMessengers({ drop: (data) => data.kind === "key" });
    await assert.rejects(lost.ma.send("p_B", "cancel", {}), (e) => e.code === "key-timeout");
    const offline = await pairOfMessengers();
    offline.signalA.online = false;
    await assert.rejects(offline.ma.send("p_B", "cancel", {}), (e) => e.code === "offline");
    await assert.rejects(offline.ma.send("p_X", "cancel", {}), (e) => e.code === "unknown-peer");
  });

  it("rejects a signal from a peer the presence does not list", async () => {
    const { ma, mb, signalB } = await pairOfMessengers();
    signalB.presence.peers = {};
    const rejected = new Promise((resolve) => mb.on("rejected", resolve));
    void ma.send("p_B", "cancel", {}).catch(() => {});
    assert.equal((await rejected).code, "unknown-peer");
  });
});

async function until(predicate) {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(predicate());
}
