// The home page's following of memberships (Public/js/app/home.js): team rooms coming and going
// on the signalling socket reload the team panel and are said; a dropped socket (presence
// emptied) is not a change.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Emitter } from "../../Public/js/emitter.js";
import { followMemberships } from "../../Public/js/app/home.js";

test("a team left or joined under an open page reloads the panel and says so", () => {
  const events = new Emitter();
  const said = [];
  let reloads = 0;
  const app = /** @type {any} */ ({ events, status: (message) => said.push(message) });
  const team = (id, name) => ({ id: `team:${id}`, kind: "team", name });
  let presence = { you: { id: "me" }, rooms: { "team:1": team(1, "Design"), "network:1": { id: "network:1", kind: "network", name: "Design · same network" } } };
  followMemberships(app, () => presence, () => reloads++);

  events.emit("peers", []); // the first look: nothing to compare with
  assert.equal(reloads, 0);
  presence = { you: null, rooms: {} }; // the socket dropped: not a change of membership
  events.emit("peers", []);
  presence = { you: { id: "me2" }, rooms: { "team:1": team(1, "Design") } }; // back
  events.emit("peers", []);
  assert.equal(reloads, 0);
  assert.deepEqual(said, []);

  presence = { you: { id: "me2" }, rooms: { "team:2": team(2, "Ops") } };
  events.emit("peers", []);
  assert.equal(reloads, 1);
  assert.deepEqual(said, ["You are no longer a member of Design.", "You are now a member of Ops."]);
  events.emit("peers", []); // nothing new
  assert.equal(reloads, 1);
});
