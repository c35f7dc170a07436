// The browser's drop upload without a browser: stream lengths, the encoder that seals any
// range of a file (resumes give the same bytes), the tus client against a fake tus server on
// fake-fetch.mjs, the upload loop (resume from the server's offset, a lost connection, a
// checksum refusal) and the resume bookkeeping.
import assert from "node:assert/strict";
import { createHash, webcrypto } from "node:crypto";
import { test } from "node:test";

import { createHttp } from "../../Public/js/http.js";
import { decodeAll, encodeAll } from "../../Public/js/drops/ece.js";
import { createEncodeSource, alignedChunk } from "../../Public/js/drops/encode-source.js";
import { describePlan, planDrop, selectionKey } from "../../Public/js/drops/pending.js";
import { encodedLength, locate, plaintextSize, recordCount, recordStart } from "../../Public/js/drops/sizes.js";
import { createTus } from "../../Public/js/drops/tus.js";
import { uploadStream } from "../../Public/js/drops/upload.js";
import { deriveDropKeys } from "../../Public/js/drops/keys.js";
import { sanitizePath } from "../../Public/js/transfer/names.js";
import { fakeFetch } from "./fake-fetch.mjs";

const K = 65_536;
const plain = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) % 256);
const ikm = Uint8Array.from({ length: 16 }, (_, i) => i);
const salt = Uint8Array.from({ length: 16 }, (_, i) => 100 + i);

test("encoded lengths are exact, records located", async () => {
  for (const size of [0, 1, K - 1, K, K + 1, 3 * K, 3 * K + 5]) {
    const whole = await encodeAll(ikm, salt, plain(size));
    assert.equal(encodedLength(size), whole.length, `size ${size}`);
  }
  assert.equal(recordCount(0), 1);
  // Back from the length the server knows: exact for one file, within 17 bytes a file for several.
  for (const size of [0, 1, 12, K - 1, K, K + 1, 3 * K, 3 * K + 5, 10 * 1024 ** 3]) assert.equal(plaintextSize(encodedLength(size), 1), size, `size ${size}`);
  const sizes = [5, K + 7, 3 * K - 1];
  const estimate = plaintextSize(sizes.reduce((sum, size) => sum + encodedLength(size), 0), sizes.length);
  const actual = sizes.reduce((a, b) => a + b, 0);
  assert.ok(estimate >= actual && estimate - actual <= 17 * sizes.length, `${estimate} for ${actual}`);
  assert.equal(plaintextSize(0, 0), 0);
  assert.equal(encodedLength(10 * 1024 ** 3), 21 + 10 * 1024 ** 3 + 163_840 * 17);
  assert.deepEqual(locate(0), { record: -1, within: 0 });
  assert.deepEqual(locate(21), { record: 0, within: 0 });
  assert.deepEqual(locate(21 + 65_553 + 3), { record: 1, within: 3 });
  assert.equal(recordStart(2), 21 + 2 * 65_553);
});

test("the encoder gives the same bytes for any range, as encodeAll", async () => {
  const data = plain(3 * K + 1000);
  const whole = await encodeAll(ikm, salt, data);
  const source = await createEncodeSource(new Blob([data]), ikm, salt);
  assert.equal(source.length, whole.length);
  for (const [offset, max] of [[0, 10], [0, whole.length], [5, 30], [21, 65_553], [100, 200_000], [whole.length - 7, 100], [whole.length, 5]]) {
    const got = await source.read(offset, max);
    assert.deepEqual(got, whole.subarray(offset, Math.min(whole.length, offset + max)), `${offset}+${max}`);
  }
  const empty = await createEncodeSource(new Blob([]), ikm, salt);
  const bytes = await empty.read(0, 1000);
  assert.equal(bytes.length, 38);
  assert.equal((await decodeAll(ikm, bytes)).plaintext.length, 0);
});

test("chunks end on record boundaries", () => {
  const length = encodedLength(10 * K);
  assert.equal(alignedChunk(0, 3 * 65_553, length), 21 + 2 * 65_553);
  assert.equal(alignedChunk(21, 3 * 65_553, length), 3 * 65_553);
  assert.equal(alignedChunk(21, 10 * length, length), length - 21);
  assert.equal(alignedChunk(21, 100, length), 100, "a chunk below one record is still progress");
});

