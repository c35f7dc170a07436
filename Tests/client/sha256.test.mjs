// Unit tests for Public/js/sha256.js: NIST vectors, chunking, and Blob hashing against node:crypto.
import { createHash, randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DEFAULT_CHUNK_SIZE, Sha256, hashBlob, toHex } from "../../Public/js/sha256.js";

const text = (s) => new TextEncoder().encode(s);
const reference = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** Hashes `bytes` fed in pieces ending at each of `cuts`. */
function hashInPieces(bytes, cuts) {
  const hash = new Sha256();
  let start = 0;
  for (const end of [...cuts, bytes.length]) {
    hash.update(bytes.subarray(start, end));
    start = end;
  }
  return hash.hex();
}

describe("Sha256 known vectors (FIPS 180-4 examples)", () => {
  const vectors = [
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", // 448 bits
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
    [
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", // 896 bits
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    ],
  ];
  for (const [input, expected] of vectors) {
    it(`hashes ${input.length} characters`, () => {
      assert.equal(new Sha256().update(text(input)).hex(), expected);
      assert.equal(Sha256.hex(text(input)), expected);
    });
  }

  it("hashes one million 'a' in one piece and in uneven pieces", () => {
    const million = new Uint8Array(1_000_000).fill(0x61);
    const expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    assert.equal(Sha256.hex(million), expected);
    const hash = new Sha256();
    for (let offset = 0; offset < million.length; offset += 997) hash.update(million.subarray(offset, offset + 997));
    assert.equal(hash.hex(), expected);
  });
});

describe("Sha256 against node:crypto", () => {
  it("agrees for every length from 0 to 300 bytes (all padding cases)", () => {
    const data = randomBytes(300);
    for (let length = 0; length <= 300; length++) {
      const bytes = new Uint8Array(data.subarray(0, length));
      assert.equal(Sha256.hex(bytes), reference(bytes), `length ${length}`);
    }
  });

  it("agrees for random data split at many different points", () => {
    const data = new Uint8Array(randomBytes(10_000));
    const expected = reference(data);
    // Every single cut near block boundaries, then many random multi-cut splits.
    for (let cut = 0; cut <= 200; cut++) assert.equal(hashInPieces(data, [cut]), expected, `cut at ${cut}`);
    for (const cut of [511, 512, 513, 4095, 4096, 4097, 9999, 10_000]) {
      assert.equal(hashInPieces(data, [cut]), expected, `cut at ${cut}`);
    }
    for (let trial = 0; trial < 300; trial++) {
      const cuts = Array.from({ length: 1 + (trial % 20) }, () => Math.floor(Math.random() * (data.length + 1)));
      cuts.sort((a, b) => a - b);
      assert.equal(hashInPieces(data, cuts), expected, `cuts ${cuts.join(",")}`);
    }
  });

  it("agrees when fed one byte at a time", () => {
    const data = new Uint8Array(randomBytes(1000));
    const hash = new Sha256();
    for (let i = 0; i < data.length; i++) hash.update(data.subarray(i, i + 1));
    assert.equal(hash.hex(), reference(data));
  });

  it("agrees for a few megabytes in irregular chunks", () => {
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
    const cuts = [];
    for (let at = 0; at < data.length; at += 65_521) cuts.push(at);
    assert.equal(hashInPieces(data, cuts), reference(data));
  });
});

describe("Sha256 API", () => {
  it("accepts ArrayBuffer, other views and empty pieces", () => {
    const bytes = text("The quick brown fox jumps over the lazy dog");
    const expected = reference(bytes);
    assert.equal(new Sha256().update(bytes.buffer.slice(0)).hex(), expected);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(new Sha256().update(new Uint8Array()).update(view).update(new Uint8Array()).hex(), expected);
    // A view into the middle of a larger buffer must hash only its own bytes.
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    assert.equal(Sha256.hex(padded.subarray(5, 5 + bytes.length)), expected);
  });

  it("returns 32 bytes, the same digest twice, and refuses update after digest", () => {
    const hash = new Sha256().update(text("abc"));
    const first = hash.digest();
    assert.equal(first.length, 32);
    first[0] ^= 0xff; // the caller's copy, not the hash's state
    assert.equal(toHex(hash.digest()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(hash.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.throws(() => hash.update(text("more")), /after digest/);
  });

  it("rejects input that is not bytes", () => {
    assert.throws(() => new Sha256().update("abc"), TypeError);
    assert.throws(() => new Sha256().update([1, 2, 3]), TypeError);
  });

  it("toHex pads every byte to two lowercase digits", () => {
    assert.equal(toHex(Uint8Array.of(0, 1, 0x0f, 0x10, 0xab, 0xff)), "00010f10abff");
  });
});

describe("hashBlob", () => {
  it("hashes a Blob slice by slice and reports cumulative progress", async () => {
    const data = new Uint8Array(randomBytes(2 * DEFAULT_CHUNK_SIZE + 12_345));
    const progress = [];
    const hex = await hashBlob(new Blob([data]), { onProgress: (done) => progress.push(done) });
    assert.equal(hex, reference(data));
    assert.deepEqual(progress, [DEFAULT_CHUNK_SIZE, 2 * DEFAULT_CHUNK_SIZE, data.length]);
  });

  it("gives the same digest whatever the chunk size", async () => {
    const data = new Uint8Array(randomBytes(5000));
    for (const chunkSize of [1, 63, 64, 65, 1000, 4999, 5000, 1 << 20]) {
      assert.equal(await hashBlob(new Blob([data]), { chunkSize }), reference(data), `chunk ${chunkSize}`);
    }
  });

  it("hashes an empty Blob without reporting progress", async () => {
    const progress = [];
    assert.equal(
      await hashBlob(new Blob([]), { onProgress: (done) => progress.push(done) }),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    assert.deepEqual(progress, []);
  });

  it("stops between slices when its signal is aborted", async () => {
    const controller = new AbortController();
    const progress = [];
    const work = hashBlob(new Blob([new Uint8Array(10_000)]), {
      chunkSize: 1000,
      signal: controller.signal,
      onProgress: (done) => {
        progress.push(done);
        if (done === 3000) controller.abort(new Error("stop here"));
      },
    });
    await assert.rejects(work, /stop here/);
    assert.deepEqual(progress, [1000, 2000, 3000]);
  });

  it("rejects a chunk size that is not a positive integer", async () => {
    await assert.rejects(hashBlob(new Blob(["x"]), { chunkSize: 0 }), RangeError);
    await assert.rejects(hashBlob(new Blob(["x"]), { chunkSize: 1.5 }), RangeError);
  });
});

describe("Sha256 clone", () => {
  it("gives the prefix digest while the original goes on", () => {
    const data = randomBytes(1000);
    const hash = new Sha256().update(data.subarray(0, 333));
    const prefix = hash.clone().hex();
    hash.update(data.subarray(333));
    assert.equal(prefix, reference(data.subarray(0, 333)));
    assert.equal(hash.hex(), reference(data));
    assert.throws(() => hash.clone(), /after digest/);
  });
});
