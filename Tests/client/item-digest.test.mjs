// Unit tests for Public/js/transfer/item-digest.js against the reference in item-digest.mjs: the
// digest does not depend on how the bytes are cut, a prefix's digest can be read on the way, and
// buffers handed in may be reused at once.
import { createHash, randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DIGEST_BLOCK_BYTES, ItemDigest } from "../../Public/js/transfer/item-digest.js";
import { BLOCK, itemDigest } from "./item-digest.mjs";

describe("item digest", () => {
  it("equals the definition for any size and any way of cutting the input", async () => {
    assert.equal(DIGEST_BLOCK_BYTES, BLOCK);
    for (const size of [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK + 12345]) {
      const bytes = new Uint8Array(randomBytes(size));
      for (const step of [1000, 256 * 1024 - 13, BLOCK, 3 * BLOCK]) {
        const digest = new ItemDigest();
        for (let at = 0; at < size; at += step) await digest.update(bytes.subarray(at, at + step));
        assert.equal(await digest.hex(), itemDigest(bytes), `size ${size}, step ${step}`);
      }
      assert.equal(await ItemDigest.hex(bytes), itemDigest(bytes));
    }
  });

  it("gives a prefix's digest on the way and goes on", async () => {
    const bytes = new Uint8Array(randomBytes(3 * BLOCK + 5));
    const digest = new ItemDigest();
    for (const cut of [Math.floor(BLOCK * 0.67), BLOCK, 2 * BLOCK + 1, 3 * BLOCK + 5]) {
      await digest.update(bytes.subarray(digest.length, cut));
      assert.equal(await digest.hex(), itemDigest(bytes.subarray(0, cut)), `prefix ${cut}`);
    }
  });

  it("lets the caller reuse a buffer as soon as update resolves", async () => {
    const bytes = new Uint8Array(randomBytes(4 * BLOCK + 99));
    const buffer = new Uint8Array(BLOCK);
    const digest = new ItemDigest();
    for (let at = 0; at < bytes.length; at += BLOCK) {
      const piece = bytes.subarray(at, at + BLOCK);
      buffer.set(piece);
      await digest.update(buffer.subarray(0, piece.length));
      buffer.fill(0xee);
    }
    assert.equal(await digest.hex(), itemDigest(bytes));
  });

  it("reuses its own block buffers only once their digest is done (a digest that reads its input late)", async () => {
    // A WebCrypto that reads the input only when it answers, later: reusing a block buffer
    // before its digest resolved would hash the next block's bytes.
    const lateSubtle = /** @type {any} */ ({
      digest: (_algorithm, data) =>
        new Promise((resolve) => setTimeout(() => resolve(createHash("sha256").update(data).digest()), 2)),
    });
    const bytes = new Uint8Array(randomBytes(12 * BLOCK + 777));
    const digest = new ItemDigest(lateSubtle);
    for (let at = 0; at < bytes.length; at += 256 * 1024 - 13) await digest.update(bytes.subarray(at, at + 256 * 1024 - 13));
    assert.equal(await digest.hex(), itemDigest(bytes));
  });
});