/** An in-memory tus server; `cutAfter` bytes into a PATCH it fails like a dropped connection. */
function tusServer({ cutOnce = false, corruptOnce = false } = {}) {
  const uploads = new Map();
  let next = 1;
  const state = { patches: 0, bytesReceived: 0, cutOnce, corruptOnce, uploads };
  const answer = async (url, init) => {
    const path = new URL(url, "http://x").pathname;
    assert.equal(init.headers["Tus-Resumable"], "1.0.0");
    if (init.method === "POST" && path === "/api/v1/uploads") {
      const id = `u${next++}`;
      uploads.set(id, { length: Number(init.headers["Upload-Length"]), data: [] , offset: 0 });
      return new Response(null, { status: 201, headers: { Location: `/api/v1/uploads/${id}` } });
    }
    const id = path.split("/").at(-1);
    const upload = uploads.get(id);
    if (!upload) return new Response(null, { status: 404 });
    if (init.method === "HEAD") {
      return new Response(null, { status: 200, headers: { "Upload-Offset": String(upload.offset), "Upload-Length": String(upload.length) } });
    }
    if (init.method === "PATCH") {
      state.patches++;
      if (Number(init.headers["Upload-Offset"]) !== upload.offset) {
        return Response.json({ type: "/problems/upload-offset-mismatch", title: "Conflict" }, { status: 409, headers: { "Content-Type": "application/problem+json" } });
      }
      // The client sends each chunk as a Blob (see tus.js); a plain array is read as it is.
      let body = init.body instanceof Blob ? new Uint8Array(await init.body.arrayBuffer()) : new Uint8Array(init.body);
      if (state.corruptOnce) {
        state.corruptOnce = false;
        body = body.slice();
        body[0] ^= 1;
      }
      const [algorithm, digest] = init.headers["Upload-Checksum"].split(" ");
      assert.equal(algorithm, "sha256");
      if (createHash("sha256").update(body).digest("base64") !== digest) {
        return new Response(null, { status: 460 });
      }
      if (state.cutOnce && upload.offset > 0) {
        state.cutOnce = false;
        throw new TypeError("network connection lost");
      }
      state.bytesReceived += body.length;
      upload.data.push(body);
      upload.offset += body.length;
      return new Response(null, { status: 204, headers: { "Upload-Offset": String(upload.offset) } });
    }
    if (init.method === "DELETE") {
      uploads.delete(id);
      return new Response(null, { status: 204 });
    }
    return new Response(null, { status: 405 });
  };
  return { state, answer, bytes: (id) => Buffer.concat(uploads.get(id).data) };
}

const noSleep = async () => {};

test("tus: create, status, append with a checksum, remove", async () => {
  const server = tusServer();
  const { fetch, calls } = fakeFetch(server.answer);
  const tus = createTus(createHttp({ fetch }));
  const path = await tus.create(10);
  assert.equal(path, "/uploads/u1");
  assert.equal(calls[0].init.headers["Upload-Length"], "10");
  assert.deepEqual(await tus.status(path), { offset: 0, length: 10 });
  assert.equal(await tus.append(path, 0, plain(4)), 4);
  assert.equal(calls.at(-1).init.headers["Content-Type"], "application/offset+octet-stream");
  assert.match(calls.at(-1).init.headers["Upload-Checksum"], /^sha256 [A-Za-z0-9+/]{43}=$/);
  await tus.remove(path);
  assert.equal(await tus.status(path), null);
  assert.equal(tus.uploadPath("http://h/api/v1/uploads/abc"), "/uploads/abc");
});

test("upload: resumes from the server's offset, survives a lost connection and a bad checksum", async () => {
  const data = plain(40 * K + 123);
  const whole = await encodeAll(ikm, salt, data);
  const server = tusServer({ cutOnce: true, corruptOnce: true });
  const tus = createTus(createHttp({ fetch: fakeFetch(server.answer).fetch }));
  const path = await tus.create(whole.length);
  const source = await createEncodeSource(new Blob([data]), ikm, salt);
  // First attempt: paused after the first acknowledged chunk.
  const controller = new AbortController();
  const seen = [];
  await assert.rejects(
    uploadStream({
      tus, path, source, chunkBytes: 8 * 65_553, sleep: noSleep, signal: controller.signal,
      onProgress: (offset) => {
        seen.push(offset);
        if (offset > 0) controller.abort(new Error("paused"));
      },
    }),
    /paused/,
  );
  const paused = server.state.uploads.get("u1").offset;
  assert.ok(paused > 0 && paused < whole.length);
  const before = server.state.bytesReceived;
  // A new source (as after a reload: same salt) continues.
  const again = await createEncodeSource(new Blob([data]), ikm, salt);
  const { resumedFrom } = await uploadStream({ tus, path, source: again, chunkBytes: 8 * 65_553, sleep: noSleep });
  assert.equal(resumedFrom, paused);
  assert.ok(server.state.bytesReceived - before <= whole.length - paused + 8 * 65_553, "only the rest (and a refused chunk) was sent again");
  assert.deepEqual(new Uint8Array(server.bytes("u1")), whole);
});

test("upload: a length that differs from the server's is refused as gone", async () => {
  const server = tusServer();
  const tus = createTus(createHttp({ fetch: fakeFetch(server.answer).fetch }));
  const path = await tus.create(99);
  const source = await createEncodeSource(new Blob([plain(10)]), ikm, salt);
  await assert.rejects(uploadStream({ tus, path, source }), (error) => error.gone === true);
});

function memoryStore() {
  const map = new Map();
  return {
    map,
    get: async (key) => structuredClone(map.get(key)),
    put: async (value) => void map.set(value.selection, structuredClone(value)),
    delete: async (key) => void map.delete(key),
  };
}

