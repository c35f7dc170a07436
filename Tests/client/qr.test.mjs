// The QR encoder against reference matrices made by an independent encoder (segno 1.6, byte
// mode, level M, no ECC boost; made by Tests/client/fixtures/make_qr_reference.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { alignmentPositions, dataCodewords, encodeQr, qrPath } from "../../Public/js/app/qr.js";

const references = JSON.parse(readFileSync(new URL("./fixtures/qr-reference.json", import.meta.url), "utf8"));

test("capacities of level M, versions 1–10", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(dataCodewords), [16, 28, 44, 64, 86, 108, 124, 154, 182, 216]);
  assert.deepEqual(alignmentPositions(7, 45), [6, 22, 38]);
});

for (const reference of references) {
  test(`matrix equals the reference: ${reference.text.slice(0, 30)}… (${reference.rows.length} modules)`, () => {
    // Encoders score the masks' penalties slightly differently (segno reads the 1:1:3:1:1 rule
    // its own way), and every mask is valid: the matrix is compared under the reference's mask.
    const qr = encodeQr(reference.text, { mask: reference.mask });
    assert.equal(qr.version, reference.version);
    const chosen = encodeQr(reference.text).mask;
    assert.ok(chosen >= 0 && chosen < 8);
    const rows = qr.modules.map((row) => row.map((dark) => (dark ? "1" : "0")).join(""));
    assert.deepEqual(rows, reference.rows);
  });
}

test("too long for version 10 is refused", () => {
  assert.throws(() => encodeQr("x".repeat(214)), RangeError);
  assert.equal(encodeQr("x".repeat(213)).version, 10);
});

test("the SVG path has one square per dark module", () => {
  const qr = encodeQr("HELLO");
  const dark = qr.modules.flat().filter(Boolean).length;
  assert.equal(qrPath(qr).split("M").length - 1, dark);
});
