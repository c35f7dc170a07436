// The sharing page's pure logic (Public/js/app/model.js): peers per room, selection, offers,
// transfer rows, the title badge, device names and pairing codes.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  badgedTitle,
  codeFromLocation,
  defaultDeviceName,
  followSelection,
  groupPeers,
  itemsLabel,
  normalizePairingCode,
  offerView,
  pairingLink,
  parseDeviceName,
  peerName,
  peerRow,
  recipients,
  toggleSelection,
  transferRow,
  byDevice,
  withdrawnText,
} from "../../Public/js/app/model.js";

const team = { id: "team:1", kind: "team", name: "Design" };
const net = { id: "network:1", kind: "network", name: "Design · same network" };
const pairing = { id: "pairing:x", kind: "pairing", name: "Ann" };
const peer = (id, user, device, rooms, keyStatus = "known") => ({
  id,
  user: user ? { id: `u-${user}`, name: user } : null,
  guest: !user,
  device: { id: `d-${id}`, name: device, publicKey: "k" },
  rooms,
  sameDevice: false,
  keyStatus,
});

test("peers are grouped per room: teams, then same network, then pairing; a peer in two rooms is listed once, under the first", () => {
  const groups = groupPeers(
    [peer("p_b", "Bob", "Laptop", [net, team]), peer("p_g", null, "Phone", [pairing]), peer("p_a", "Abe", "Desk", [team], "changed")],
    new Set(["p_b"]),
  );
  assert.deepEqual(groups.map((g) => [g.kind, g.title, g.peers.map((p) => p.who)]), [
    ["team", "Design", ["Abe", "Bob"]],
    ["pairing", "Pairing · Ann", ["Guest"]],
  ]);
  assert.deepEqual(groups[0].peers.map((p) => p.also), ["", "same network"], "its other rooms are a note on its row");
  const ops = { id: "team:2", kind: "team", name: "Ops" };
  const [only] = groupPeers([peer("p_c", "Cy", "Pad", [ops, net, team])], new Set());
  assert.equal(only.title, "Design");
  assert.equal(only.peers[0].also, "same network, Ops");
  assert.equal(only.peers[0].rooms, "Design, same network, Ops", "the offer prompt names every room, the same way");
  const abe = groups[0].peers[0];
  assert.equal(abe.keyChanged, true);
  assert.equal(abe.trust, "key changed!");
  assert.equal(groups[0].peers[1].selected, true);
  assert.equal(groups[0].peers[1].trust, "not verified");
  // A member's pairing with a label is titled by it, as its guest is named.
  const labelled = groupPeers([peer("p_v", null, "Phone", [{ ...pairing, label: "Vera" }])], new Set());
  assert.equal(labelled[0].title, "Pairing · Vera");
  // A guest paired with us can be unpaired (its pairing id is its room's); a member cannot.
  assert.equal(groups[1].peers[0].pairing, "x");
  assert.equal(groups[0].peers[0].pairing, undefined);
  // On the guest's page the member sits in the pairing room too, and is no guest to unpair.
  const [member] = groupPeers([peer("p_m", "Ann", "Desk", [pairing])], new Set());
  assert.equal(member.peers[0].pairing, undefined);
});

test("selection: toggling, pruning peers that left, and who a drop goes to", () => {
  let selected = toggleSelection(new Set(), "a");
  selected = toggleSelection(selected, "b");
  assert.deepEqual([...toggleSelection(selected, "a")], ["b"]);
  const a = peer("a", "A", "x", [team]);
  const b = peer("b", "B", "x", [team]);
  assert.deepEqual([...followSelection(selected, [b], [a, b], [], 0).selected], ["b"]);
  assert.deepEqual(recipients(selected, null), ["a", "b"]);
  assert.deepEqual(recipients(selected, "a"), ["a", "b"], "a drop on a selected peer sends to the whole selection");
  assert.deepEqual(recipients(selected, "c"), ["c"], "a drop elsewhere sends to that peer alone");
});

