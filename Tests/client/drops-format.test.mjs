// The drop format (docs/DROPS.md) against the published vectors (Tests/vectors/drops.json, made by
// an independent implementation) and RFC 8188's own examples; tamper cases must fail as damaged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";

import { DamagedError, DROP_RECORD_SIZE, RecordOpener, RecordSealer, decodeAll, encodeAll } from "../../Public/js/drops/ece.js";
import { deriveDropKeys } from "../../Public/js/drops/keys.js";
import { openMetadata, sealMetadata } from "../../Public/js/drops/metadata.js";
import { concatBytes, fromBase64Url, toBase64Url } from "../../Public/js/trust/encoding.js";

const vectors = JSON.parse(readFileSync(new URL("../vectors/drops.json", import.meta.url), "utf8"));
const hex = (/** @type {Uint8Array} */ bytes) => Buffer.from(bytes).toString("hex");
const unhex = (/** @type {string} */ text) => new Uint8Array(Buffer.from(text, "hex"));
const pattern = (/** @type {number} */ length) => Uint8Array.from({ length }, (_, n) => n % 251);
const sha256 = (/** @type {Uint8Array} */ bytes) => createHash("sha256").update(bytes).digest("hex");

test("the vectors use the record size the code uses", () => {
  assert.equal(vectors.recordSize, DROP_RECORD_SIZE);
});

test("RFC 8188 §3.1: encoding reproduces the example byte for byte, and decodes", async () => {
  const example = vectors.rfc8188.find((/** @type {any} */ e) => e.section === "3.1");
  const encoded = await encodeAll(fromBase64Url(example.ikm), fromBase64Url(example.salt), new TextEncoder().encode(example.plaintext), {
    recordSize: example.recordSize,
  });
  assert.equal(toBase64Url(encoded), example.encoded);
  const { plaintext } = await decodeAll(fromBase64Url(example.ikm), encoded, { maxRecordSize: 4096 });
  assert.equal(new TextDecoder().decode(plaintext), example.plaintext);
});

test("RFC 8188 §3.2: two records, a keyid and padding decode to the plaintext", async () => {
  const example = vectors.rfc8188.find((/** @type {any} */ e) => e.section === "3.2");
  const encoded = fromBase64Url(example.encoded);
  const header = RecordOpener.parseHeader(encoded);
  assert.equal(header.recordSize, 25);
  assert.equal(new TextDecoder().decode(header.keyid), "a1");
  const { plaintext } = await decodeAll(fromBase64Url(example.ikm), encoded);
  assert.equal(new TextDecoder().decode(plaintext), example.plaintext);
});

test("keys: with and without a password (NFD typed, NFC derived) as the vectors say", async () => {
  for (const vector of vectors.keys) {
    const password = vector.password === null ? null : { password: vector.password, salt: fromBase64Url(vector.passwordSalt), iterations: vector.iterations };
    const keys = await deriveDropKeys(fromBase64Url(vector.secret), password);
    assert.equal(hex(keys.contentIKM), vector.contentIKM);
    assert.equal(hex(keys.metadataKey), vector.metadataKey);
    assert.equal(hex(keys.proofToken), vector.proofToken);
    assert.equal(hex(keys.proofVerifier), vector.proofVerifier);
  }
  assert.notEqual(vectors.keys[0].contentIKM, vectors.keys[1].contentIKM, "the password changes the keys");
});

test("keys: too few PBKDF2 iterations, or a short secret, are refused", async () => {
  const secret = new Uint8Array(16);
  await assert.rejects(deriveDropKeys(secret, { password: "x", salt: new Uint8Array(16), iterations: 599_999 }), RangeError);
  await assert.rejects(deriveDropKeys(new Uint8Array(15)), RangeError);
});

test("content: every vector encodes to the published bytes and decodes back", async () => {
  for (const vector of vectors.content) {
    const ikm = unhex(vector.contentIKM);
    const encoded = await encodeAll(ikm, fromBase64Url(vector.salt), pattern(vector.plaintextLength));
    assert.equal(encoded.length, vector.encodedLength, vector.name);
    assert.equal(sha256(encoded), vector.encodedSha256, vector.name);
    if (vector.encoded) assert.equal(toBase64Url(encoded), vector.encoded, vector.name);
    const { plaintext, salt } = await decodeAll(ikm, encoded);
    assert.deepEqual(plaintext, pattern(vector.plaintextLength), vector.name);
    assert.equal(toBase64Url(salt), vector.salt);
  }
});

test("metadata: the sealed vectors open, and sealing with their nonce gives the same bytes", async () => {
  for (const vector of vectors.metadata) {
    const key = unhex(vector.metadataKey);
    const document = await openMetadata(key, fromBase64Url(vector.sealed));
    assert.deepEqual(document, JSON.parse(vector.json));
    const sealed = await sealMetadata(key, document, { nonce: fromBase64Url(vector.nonce) });
    assert.equal(toBase64Url(sealed), vector.sealed);
    assert.equal(sealed.length, vector.sealedLength);
  }
});

test("metadata: names of different lengths seal to the same size", async () => {
  const key = new Uint8Array(16).fill(7);
  const short = await sealMetadata(key, { v: 1, kind: "files", files: [{ path: "a", type: "", size: 1, salt: "x" }] });
  const long = await sealMetadata(key, { v: 1, kind: "files", files: [{ path: "a".repeat(900), type: "", size: 1, salt: "x" }] });
  assert.equal(short.length, 1024 + 28);
  assert.equal(long.length, short.length);
});

