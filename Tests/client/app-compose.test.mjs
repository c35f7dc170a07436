// The composer (Public/js/app/compose.js) with a fake peer client and fake features: events
// reach features, the selection follows presence, actions call the client, refusals become
// messages.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Emitter } from "../../Public/js/emitter.js";
import { composeApp } from "../../Public/js/app/compose.js";

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
  client.emit("transfer-done", { transfer: { id: "X", state: "done" } });
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
  assert.deepEqual(await app.sendFiles([{ name: "f" }]), []);
  assert.deepEqual(await app.sendText("   "), []);
  await app.cancel("X");
  assert.equal(errors.length, 3);
  assert.match(errors[0], /Choose who to send to/);
  assert.match(errors[1], /Type a message/);
  assert.equal(errors[2], "no such transfer");
  assert.deepEqual(client.calls, []);
});