test("selection: a selected peer that left and came back as the same device (same key) is selected again, for a while", () => {
  const bob = { ...peer("p_1", "Bob", "Laptop", [team]), device: { id: "d-bob", name: "Laptop", publicKey: "kb" } };
  const bobAgain = { ...bob, id: "p_2" };
  const impostor = { ...bob, id: "p_3", device: { ...bob.device, publicKey: "other" } };
  const cy = peer("p_c", "Cy", "Pad", [team]);
  // Bob reloads: first he leaves, then he is back under a new id.
  let step = followSelection(new Set(["p_1", "p_c"]), [cy], [bob, cy], [], 1_000);
  assert.deepEqual([...step.selected], ["p_c"]);
  assert.equal(step.away.length, 1);
  step = followSelection(step.selected, [cy, bobAgain], [cy], step.away, 5_000);
  assert.deepEqual([...step.selected].sort(), ["p_2", "p_c"]);
  assert.deepEqual(step.away, []);
  // His browser is one row whatever its tabs: another tab of it that was online all along keeps
  // it selected.
  const otherTab = { ...bob, id: "p_9" };
  step = followSelection(new Set(["p_1"]), [otherTab], [bob, otherTab], [], 0);
  assert.deepEqual([...step.selected], ["p_9"]);
  assert.deepEqual(step.away, []);
  // The same device with another key is not him; and after two minutes he is forgotten.
  step = followSelection(new Set(["p_1"]), [], [bob], [], 0);
  assert.deepEqual([...followSelection(step.selected, [impostor], [], step.away, 1_000).selected], []);
  assert.deepEqual([...followSelection(step.selected, [bobAgain], [], step.away, 121_000).selected], []);
});

test("offer view: who and what, names sorted and capped, a changed key flagged", () => {
  const items = Array.from({ length: 25 }, (_, i) => ({ i, path: `F/${String(24 - i).padStart(2, "0")}.txt`, size: 1024, kind: "file" }));
  const view = offerView({
    offerId: "T",
    peer: peer("p_a", "Ann", "Laptop", [team], "changed"),
    manifest: { items, count: 25, totalSize: 25 * 1024 },
    summary: { count: 25, totalSize: 25 * 1024, isText: false, folders: ["F"], names: ["F/"], more: 0 },
    resumableBytes: 0,
  });
  assert.equal(view.title, "Ann wants to send you 25 files");
  assert.equal(view.total, "25 KiB");
  assert.equal(view.items.length, 20);
  assert.equal(view.items[0].name, "F/00.txt");
  assert.equal(view.more, 5);
  assert.equal(view.keyChanged, true);
  assert.equal(view.rooms, "Design");
  const text = offerView({
    offerId: "U",
    peer: peer("p_g", null, "Phone", [pairing]),
    manifest: { items: [{ i: 0, path: "message.txt", size: 5, kind: "text" }], count: 1, totalSize: 5 },
    summary: { count: 1, totalSize: 5, isText: true, folders: [], names: ["message.txt"], more: 0 },
    resumableBytes: 0,
  });
  assert.equal(text.title, "A guest wants to send you a text message");
  assert.deepEqual(text.items, []);
  assert.equal(text.rooms, "Pairing", "not the pair's name again, which the line already says");
  const labelled = offerView({
    offerId: "V",
    peer: { ...peer("p_g", null, "Carol laptop", [{ ...pairing, label: "Carol (printer shop)" }]), label: "Carol (printer shop)" },
    manifest: { items: [{ i: 0, path: "a.txt", size: 5, kind: "file" }], count: 1, totalSize: 5 },
    summary: { count: 1, totalSize: 5, isText: false, folders: [], names: ["a.txt"], more: 0 },
    resumableBytes: 0,
  });
  assert.equal(labelled.who, "Carol (printer shop) (guest)");
  assert.equal(labelled.rooms, "Pairing", "the label is the guest's name already: not said twice");

  // An offer on screen that goes unanswered is said with who and what.
  assert.equal(withdrawnText(view, "cancelled"), "Ann withdrew the offer of 25 files.");
  assert.equal(withdrawnText(text, "the sender left"), "A guest left before you answered: the offer of a text message is gone.");
  const one = { ...view, count: 1, items: [{ name: "a.txt", size: "1 KiB" }] };
  assert.equal(withdrawnText(one, "expired"), "The offer of “a.txt” from Ann expired unanswered.");
  assert.equal(withdrawnText(one, "answered in another tab"), "The offer of “a.txt” from Ann was answered in another tab.");
});