test("resume bookkeeping: the same files find the same secret and salts; another password starts over", async () => {
  const store = memoryStore();
  const file = (size, lastModified) => ({ size, lastModified });
  const entries = [{ path: "a.txt", file: file(10, 1) }, { path: "dir/b.bin", file: file(20, 2) }];
  let counter = 0;
  const random = (n) => Uint8Array.from({ length: n }, () => counter++ % 256);
  const options = { store, derive: (secret, password) => deriveDropKeys(secret, password, webcrypto), encodedLength, random, iterations: 600_000 };
  const first = await planDrop({ ...options, entries, password: "" });
  assert.equal(first.resumed, false);
  // What the page tells the user to pick again: the paths and their total size, from the record.
  assert.deepEqual(describePlan(first.plan), { paths: ["a.txt", "dir/b.bin"], size: 30 });
  assert.deepEqual(describePlan({ ...first.plan, files: [...first.plan.files, { key: "not json" }] }), { paths: ["a.txt", "dir/b.bin"], size: 30 });
  first.plan.files[0].upload = "/uploads/x";
  await store.put(first.plan);
  const reversed = [entries[1], entries[0]];
  const second = await planDrop({ ...options, entries: reversed, password: "" });
  assert.equal(second.resumed, true);
  assert.equal(second.plan.secret, first.plan.secret);
  assert.deepEqual(second.plan.files.map((f) => f.salt), [first.plan.files[1].salt, first.plan.files[0].salt]);
  assert.equal(second.plan.files[1].upload, "/uploads/x");
  assert.equal(selectionKey(reversed), selectionKey(entries));
  // Another lastModified is another file.
  const touched = await planDrop({ ...options, entries: [entries[0], { path: "dir/b.bin", file: file(20, 3) }], password: "" });
  assert.equal(touched.resumed, false);
  // A password plan is resumed only with the same password.
  const withPassword = [{ path: "p", file: file(1, 1) }];
  const p1 = await planDrop({ ...options, entries: withPassword, password: "correct horse" });
  p1.plan.files[0].upload = "/uploads/p";
  await store.put(p1.plan);
  const p2 = await planDrop({ ...options, entries: withPassword, password: "correct horse" });
  assert.equal(p2.resumed, true);
  const p3 = await planDrop({ ...options, entries: withPassword, password: "wrong" });
  assert.equal(p3.resumed, false);
  assert.deepEqual(p3.stale, ["/uploads/p"]);
  assert.notEqual(p3.plan.secret, p1.plan.secret);
});

test("received names are sanitised with the transfers' rules", () => {
  assert.equal(sanitizePath("../../etc/passwd"), "etc/passwd");
  assert.equal(sanitizePath("photos/\u202Egpj.exe"), "photos/_gpj.exe");
  assert.equal(sanitizePath(""), "file");
});

test("a 10 GiB file is read one chunk at a time, never whole", async () => {
  const size = 10 * 1024 ** 3;
  const slices = [];
  // A stand-in for a File: only the slices asked for are made.
  const huge = {
    size,
    slice(start, end) {
      slices.push(end - start);
      return new Blob([new Uint8Array(end - start)]);
    },
  };
  const source = await createEncodeSource(/** @type {any} */ (huge), ikm, salt);
  assert.equal(source.length, encodedLength(size));
  const chunk = alignedChunk(source.length - 20 * 1024 * 1024, 8 * 1024 * 1024, source.length);
  const bytes = await source.read(source.length - 20 * 1024 * 1024, chunk);
  assert.equal(bytes.length, chunk);
  const tail = await source.read(source.length - 100, 1000);
  assert.equal(tail.length, 100);
  assert.ok(Math.max(...slices) <= 8 * 1024 * 1024, `largest slice ${Math.max(...slices)}`);
});

test("upload: a busy upload is waited for, an expired one is gone", async () => {
  const data = plain(3 * K);
  const whole = await encodeAll(ikm, salt, data);
  const server = tusServer();
  let busy = 2;
  const sleeps = [];
  const answer = async (url, init) => {
    if (init.method === "PATCH" && busy > 0) {
      busy--;
      return Response.json({ type: "/problems/upload-busy", title: "Conflict" }, { status: 409, headers: { "Content-Type": "application/problem+json" } });
    }
    return server.answer(url, init);
  };
  const tus = createTus(createHttp({ fetch: fakeFetch(answer).fetch }));
  const path = await tus.create(whole.length);
  await uploadStream({ tus, path, source: await createEncodeSource(new Blob([data]), ikm, salt), sleep: async (ms) => void sleeps.push(ms) });
  assert.equal(sleeps.length, 2, "each busy answer waits before asking again");
  assert.deepEqual(new Uint8Array(server.bytes("u1")), whole);

  const expired = async (url, init) => (init.method === "PATCH" ? Response.json({ type: "/problems/upload-expired", title: "Gone" }, { status: 410, headers: { "Content-Type": "application/problem+json" } }) : server.answer(url, init));
  const tus2 = createTus(createHttp({ fetch: fakeFetch(expired).fetch }));
  const path2 = await tus2.create(whole.length);
  await assert.rejects(uploadStream({ tus: tus2, path: path2, source: await createEncodeSource(new Blob([data]), ikm, salt), sleep: noSleep }), (error) => error.gone === true);
});