/** The three-record vector's stream, split into header and records. */
async function threeRecords() {
  const vector = vectors.content.find((/** @type {any} */ v) => v.name.startsWith("three records"));
  const ikm = unhex(vector.contentIKM);
  const encoded = await encodeAll(ikm, fromBase64Url(vector.salt), pattern(vector.plaintextLength));
  const header = encoded.subarray(0, 21);
  const records = [0, 1, 2].map((i) => encoded.subarray(21 + i * DROP_RECORD_SIZE, 21 + (i + 1) * DROP_RECORD_SIZE));
  return { ikm, encoded, header, records };
}

const join = concatBytes;

test("tamper: a flipped bit, truncation, reordering and extra data are all damaged", async () => {
  const { ikm, encoded, header, records } = await threeRecords();
  const flipped = encoded.slice();
  flipped[21 + 70_000] ^= 0x01;
  await assert.rejects(decodeAll(ikm, flipped), DamagedError);
  await assert.rejects(decodeAll(ikm, join(header, records[0], records[1])), DamagedError, "truncated at a record boundary");
  await assert.rejects(decodeAll(ikm, encoded.subarray(0, encoded.length - 5)), DamagedError, "truncated inside a record");
  await assert.rejects(decodeAll(ikm, join(header, records[1], records[0], records[2])), DamagedError, "reordered");
  await assert.rejects(decodeAll(ikm, join(header, records[0], records[0], records[1], records[2])), DamagedError, "repeated");
  await assert.rejects(decodeAll(ikm, header), DamagedError, "no records");
  const headerFlip = encoded.slice();
  headerFlip[3] ^= 0x80; // the salt: other keys
  await assert.rejects(decodeAll(ikm, headerFlip), DamagedError);
});

test("tamper: a record from another file or another drop is damaged", async () => {
  const { ikm, header, records } = await threeRecords();
  const otherFile = await encodeAll(ikm, new Uint8Array(16).fill(9), pattern(3 * DROP_RECORD_SIZE));
  const foreign = otherFile.subarray(21 + DROP_RECORD_SIZE, 21 + 2 * DROP_RECORD_SIZE);
  await assert.rejects(decodeAll(ikm, join(header, records[0], foreign, records[2])), DamagedError);
  const otherDrop = (await deriveDropKeys(new Uint8Array(16).fill(1))).contentIKM;
  await assert.rejects(decodeAll(otherDrop, join(header, ...records)), DamagedError, "another drop's key");
});

test("tamper: metadata with a flipped bit or a wrong key is damaged", async () => {
  const vector = vectors.metadata[0];
  const sealed = fromBase64Url(vector.sealed);
  sealed[40] ^= 0x10;
  await assert.rejects(openMetadata(unhex(vector.metadataKey), sealed), DamagedError);
  await assert.rejects(openMetadata(new Uint8Array(16), fromBase64Url(vector.sealed)), DamagedError);
});

test("streaming: a sealer and an opener hold one record at a time and agree", async () => {
  const ikm = new Uint8Array(16).fill(3);
  const salt = new Uint8Array(16).fill(4);
  const sealer = await RecordSealer.create(ikm, salt);
  const opener = await RecordOpener.create(ikm, sealer.header);
  const full = pattern(sealer.plaintextPerRecord);
  for (const [piece, last] of [[full, false], [full, false], [pattern(10), true]]) {
    const record = await sealer.seal(/** @type {Uint8Array} */ (piece), /** @type {boolean} */ (last));
    assert.deepEqual(await opener.open(record, /** @type {boolean} */ (last)), piece);
  }
  assert.ok(opener.finished);
  await assert.rejects(sealer.seal(pattern(1), true), Error, "nothing after the last record");
  const fresh = await RecordSealer.create(ikm, salt);
  await assert.rejects(fresh.seal(pattern(10), false), RangeError, "a short record must be the last");
});

test("streaming: sealRecords seals a slice of records as seal does, in place, leaving the slice unchanged", async () => {
  const ikm = new Uint8Array(16).fill(5);
  const salt = new Uint8Array(16).fill(6);
  const one = await RecordSealer.create(ikm, salt);
  const many = await RecordSealer.create(ikm, salt);
  const per = one.plaintextPerRecord;
  const data = pattern(4 * per + 123);
  const expected = [];
  for (let index = 0; index < 5; index++) expected.push(await one.seal(data.subarray(index * per, (index + 1) * per), index === 4));
  // Two slices: three full records (not the stream's last), then a full one and the short last one.
  const first = data.slice(0, 3 * per);
  const second = data.slice(3 * per);
  const sealed = [...(await many.sealRecords(first, false)), ...(await many.sealRecords(second, true))];
  assert.deepEqual(sealed, expected);
  assert.deepEqual(first, data.subarray(0, 3 * per), "the delimiter written for each call is taken back");
  assert.deepEqual(second, data.subarray(3 * per));
  await assert.rejects(many.sealRecords(pattern(1), true), Error, "nothing after the last record");
  const fresh = await RecordSealer.create(ikm, salt);
  await assert.rejects(fresh.sealRecords(pattern(per + 10), false), RangeError, "a short record must be the last");
  const empty = await RecordSealer.create(ikm, salt);
  assert.deepEqual(await empty.sealRecords(new Uint8Array(0), true), [await (await RecordSealer.create(ikm, salt)).seal(new Uint8Array(0), true)]);
});
