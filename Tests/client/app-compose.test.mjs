// The composer (Public/js/app/compose.js) with a fake peer client and fake features: events
// reach features, the selection follows presence, actions call the client, refusals become
// messages.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Emitter } from "../../Public/js/emitter.js";
import { composeApp, outcome } from "../../Public/js/app/compose.js";

function fakeClient() {
  const client = new Emitter();
  client.calls = [];
  client.peers = () => [];
  client.sendFiles = async (ids, files) => {
    client.calls.push(["sendFiles", ids, files.length]);
    return ids.map((id) => `t-${id}`);
  };
  client.sendText = async (ids, text) => {
    client.calls.push(["sendText", ids, text]);
    return ids.map((id) => `t-${id}`);
  };
  client.accept = async (id, target) => void client.calls.push(["accept", id, target]);
  client.decline = async (id) => void client.calls.push(["decline", id]);
  client.cancel = async () => {
    throw new Error("no such transfer");
  };
  return client;
}
const peer = (id) => ({ id, user: { id: "u", name: id }, guest: false, device: { id: `d${id}`, name: "x", publicKey: "k" }, rooms: [], sameDevice: false, keyStatus: "known" });

test("features get the client's events through the context, in order", () => {
  const client = fakeClient();
  const seen = [];
  composeApp({
    client,
    features: [
      (app) => {
        for (const type of ["peers", "offer", "transfer", "transfer-done", "offer-gone", "connection", "tampered"]) app.events.on(type, (v) => seen.push(type));
      },
    ],
  });
  client.emit("connection", { state: "ready" });
  client.emit("peers", [peer("a")]);
  client.emit("offer", { offerId: "T" });
  client.emit("offer-withdrawn", { offerId: "T", reason: "expired" });
  client.emit("transfer", { id: "X", state: "running" });
  client.emit("transfer-done", { transfer: { id: "X", state: "done", direction: "in", peer: { userName: "Ann", deviceName: "Laptop" }, summary: { isText: true, count: 0, totalSize: 0 }, done: 0, total: 0 } });
  client.emit("tampered", { peer: peer("a"), code: "bad-signature" });
  assert.deepEqual(seen, ["peers", "connection", "peers", "offer", "offer-gone", "transfer", "transfer-done", "tampered"]);
});

test("the selection drops peers that left, and sending goes to it (or to a drop target)", async () => {
  const client = fakeClient();
  let app;
  const selections = [];
  composeApp({ client, features: [(a) => ((app = a), a.events.on("selection", (s) => selections.push([...s])))] });
  client.emit("peers", [peer("a"), peer("b")]);
  app.toggle("a");
  app.toggle("b");
  client.emit("peers", [peer("b")]);
  assert.deepEqual(selections, [["a"], ["a", "b"], ["b"]]);
  assert.deepEqual(await app.sendFiles([{ name: "f" }]), ["t-b"]);
  assert.deepEqual(await app.sendText("hi", "c"), ["t-c"]);
  assert.deepEqual(client.calls, [["sendFiles", ["b"], 1], ["sendText", ["c"], "hi"]]);
  assert.equal(app.transfers().size, 0);
  client.emit("transfer", { id: "X", state: "running" });
  assert.equal(app.transfers().get("X").state, "running");
});

test("refusals become error messages, never unhandled rejections", async () => {
  const client = fakeClient();
  let app;
  const errors = [];
  composeApp({ client, features: [(a) => ((app = a), a.events.on("error", (m) => errors.push(m)))] });
  assert.deepEqual(await app.sendText("hi"), []);
  assert.deepEqual(await app.sendText("   "), []);
  await app.cancel("X");
  assert.equal(errors.length, 3);
  assert.match(errors[0], /Choose who to send to/);
  assert.match(errors[1], /Type a message/);
  assert.equal(errors[2], "no such transfer");
  assert.deepEqual(client.calls, []);
});