test("a guest is named by its member's label when the code had one, never by its own device name", () => {
  assert.equal(peerName({ user: { name: "Bob" } }), "Bob");
  assert.equal(peerName({ user: null }), "Guest");
  assert.equal(peerName({ user: null, label: "Alice" }), "Alice (guest)");
  // A label on a member's peer (there is none) would not hide the member's name.
  assert.equal(peerName({ user: { name: "Bob" }, label: "Alice" }), "Bob");
  const labelled = { ...peer("p_g", null, "Bob's laptop", [pairing]), label: "Alice" };
  assert.equal(peerRow(labelled, new Set()).who, "Alice (guest)");
  assert.equal(peerRow(peer("p_g", null, "Phone", [pairing]), new Set()).who, "Guest");
  const offer = offerView({
    offerId: "V",
    peer: labelled,
    manifest: { items: [{ i: 0, path: "a.txt", size: 1, kind: "file" }], count: 1, totalSize: 1 },
    summary: { count: 1, totalSize: 1, isText: false, folders: [], names: ["a.txt"], more: 0 },
    resumableBytes: 0,
  });
  assert.equal(offer.title, "Alice (guest) wants to send you 1 file");
  assert.equal(offer.device, "Bob's laptop");
  const row = transferRow({
    id: "T", direction: "in", peerId: "p_g", peer: { deviceId: "d", deviceName: "Bob's laptop", userName: null, guest: true, label: "Alice" },
    summary: { count: 1, totalSize: 1, isText: false, folders: [], names: ["a.txt"], more: 0 },
    state: "done", mode: "direct", done: 1, total: 1, bytesPerSecond: 0, etaMs: null, error: null,
  });
  assert.equal(row.peer, "from Alice (guest) · Bob's laptop");
});

test("transfer rows: bytes, speed, ETA, the path in words, cancel only while unfinished", () => {
  const base = {
    id: "T",
    direction: "out",
    peerId: "p_b",
    peer: { deviceId: "d", deviceName: "Laptop", userName: "Bob", guest: false },
    summary: { count: 1, totalSize: 4 * 1048576, isText: false, folders: [], names: ["a.bin"], more: 0 },
    state: "running",
    mode: "relay",
    done: 1048576,
    total: 4 * 1048576,
    bytesPerSecond: 1048576.7,
    etaMs: 3000.4,
    error: null,
  };
  const row = transferRow(base);
  assert.equal(row.name, "a.bin");
  assert.equal(row.peer, "to Bob · Laptop");
  assert.equal(row.path, "relayed, encrypted");
  assert.equal(row.percent, 25);
  assert.equal(row.bytes, "1.0 MiB of 4.0 MiB");
  assert.equal(row.speed, "1.0 MiB/s");
  assert.equal(row.eta, "3.0 s left");
  assert.equal(row.stateText, "sending");
  assert.equal(row.canCancel, true);
  const finished = transferRow({ ...base, direction: "in", state: "declined", mode: null, error: "declined", done: 0 });
  assert.equal(finished.peer, "from Bob · Laptop");
  assert.equal(finished.path, "");
  assert.equal(finished.stateText, "declined", "not \"declined: declined\"");
  assert.equal(transferRow({ ...base, state: "failed", error: "the peer went away" }).stateText, "failed: the peer went away");
  assert.equal(finished.speed, "");
  assert.equal(finished.canCancel, false);
  assert.equal(transferRow({ ...base, mode: "direct" }).path, "direct");
  assert.equal(transferRow({ ...base, state: "interrupted" }).speed, "", "no speed while nothing moves");
  // An interruption says whom it waits for (a reloaded sender must send again).
  assert.equal(transferRow({ ...base, state: "interrupted" }).stateText, "interrupted, waiting for the receiver");
  assert.equal(transferRow({ ...base, direction: "in", state: "interrupted" }).stateText, "interrupted, waiting for the sender");
  // Their device gone (a closed tab): said, not waited on in silence.
  assert.equal(transferRow({ ...base, state: "interrupted" }, { peerOnline: true }).stateText, "interrupted, waiting for the receiver");
  assert.equal(transferRow({ ...base, state: "interrupted" }, { peerOnline: false }).stateText, "interrupted: Bob is offline; it continues when they are back");
  assert.equal(
    transferRow({ ...base, direction: "in", state: "interrupted" }, { peerOnline: false }).stateText,
    "interrupted: Bob is offline; it continues if they send the files again once back",
  );
  assert.equal(transferRow({ ...base, direction: "in", state: "cancelled", note: "continued in a newer transfer" }).stateText, "continued in a newer transfer");
  assert.equal(transferRow({ ...base, summary: { ...base.summary, count: 3, names: ["a.bin", "b.bin", "c.bin"] } }).name, "a.bin and 2 more");
  const text = transferRow({ ...base, summary: { ...base.summary, isText: true }, state: "done", done: 0, total: 6 });
  assert.equal(text.name, "Text message");
  assert.equal(text.bytes, "6 B", "a text's size, not 0 B of 6 B");
});

