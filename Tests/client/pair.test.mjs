// The guest page's messages (Public/js/pair.js): why a code is asked for again, and why a claim
// was refused. The page itself is exercised in Chromium (Tests/browser/test_transfers.py).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ApiProblem } from "../../Public/js/api.js";
import { afterPairingNote, claimError } from "../../Public/js/pair.js";

describe("guest page", () => {
  it("says why the code form is back after a pairing, and nothing on a first visit", () => {
    assert.equal(afterPairingNote(null), "");
    assert.match(afterPairingNote({ member: "Ann", ended: "ended-here" }), /^You ended the pairing/);
    assert.match(afterPairingNote({ member: "Ann", ended: "pairing ended by member" }), /^Ann ended the pairing/);
    assert.match(afterPairingNote({ member: "Ann", ended: "pairing expired" }), /^Your pairing expired/);
    assert.match(afterPairingNote({ member: "Ann", ended: "pairing revoked" }), /^Your pairing with Ann has ended/);
    assert.match(afterPairingNote({ member: "Ann", ended: "pairing ended" }), /in another tab/);
    // Paired before a reload, and the server no longer knows the pass (a restart): said so, not guessed.
    for (const before of [{ member: "Ann" }, { member: "Ann", ended: "identity" }]) {
      assert.match(afterPairingNote(before), /server no longer knows it/);
    }
  });

  it("turns refused claims into advice", () => {
    const problem = (status, detail = "") => new ApiProblem({ status, title: "t", detail, type: "about:blank" });
    assert.match(claimError(problem(404)), /wrong, or it was already used/);
    assert.match(claimError(problem(410)), /expired/);
    assert.match(claimError(problem(429)), /Too many tries/);
    assert.equal(claimError(problem(500, "Disk on fire.")), "Disk on fire.");
    assert.equal(claimError(new Error("offline")), "offline");
  });
});
