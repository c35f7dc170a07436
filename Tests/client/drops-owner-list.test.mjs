// The owner's list of drops (Public/js/drops/owner-list.js): how a drop is named and counted.
import assert from "node:assert/strict";
import { test } from "node:test";
import { counts, extension, lifetimeLabel, reachText, summary } from "../../Public/js/drops/owner-list.js";

test("a drop's name: a folder is one entry that counts its files", () => {
  assert.equal(summary({ kind: "files", files: [{ path: "a.pdf" }] }), "a.pdf");
  assert.equal(summary({ kind: "files", files: [{ path: "Proj/a.txt" }, { path: "Proj/sub/b.md" }, { path: "Proj/c.bin" }] }), "Proj/ · 3 files");
  assert.equal(summary({ kind: "files", files: [{ path: "a.pdf" }, { path: "b.pdf" }] }), "a.pdf and 1 more");
  assert.equal(summary({ kind: "files", files: [{ path: "Proj/a.txt" }, { path: "Proj/b.txt" }, { path: "x.pdf" }] }), "Proj/ and 1 more · 3 files");
  assert.equal(summary({ kind: "files", files: [] }), "No files");
  assert.equal(summary({ kind: "text", text: "hello" }), "Text, 5 characters", "a text may be a secret: not in the list");
  assert.equal(summary({ kind: "text", text: "ü" }), "Text, 1 character");
});

test("a drop's figures: a text drop is text, downloads in good English", () => {
  assert.equal(counts({ fileCount: 0, size: 0, downloads: 1, maxDownloads: null }), "text · 1 download");
  assert.equal(counts({ fileCount: 0, size: 0, downloads: 1, maxDownloads: null }, { textNamed: true }), "1 download", "not \"text\" twice");
  // Sizes are the plaintext's: the server's figure is the ciphertext (a 21-byte header, 17 bytes a record).
  assert.equal(counts({ fileCount: 2, size: 2048 + 2 * 38, downloads: 0, maxDownloads: null }), "2 files, 2.0 KiB · 0 downloads");
  assert.equal(counts({ fileCount: 1, size: 50, downloads: 1, maxDownloads: 2 }), "1 file, 12 B · 1 of 2 downloads");
  assert.equal(counts({ fileCount: 1, size: 38, downloads: 1, maxDownloads: 1 }), "1 file, 0 B · 1 of 1 download");
});

test("lifetimes read in their largest whole unit, as the page's expiry choices", () => {
  assert.equal(lifetimeLabel(3600), "1 hour");
  assert.equal(lifetimeLabel(30 * 86400), "30 days");
  assert.equal(lifetimeLabel(36 * 3600), "36 hours");
  assert.equal(lifetimeLabel(5400), "90 minutes");
  assert.equal(lifetimeLabel(61), "61 seconds");
});

test("Extend adds 7 days up to the server's limit, and says what it did", () => {
  const day = 86400;
  assert.deepEqual(extension(3 * day, 30 * day), { expiresIn: 10 * day, message: "Extended by 7 days." });
  assert.deepEqual(extension(25 * day, 30 * day), { expiresIn: 30 * day, message: "Extended to 30 days from now, the longest a drop may live." });
  assert.deepEqual(extension(30 * day - 30, 30 * day), { expiresIn: null, message: "This drop already lives as long as a drop may: 30 days from now." });
  // A server configured for longer or shorter drops (maxDropLifetime) is followed, not 30 days.
  assert.deepEqual(extension(80 * day, 90 * day), { expiresIn: 87 * day, message: "Extended by 7 days." });
  assert.deepEqual(extension(2 * day, 3 * day), { expiresIn: 3 * day, message: "Extended to 3 days from now, the longest a drop may live." });
});

test("the link screen says who can open the drop, how often and until when, as it was made", () => {
  assert.equal(reachText({ password: false }), "Anybody with this link can open the drop until it expires.");
  const withAll = reachText({ password: true, maxDownloads: 3, expiresAt: "2026-12-08T10:00:00Z" });
  assert.match(withAll, /^Anybody with this link and its password can open the drop 3 times in all, until .*2026.*\.$/);
  assert.match(reachText({ password: false, maxDownloads: 1 }), /can open the drop once, until it expires\.$/);
});