test("item labels: a folder counts its files instead of reading as extra items", () => {
  assert.equal(itemsLabel({ count: 1, names: ["a.bin"], more: 0 }), "a.bin");
  assert.equal(itemsLabel({ count: 3, names: ["Proj/"], more: 0 }), "Proj/ · 3 files");
  assert.equal(itemsLabel({ count: 4, names: ["Proj/", "x.txt"], more: 0 }), "Proj/ and 1 more · 4 files");
  assert.equal(itemsLabel({ count: 15, names: Array.from({ length: 10 }, (_, i) => `f${i}`), more: 5 }), "f0 and 14 more");
  assert.equal(itemsLabel({ count: 0, names: [], more: 0 }), "0 files");
});

test("the title badge counts unseen offers", () => {
  assert.equal(badgedTitle("Ferry", 1), "(1) Ferry");
  assert.equal(badgedTitle("(1) Ferry", 2), "(2) Ferry");
  assert.equal(badgedTitle("(2) Ferry", 0), "Ferry");
});

test("device names: a default from the browser, and the server's rules", () => {
  assert.equal(defaultDeviceName("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"), "Chrome on Linux");
  assert.equal(defaultDeviceName("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"), "Safari on iOS");
  assert.deepEqual(parseDeviceName("  Ann's laptop "), { ok: true, value: "Ann's laptop" });
  assert.equal(parseDeviceName("   ").ok, false);
  assert.equal(parseDeviceName("x".repeat(65)).ok, false);
  assert.equal(parseDeviceName("evil\u202Egnp.exe").ok, false);
});

test("pairing codes: normalised, from the fragment or the query, and the link", () => {
  assert.equal(normalizePairingCode("abcd efgh"), "ABCD-EFGH");
  assert.equal(normalizePairingCode("ABCD-EFG1"), null, "1 is not in the alphabet");
  assert.equal(normalizePairingCode("ABC"), null);
  assert.equal(codeFromLocation({ hash: "#2345-6789", search: "" }), "2345-6789");
  assert.equal(codeFromLocation({ hash: "", search: "?code=2345-6789" }), "2345-6789");
  assert.equal(codeFromLocation({ hash: "", search: "" }), null);
  assert.equal(pairingLink("https://ferry.example", "2345-6789"), "https://ferry.example/pair#2345-6789");
});

test("tabs of one browser are one row, selected and unselected together", () => {
  const tab1 = { ...peer("p_1", "Bob", "Laptop", [team]), device: { id: "d-bob", name: "Laptop", publicKey: "kb" } };
  const tab2 = { ...tab1, id: "p_2" };
  const other = { ...tab1, id: "p_3", device: { ...tab1.device, publicKey: "another key" } };
  const cy = peer("p_c", "Cy", "Pad", [team]);
  const peers = [tab1, cy, tab2, other];
  assert.deepEqual(byDevice(peers).map((d) => [d.peer.id, d.tabs.map((t) => t.id)]), [["p_1", ["p_1", "p_2"]], ["p_c", ["p_c"]], ["p_3", ["p_3"]]]);
  let rows = groupPeers(peers, new Set(["p_2"]))[0].peers;
  const bobRow = rows.find((row) => row.id === "p_1");
  assert.equal(bobRow.tabs, 2);
  assert.equal(bobRow.selected, true, "a tab of it is selected");
  assert.equal(rows.length, 3, "the same device with another key is someone else");
  // Unselecting the row unselects every tab; selecting it selects its row's tab.
  let selected = toggleSelection(new Set(["p_2", "p_c"]), "p_1", peers);
  assert.deepEqual([...selected], ["p_c"]);
  selected = toggleSelection(selected, "p_1", peers);
  assert.deepEqual([...selected].sort(), ["p_1", "p_c"]);
  rows = groupPeers(peers, selected)[0].peers;
  assert.equal(rows.find((row) => row.id === "p_1").selected, true);
});