test("files picked before anyone is selected wait, and go to the first person selected", async () => {
  const client = fakeClient();
  let app;
  const statuses = [];
  let clock = 1000;
  const held = [];
  composeApp({ client, env: { now: () => clock }, features: [(a) => ((app = a), a.events.on("status", (m) => statuses.push(m)), a.events.on("held", (h) => held.push(h)))] });
  client.emit("peers", [peer("a"), peer("b")]);
  assert.deepEqual(await app.sendFiles([{ name: "one.txt" }, { name: "two.txt" }]), []);
  assert.match(statuses.at(-1), /^2 files are ready: select who gets them under “Online now” and they are offered\.$/);
  assert.deepEqual(held, [{ names: ["one.txt", "two.txt"], until: 1000 + 2 * 60 * 1000 }], "the send card shows what waits");
  assert.deepEqual(client.calls, []);
  app.toggle("a");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(client.calls, [["sendFiles", ["a"], 2]]);
  assert.equal(held.at(-1), null, "offered: nothing waits any more");
  // Once: selecting another person later sends nothing more.
  app.toggle("b");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(client.calls.length, 1);

  // A text that could not go (no one selected) leaves files waiting where they are.
  app.clearSelection();
  await app.sendFiles([{ name: "kept.txt" }]);
  assert.deepEqual(await app.sendText("hello?"), []);
  assert.deepEqual(held.at(-1).names, ["kept.txt"]);
  app.toggle("a");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(client.calls.at(-1), ["sendFiles", ["a"], 1]);
  assert.equal(held.at(-1), null);
  client.calls.length = 1;

  // Let go by the user: selecting someone sends nothing.
  app.clearSelection();
  await app.sendFiles([{ name: "unwanted.txt" }]);
  assert.deepEqual(held.at(-1).names, ["unwanted.txt"]);
  app.dropHeld();
  assert.equal(held.at(-1), null);
  app.toggle("b");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(client.calls.length, 1);

  // Files held too long are forgotten; a text sent meanwhile forgets them too.
  app.clearSelection();
  await app.sendFiles([{ name: "late.txt" }]);
  assert.match(statuses.at(-1), /^“late\.txt” is ready/);
  clock += 2 * 60 * 1000;
  app.toggle("a");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(client.calls.length, 1);
  app.clearSelection();
  await app.sendFiles([{ name: "x" }]);
  await app.sendText("hello", "b");
  app.toggle("a");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(client.calls.slice(1), [["sendText", ["b"], "hello"]]);
});

test("\"waiting for an answer\" is over once every offer of the send was answered", async () => {
  const client = fakeClient();
  let app;
  const over = [];
  const statuses = [];
  composeApp({ client, features: [(a) => ((app = a), a.events.on("status-over", (m) => over.push(m)), a.events.on("status", (m) => statuses.push(m)))] });
  client.emit("peers", [peer("a"), peer("b")]);
  await app.sendText("hi", "a");
  app.toggle("a");
  app.toggle("b");
  await app.sendFiles([{ name: "f.txt" }]);
  assert.deepEqual(statuses, ["Message offered; waiting for an answer.", "Offered f.txt; waiting for an answer."]);
  client.emit("transfer", { id: "t-a", state: "offered" });
  client.emit("transfer", { id: "t-a", state: "running" });
  assert.deepEqual(over, [], "Bob has not answered yet");
  client.emit("transfer", { id: "t-b", state: "declined" });
  assert.deepEqual(over, ["Offered f.txt; waiting for an answer."]);
  client.emit("transfer", { id: "t-b", state: "declined" });
  assert.equal(over.length, 1, "said once");
});

test("a selected peer that reloads (same device, new id) stays selected", () => {
  const client = fakeClient();
  let app;
  composeApp({ client, features: [(a) => (app = a)] });
  client.emit("peers", [peer("a")]);
  app.toggle("a");
  client.emit("peers", []);
  assert.deepEqual([...app.selection()], []);
  client.emit("peers", [{ ...peer("a2"), device: peer("a").device }]);
  assert.deepEqual([...app.selection()], ["a2"]);
  // Cleared by the user while it was away: it does not come back selected.
  app.clearSelection();
  client.emit("peers", []);
  client.emit("peers", [{ ...peer("a3"), device: peer("a").device }]);
  assert.deepEqual([...app.selection()], []);
});

