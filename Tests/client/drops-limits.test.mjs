// The server's drop limits as the page checks them before it uploads (Public/js/drops/limits.js).
import { test } from "node:test";
import assert from "node:assert/strict";

import { limitProblems, metadataFits, metadataProblem, sealedSize } from "../../Public/js/drops/limits.js";
import { sealMetadata } from "../../Public/js/drops/metadata.js";

const limits = { maxDropSize: 1000, maxDropFiles: 3, maxMetadataSize: 2076, expiresIn: { min: 60, default: 3600, max: 7200 }, maxDownloads: { min: 1, max: 10 } };

test("a drop at its limits fits; one past each is named, all at once", () => {
  assert.deepEqual(limitProblems({ fileCount: 3, ciphertextSize: 1000 }, limits), []);
  assert.deepEqual(limitProblems({ fileCount: 4, ciphertextSize: 1001 }, limits), [
    "That is 4 files: this server takes at most 3 in one drop.",
    "These files come to 1001 B encrypted: this server takes drops of at most 1000 B.",
  ]);
  const big = { ...limits, maxDropFiles: 10_000, maxDropSize: 16 * 2 ** 30 };
  assert.deepEqual(limitProblems({ fileCount: 12_345, ciphertextSize: 20 * 2 ** 30 }, big), [
    "That is 12,345 files: this server takes at most 10,000 in one drop.",
    "These files come to 20 GiB encrypted: this server takes drops of at most 16 GiB.",
  ]);
  // Rounded sizes that would look alike are given in bytes.
  const close = { ...limits, maxDropSize: 16 * 2 ** 30 };
  assert.match(limitProblems({ fileCount: 1, ciphertextSize: 16 * 2 ** 30 + 1 }, close)[0], /17,179,869,185 bytes encrypted: .* at most 17,179,869,184 bytes/);
});

test("the sealed size is what sealing makes", async () => {
  const key = new Uint8Array(16);
  for (const document of [{ v: 1, kind: "text", text: "" }, { v: 1, kind: "text", text: "x".repeat(1020) }, { v: 1, kind: "text", text: "é".repeat(3000) }]) {
    assert.equal(sealedSize(document), (await sealMetadata(key, document)).length);
  }
});

test("metadata fits the server's limit and the format's", () => {
  // 1 KiB padded: 12 + 1024 + 16 = 1052 bytes sealed; 2 KiB: 2076.
  const small = { v: 1, kind: "text", text: "x".repeat(100) };
  const twoKiB = { v: 1, kind: "text", text: "x".repeat(1500) };
  const fourKiB = { v: 1, kind: "text", text: "x".repeat(3000) };
  assert.equal(sealedSize(twoKiB), 2076);
  assert.ok(metadataFits(small, limits) && metadataFits(twoKiB, limits));
  assert.ok(!metadataFits(fourKiB, limits));
  assert.ok(metadataFits(fourKiB, null)); // a server that did not say: only the format's limit
  assert.ok(!metadataFits({ v: 1, kind: "text", text: "x".repeat(4 * 2 ** 20) }, null));
  assert.equal(metadataProblem(2, fourKiB, limits), "The names of these 2 files take 4.0 KiB sealed: this server takes at most 2.0 KiB. Send fewer files in one drop.");
});
