// The streaming zip writer, read back by Python's zipfile (an independent reader): plain and
// forced-ZIP64 archives, and a sparse 5 GiB archive whose second entry starts past 4 GiB.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, openSync, writeSync, closeSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { Crc32, crc32 } from "../../Public/js/drops/crc32.js";
import { ZipWriter } from "../../Public/js/drops/zip.js";

const READ = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    out = []
    for info in z.infolist():
        row = {"name": info.filename, "size": info.file_size, "offset": info.header_offset, "crc": info.CRC}
        if info.file_size < 1 << 20:
            row["data"] = z.read(info).hex()
        out.append(row)
    print(json.dumps(out))
`;

const python = (path) => JSON.parse(execFileSync("python3", ["-c", READ, path], { encoding: "utf8" }));

function build(files, options) {
  const zip = new ZipWriter(options);
  const parts = [];
  for (const { name, data } of files) {
    parts.push(zip.begin(name, data.length, new Date(2026, 11, 6, 12, 30, 10)));
    parts.push(data);
    zip.wrote(data.length);
    parts.push(zip.end(crc32(data)));
  }
  parts.push(zip.finish());
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  assert.equal(zip.offset, total);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const files = [
  { name: "notes.txt", data: new TextEncoder().encode("hello zip\n") },
  { name: "folder/émoji 🚢.bin", data: Uint8Array.from({ length: 70_000 }, (_, n) => n % 251) },
  { name: "empty", data: new Uint8Array(0) },
];

test("CRC-32 matches the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  const running = new Crc32().update(new TextEncoder().encode("1234")).update(new TextEncoder().encode("56789"));
  assert.equal(running.value, 0xcbf43926);
});

for (const forceZip64 of [false, true]) {
  test(`Python's zipfile reads a ${forceZip64 ? "forced ZIP64" : "plain"} archive`, () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-zip-"));
    try {
      const path = join(dir, "a.zip");
      writeFileSync(path, build(files, { forceZip64 }));
      const rows = python(path);
      assert.deepEqual(
        rows.map((row) => [row.name, row.size, row.data]),
        files.map((file) => [file.name, file.data.length, Buffer.from(file.data).toString("hex")]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("ZIP64: a 5 GiB entry (sparse) and a second entry past 4 GiB", () => {
  const dir = mkdtempSync(join(tmpdir(), "ferry-zip64-"));
  try {
    const path = join(dir, "big.zip");
    const big = 5 * 1024 ** 3;
    const small = new TextEncoder().encode("after the big one");
    const zip = new ZipWriter();
    const fd = openSync(path, "w");
    let at = 0;
    const put = (bytes) => {
      writeSync(fd, bytes, 0, bytes.length, at);
      at += bytes.length;
    };
    put(zip.begin("big.bin", big));
    // The data is a hole of zeros; its CRC is not checked by listing, only the small entry's.
    at += big;
    zip.wrote(big);
    put(zip.end(0));
    put(zip.begin("small.txt", small.length));
    put(small);
    zip.wrote(small.length);
    put(zip.end(crc32(small)));
    put(zip.finish());
    closeSync(fd);
    const rows = python(path);
    assert.equal(rows[0].size, big);
    assert.equal(rows[1].name, "small.txt");
    assert.ok(rows[1].offset > 2 ** 32, "the second entry starts past 4 GiB");
    assert.equal(Buffer.from(rows[1].data, "hex").toString(), "after the big one");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an entry must write what it declared", () => {
  const zip = new ZipWriter();
  zip.begin("a", 3);
  zip.wrote(2);
  assert.throws(() => zip.end(0), /declared 3/);
});

test("a CRC continues from its saved state", () => {
  const whole = new TextEncoder().encode("123456789");
  const first = new Crc32().update(whole.subarray(0, 4));
  const resumed = new Crc32(JSON.parse(JSON.stringify(first.state))).update(whole.subarray(4));
  assert.equal(resumed.value, 0xcbf43926);
  assert.throws(() => new Crc32(-1), RangeError);
  assert.throws(() => new Crc32(2 ** 32), RangeError);
});

for (const forceZip64 of [false, true]) {
  test(`a ${forceZip64 ? "ZIP64 " : ""}zip cut mid-entry continues from its snapshot to the same archive`, () => {
    const whole = build(files, { forceZip64 });
    // The same archive written again, stopped in the middle of the second entry's data, its state
    // passed through JSON (as the worker saves it), and continued by a restored writer.
    const zip = new ZipWriter({ forceZip64 });
    const parts = [];
    const [notes, big, empty] = files;
    parts.push(zip.begin(notes.name, notes.data.length, new Date(2026, 11, 6, 12, 30, 10)), notes.data);
    zip.wrote(notes.data.length);
    parts.push(zip.end(crc32(notes.data)));
    parts.push(zip.begin(big.name, big.data.length, new Date(2026, 11, 6, 12, 30, 10)));
    const cut = 40_000;
    const crc = new Crc32().update(big.data.subarray(0, cut));
    parts.push(big.data.subarray(0, cut));
    zip.wrote(cut);
    const saved = JSON.parse(JSON.stringify({ zip: zip.snapshot(), crc: crc.state }));

    const again = ZipWriter.restore(saved.zip);
    assert.equal(again.offset, parts.reduce((sum, part) => sum + part.length, 0));
    const rest = big.data.subarray(cut);
    parts.push(rest);
    again.wrote(rest.length);
    parts.push(again.end(new Crc32(saved.crc).update(rest).value));
    parts.push(again.begin(empty.name, 0, new Date(2026, 11, 6, 12, 30, 10)));
    again.wrote(0);
    parts.push(again.end(crc32(empty.data)), again.finish());
    assert.deepEqual(Buffer.concat(parts), Buffer.from(whole));
  });
}

test("a snapshot that does not add up is refused", () => {
  const zip = new ZipWriter();
  zip.begin("a", 10);
  zip.wrote(4);
  const saved = zip.snapshot();
  assert.equal(ZipWriter.restore(saved).offset, zip.offset);
  assert.throws(() => ZipWriter.restore({ ...saved, offset: -1 }), TypeError);
  assert.throws(() => ZipWriter.restore({ ...saved, entries: [{ ...saved.entries[0], written: 11 }] }), TypeError);
  assert.throws(() => ZipWriter.restore({ ...saved, entries: [{ ...saved.entries[0], name: 7 }] }), TypeError);
  assert.throws(() => ZipWriter.restore({ ...saved, offset: 0, entries: [{ ...saved.entries[0], offset: 5 }] }), TypeError);
  assert.throws(() => ZipWriter.restore(null), TypeError);
  const finished = new ZipWriter();
  finished.finish();
  assert.throws(() => finished.snapshot(), /finished/);
});
