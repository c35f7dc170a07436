// The owner's list of drops (Public/js/drops/owner-list.js): how a drop is named and counted.
import assert from "node:assert/strict";
import { test } from "node:test";
import { counts, summary } from "../../Public/js/drops/owner-list.js";

test("a drop's name: a folder is one entry that counts its files", () => {
  assert.equal(summary({ kind: "files", files: [{ path: "a.pdf" }] }), "a.pdf");
  assert.equal(summary({ kind: "files", files: [{ path: "Proj/a.txt" }, { path: "Proj/sub/b.md" }, { path: "Proj/c.bin" }] }), "Proj/ · 3 files");
  assert.equal(summary({ kind: "files", files: [{ path: "a.pdf" }, { path: "b.pdf" }] }), "a.pdf and 1 more");
  assert.equal(summary({ kind: "files", files: [{ path: "Proj/a.txt" }, { path: "Proj/b.txt" }, { path: "x.pdf" }] }), "Proj/ and 1 more · 3 files");
  assert.equal(summary({ kind: "files", files: [] }), "No files");
  assert.equal(summary({ kind: "text", text: "hello" }), "Text: hello");
});

test("a drop's figures: a text drop is text, downloads in good English", () => {
  assert.equal(counts({ fileCount: 0, size: 0, downloads: 1, maxDownloads: null }), "text · 1 download");
  // Sizes are the plaintext's: the server's figure is the ciphertext (a 21-byte header, 17 bytes a record).
  assert.equal(counts({ fileCount: 2, size: 2048 + 2 * 38, downloads: 0, maxDownloads: null }), "2 files, 2.0 KiB · 0 downloads");
  assert.equal(counts({ fileCount: 1, size: 50, downloads: 1, maxDownloads: 2 }), "1 file, 12 B · 1 of 2 downloads");
  assert.equal(counts({ fileCount: 1, size: 38, downloads: 1, maxDownloads: 1 }), "1 file, 0 B · 1 of 1 download");
});
