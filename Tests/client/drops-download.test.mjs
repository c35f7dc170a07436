// Opening a drop's stream in ranges: the plaintext comes out whole across range boundaries, and
// every kind of damage is a DamagedError (the caller then deletes what it wrote).
import assert from "node:assert/strict";
import { test } from "node:test";

import { encodeAll, DamagedError } from "../../Public/js/drops/ece.js";
import { decodeStream } from "../../Public/js/drops/decode-stream.js";

const K = 65_536;
const ikm = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const salt = Uint8Array.from({ length: 16 }, (_, i) => 200 - i);
const plain = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 13) % 256);

async function run(stream, { size, saltGiven = salt, rangeRecords = 2 } = {}) {
  const ranges = [];
  const out = [];
  await decodeStream({
    fetchRange: async (start, end) => {
      ranges.push([start, end]);
      return stream.slice(start, end);
    },
    length: stream.length,
    size,
    salt: saltGiven,
    ikm,
    write: (bytes) => void out.push(bytes.slice()),
    rangeRecords,
  });
  return { plaintext: Buffer.concat(out), ranges };
}

test("a stream of several ranges opens to its plaintext", async () => {
  for (const size of [0, 5, K, 5 * K + 17]) {
    const data = plain(size);
    const stream = await encodeAll(ikm, salt, data);
    const { plaintext, ranges } = await run(stream, { size });
    assert.deepEqual(new Uint8Array(plaintext), data, `size ${size}`);
    assert.ok(ranges.every(([start, end]) => end - start <= 21 + 2 * 65_553));
  }
});

test("damage of every kind is refused", async () => {
  const size = 3 * K + 9;
  const stream = await encodeAll(ikm, salt, plain(size));
  const flipped = stream.slice();
  flipped[21 + 65_553 + 100] ^= 0x40;
  const truncated = stream.slice(0, 21 + 2 * 65_553);
  const swapped = stream.slice();
  swapped.set(stream.subarray(21, 21 + 65_553), 21 + 65_553);
  swapped.set(stream.subarray(21 + 65_553, 21 + 2 * 65_553), 21);
  for (const [name, bytes, options] of [
    ["a flipped bit", flipped, { size }],
    ["a truncated stream", truncated, { size }],
    ["reordered records", swapped, { size }],
    ["another file's salt", stream, { size, saltGiven: new Uint8Array(16) }],
    ["a size that does not match", stream, { size: size - 1 }],
  ]) {
    await assert.rejects(run(bytes, options), DamagedError, name);
  }
});

test("a resumed download opens from a later record, the header checked again", async () => {
  const size = 5 * K + 17;
  const data = plain(size);
  const stream = await encodeAll(ikm, salt, data);
  const ranges = [];
  const out = [];
  await decodeStream({
    fetchRange: async (start, end) => {
      ranges.push([start, end]);
      return stream.slice(start, end);
    },
    length: stream.length,
    size,
    salt,
    ikm,
    write: (bytes) => void out.push(bytes.slice()),
    rangeRecords: 2,
    fromRecord: 3,
  });
  assert.deepEqual(new Uint8Array(Buffer.concat(out)), data.subarray(3 * K));
  assert.deepEqual(ranges[0], [0, 21]);
  assert.equal(ranges[1][0], 21 + 3 * 65_553);
  await assert.rejects(
    decodeStream({ fetchRange: async (s, e) => stream.slice(s, e), length: stream.length, size, salt: new Uint8Array(16), ikm, write: () => {}, fromRecord: 2 }),
    DamagedError,
  );
});