test("held files go to the person the user selects, not to one the selection brought back meanwhile", async () => {
  const client = fakeClient();
  let app;
  composeApp({ client, features: [(a) => (app = a)] });
  client.emit("peers", [peer("a"), peer("b")]);
  app.toggle("b");
  client.emit("peers", [peer("a")]); // b's tab reloads…
  await app.sendFiles([{ name: "f" }]); // …while files are picked: held
  client.emit("peers", [peer("a"), { ...peer("b2"), device: peer("b").device }]); // b is back, selected again
  assert.deepEqual([...app.selection()], ["b2"]);
  app.toggle("a");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(client.calls, [["sendFiles", ["a"], 1]]);
});

test("how a transfer ended is said in the status line", () => {
  const client = fakeClient();
  const statuses = [];
  composeApp({ client, features: [(a) => a.events.on("status", (m) => statuses.push(m))] });
  const view = (state, direction, error = null) => ({
    id: "T", direction, state, error, mode: null, done: 0, total: 5, bytesPerSecond: null, etaMs: null,
    peer: { deviceId: "d", deviceName: "Laptop", userName: "Bob", guest: false },
    summary: { count: 1, totalSize: 5, isText: false, folders: [], names: ["big.bin"], more: 0 },
  });
  client.emit("transfer-failed", { transfer: view("declined", "out", "declined"), reason: "declined" });
  client.emit("transfer-done", { transfer: view("done", "out") });
  client.emit("transfer-done", { transfer: view("done", "in") });
  client.emit("transfer-failed", { transfer: view("cancelled", "in", "cancelled by the other side"), reason: "x" });
  assert.deepEqual(statuses, [
    "big.bin to Bob · Laptop: declined.",
    "big.bin sent to Bob · Laptop.",
    "big.bin received from Bob · Laptop.",
    "big.bin from Bob · Laptop: cancelled by the other side.",
  ]);
  assert.equal(outcome(view("failed", "out", "the peer went away")), "big.bin to Bob · Laptop: failed: the peer went away.");
  assert.equal(outcome({ ...view("done", "in"), savedInto: "From Bob (2)" }), "big.bin received from Bob · Laptop, saved into “From Bob (2)”.");
});

test("how a transfer ended leaves the status line once another transfer gets under way", () => {
  const client = fakeClient();
  const over = [];
  composeApp({ client, features: [(a) => a.events.on("status-over", (m) => over.push(m))] });
  const view = (id, state) => ({
    id, direction: "in", state, error: state === "cancelled" ? "cancelled by the sender" : null, mode: null, done: 0, total: 5,
    bytesPerSecond: null, etaMs: null, peer: { deviceId: "d", deviceName: "Laptop", userName: "Bob", guest: false },
    summary: { count: 1, totalSize: 5, isText: false, folders: [], names: ["big.bin"], more: 0 },
  });
  client.emit("transfer", view("T0", "running")); // already moving before T1 ended
  client.emit("transfer-failed", { transfer: view("T1", "cancelled"), reason: "x" });
  client.emit("transfer", view("T1", "cancelled"));
  client.emit("transfer", view("T0", "running"));
  assert.deepEqual(over, [], "a progress tick of a transfer already running leaves it");
  client.emit("transfer", view("T2", "offered"));
  assert.deepEqual(over, [], "the ended one itself, or an offer not yet answered, leaves it");
  client.emit("transfer", view("T2", "running"));
  assert.deepEqual(over, ["big.bin from Bob · Laptop: cancelled by the sender."]);
  client.emit("transfer", view("T3", "running"));
  assert.equal(over.length, 1, "said once");
});
