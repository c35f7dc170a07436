// The guest page's messages (Public/js/pair.js): why a code is asked for again, and why a claim
// was refused. The page itself is exercised in Chromium (Tests/browser/test_transfers.py).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ApiProblem } from "../../Public/js/api.js";
import { afterPairingNote, claimError } from "../../Public/js/pair.js";

describe("guest page", () => {
  it("says why the code form is back after a pairing, and nothing on a first visit", () => {
    assert.equal(afterPairingNote(null), "");
    assert.match(afterPairingNote("ended-here"), /^You ended the pairing/);
    for (const before of ["paired", "ended"]) assert.match(afterPairingNote(before), /^Your pairing has ended/);
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
