// Unit tests for Public/js/transfer/names.js, manifest.js, progress.js and rate-limit.js:
// a corpus of hostile names, manifest validation, progress/ETA maths and the offer limiter.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MAX_ITEMS, manifestForFiles, manifestForText, summarizeManifest, validateManifest } from "../../Public/js/transfer/manifest.js";
import { MAX_DEPTH, MAX_SEGMENT_BYTES, sanitizePath, sanitizeSegment, uniquePath } from "../../Public/js/transfer/names.js";
import { ProgressMeter } from "../../Public/js/transfer/progress.js";
import { OfferLimiter } from "../../Public/js/transfer/rate-limit.js";

/** What every sanitised path must satisfy, whatever came in. */
function assertSafe(path, input) {
  const label = JSON.stringify(input);
  assert.ok(path.length > 0, label);
  assert.ok(!path.startsWith("/"), `absolute: ${label}`);
  assert.ok(!/\\/.test(path), `backslash: ${label}`);
  assert.ok(!/^[A-Za-z]:/.test(path), `drive: ${label}`);
  for (const segment of path.split("/")) {
    assert.ok(segment !== "" && segment !== "." && segment !== "..", `segment ${JSON.stringify(segment)} in ${label}`);
    assert.ok(!/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff<>:"|?*]/u.test(segment), `char in ${label}`);
    assert.ok(!/[. ]$/.test(segment), `trailing dot/space in ${label}`);
    assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(segment), `reserved in ${label}`);
    assert.ok(new TextEncoder().encode(segment).length <= MAX_SEGMENT_BYTES, `long segment in ${label}`);
  }
  assert.ok(path.split("/").length <= MAX_DEPTH, `deep: ${label}`);
}

describe("name sanitising", () => {
  const hostile = [
    "../../etc/passwd",
    "..\\..\\Windows\\System32\\drivers\\etc\\hosts",
    "/etc/shadow",
    "\\\\server\\share\\x",
    "C:\\Users\\x\\evil.exe",
    "C:evil",
    "a/./b/../../c",
    "....//....//x",
    "..",
    ".",
    "",
    "   ",
    "/",
    "invoice\u202Egpj.exe",
    "\u2066abc\u2069.txt",
    "name\u0000.txt",
    "tab\there\nnewline\r.txt",
    "bell\u0007\u001b[31mred",
    "\u0085next-line\u2028sep",
    "zero\u200Bwidth\uFEFF.txt",
    "CON",
    "con.txt",
    "Nul.tar.gz",
    "COM1",
    "lpt9.log",
    "aux ",
    "trailing.",
    "trailing dots...",
    "a:b|c<d>e\"f?g*h",
    "x".repeat(1000),
    "é".repeat(300) + ".jpeg",
    "😀".repeat(100) + ".png",
    "a/".repeat(100) + "deep.txt",
    "ok/..hidden",
    "stream.txt:$DATA",
  ];

  for (const input of hostile) {
    it(`makes ${JSON.stringify(input).slice(0, 40)} safe`, () => assertSafe(sanitizePath(input), input));
  }

  it("keeps ordinary names and folder structure", () => {
    assert.equal(sanitizePath("Photos/2024/Beach day.jpg"), "Photos/2024/Beach day.jpg");
    assert.equal(sanitizePath("report.final.v2.pdf"), "report.final.v2.pdf");
    assert.equal(sanitizePath(".bashrc"), ".bashrc");
    assert.equal(sanitizePath("日本語/ファイル.txt"), "日本語/ファイル.txt");
  });

  it("drops traversal instead of resolving it, and neutralises specific attacks", () => {
    assert.equal(sanitizePath("../../etc/passwd"), "etc/passwd");
    assert.equal(sanitizePath("a/./b/../../c"), "a/b/c");
    assert.equal(sanitizePath("CON"), "_CON");
    assert.equal(sanitizePath("invoice\u202Egpj.exe"), "invoice_gpj.exe");
    assert.equal(sanitizePath("..", "fallback"), "fallback");
    assert.equal(sanitizeSegment("e\u0301"), "\u00e9", "NFC");
  });

  it("never gives a file the name of a folder another item needs", () => {
    const paths = (list) => {
      const items = list.map((path, i) => ({ i, kind: "file", path, size: 1 }));
      const result = validateManifest({ items, count: items.length, totalSize: items.length });
      assert.ok(result.ok, result.error);
      return result.manifest.items.map((item) => item.path);
    };
    assert.deepEqual(paths(["x", "x/y"]), ["x (2)", "x/y"]);
    assert.deepEqual(paths(["X/y", "x"]), ["X/y", "x (2)"]);
    assert.deepEqual(paths(["a (2).txt/b", "a.txt", "a.txt"]), ["a (2).txt/b", "a.txt", "a (3).txt"]);
  });

  it("takes a backslash for a character of the name, not a folder separator", () => {
    // Linux and macOS allow "\\" in a name; the paths Ferry sends are "/"-separated.
    assert.equal(sanitizePath("a\\b.txt"), "a_b.txt");
    assert.equal(sanitizePath("notes/draft \\ final.md"), "notes/draft _ final.md");
    assert.equal(sanitizePath("..\\..\\Windows\\System32"), ".._.._Windows_System32");
    assert.equal(sanitizePath("C:\\Users\\x\\evil.exe"), "C__Users_x_evil.exe");
  });

  it("keeps the extension when cutting a long name, and never splits a character", () => {
    const cut = sanitizeSegment("😀".repeat(100) + ".png");
    assert.ok(cut.endsWith(".png"));
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut), "no lone surrogate");
  });

  it("makes names unique, case-insensitively", () => {
    const taken = new Set();
    assert.equal(uniquePath("a/b.txt", taken), "a/b.txt");
    assert.equal(uniquePath("a/B.txt", taken), "a/B (2).txt");
    assert.equal(uniquePath("a/b.txt", taken), "a/b (3).txt");
    assert.equal(uniquePath("noext", taken), "noext");
    assert.equal(uniquePath("noext", taken), "noext (2)");
  });
});

describe("manifest", () => {
  const files = [
    { name: "a.txt", size: 3, type: "text/plain", lastModified: 1000 },
    { name: "b.jpg", size: 5, type: "image/jpeg", lastModified: 2000, webkitRelativePath: "Pics/b.jpg" },
  ];

  it("is built from files (folder paths kept) and from text", () => {
    const manifest = manifestForFiles(files);
    assert.deepEqual(manifest.items.map((i) => i.path), ["a.txt", "Pics/b.jpg"]);
    assert.equal(manifest.totalSize, 8);
    assert.deepEqual(validateManifest(JSON.parse(JSON.stringify(manifest))), { ok: true, manifest });
    const { manifest: text, bytes } = manifestForText("héllo");
    assert.equal(text.items[0].kind, "text");
    assert.equal(text.items[0].size, bytes.length);
    assert.throws(() => manifestForText(""), RangeError);
    assert.throws(() => manifestForFiles([]), RangeError);
  });

  it("refuses wrong shapes and sums", () => {
    const good = manifestForFiles(files);
    const cases = [
      null,
      [],
      { items: [] },
      { ...good, count: 3 },
      { ...good, totalSize: 9 },
      { ...good, items: [{ ...good.items[0], size: -1 }, good.items[1]] },
      { ...good, items: [{ ...good.items[0], size: 1.5 }, good.items[1]] },
      { ...good, items: [good.items[1], good.items[0]] },
      { ...good, items: [{ ...good.items[0], kind: "exe" }, good.items[1]] },
      { ...good, items: [{ ...good.items[0], path: 7 }, good.items[1]] },
      { items: [{ i: 0, kind: "text", path: "m", size: 2 * 1024 * 1024 }], count: 1, totalSize: 2 * 1024 * 1024 },
      { items: [{ i: 0, kind: "file", path: "a", size: 2 ** 53 - 1 }, { i: 1, kind: "file", path: "b", size: 2 }], count: 2, totalSize: 2 ** 53 + 1 },
      { items: Array.from({ length: MAX_ITEMS + 1 }, (_, i) => ({ i, kind: "file", path: "x", size: 0 })), count: MAX_ITEMS + 1, totalSize: 0 },
    ];
    for (const raw of cases) assert.equal(validateManifest(raw).ok, false, JSON.stringify(raw)?.slice(0, 80));
  });

  it("sanitises and de-duplicates names instead of refusing them", () => {
    const raw = {
      items: [
        { i: 0, kind: "file", path: "../x.txt", size: 1, type: "text/html; evil", modified: -5 },
        { i: 1, kind: "file", path: "x.txt", size: 1 },
        { i: 2, kind: "file", path: "X.TXT", size: 1 },
      ],
      count: 3,
      totalSize: 3,
    };
    const result = validateManifest(raw);
    assert.ok(result.ok);
    assert.deepEqual(result.manifest.items.map((i) => i.path), ["x.txt", "x (2).txt", "X (3).TXT"]);
    assert.equal(result.manifest.items[0].type, "");
    assert.equal(result.manifest.items[0].modified, 0);
  });

  it("summarises for the prompt", () => {
    const result = validateManifest({
      items: [
        { i: 0, kind: "file", path: "Pics/a.jpg", size: 1 },
        { i: 1, kind: "file", path: "Pics/b.jpg", size: 1 },
        { i: 2, kind: "file", path: "notes.txt", size: 1 },
      ],
      count: 3,
      totalSize: 3,
    });
    assert.ok(result.ok);
    assert.deepEqual(summarizeManifest(result.manifest, 1), { count: 3, totalSize: 3, isText: false, folders: ["Pics"], names: ["Pics/"], more: 1 });
  });
});

describe("progress", () => {
  it("measures speed over the window and computes the ETA", () => {
    const meter = new ProgressMeter(10_000_000, { windowMs: 5000 });
    assert.equal(meter.snapshot(0).bytesPerSecond, null);
    meter.update(0, 0);
    meter.update(1_000_000, 1000);
    meter.update(2_000_000, 2000);
    const snap = meter.snapshot(2000);
    assert.equal(snap.bytesPerSecond, 1_000_000);
    assert.equal(snap.etaMs, 8000);
    assert.equal(snap.fraction, 0.2);
  });

  it("forgets old samples, so speed follows a change", () => {
    const meter = new ProgressMeter(100_000_000, { windowMs: 2000 });
    for (let t = 0; t <= 10_000; t += 500) meter.update(t <= 5000 ? t * 1000 : 5_000_000 + (t - 5000) * 100, t);
    const speed = meter.snapshot(10_000).bytesPerSecond;
    assert.ok(Math.abs(speed - 100_000) < 1, `speed ${speed}`);
  });

  it("falls while stalled, does not count resumed bytes as speed, and is 0 ms from the end when done", () => {
    const meter = new ProgressMeter(1000, { done: 600 });
    assert.equal(meter.snapshot(0).fraction, 0.6);
    meter.update(600, 0);
    meter.update(700, 1000);
    assert.equal(meter.snapshot(1000).bytesPerSecond, 100);
    assert.equal(meter.snapshot(2000).bytesPerSecond, 50);
    meter.update(1000, 3000);
    assert.equal(meter.snapshot(3000).etaMs, 0);
    const empty = new ProgressMeter(0);
    assert.equal(empty.snapshot(0).fraction, 1);
  });
});

describe("offer limiter", () => {
  it("allows a burst per device, then one per refill period, and caps pending offers", () => {
    const limiter = new OfferLimiter({ burst: 3, refillMs: 1000, maxPending: 2 });
    assert.ok(limiter.admit("D1", "o1", 0));
    assert.ok(limiter.admit("D1", "o2", 0));
    assert.ok(!limiter.admit("D1", "o3", 0), "two pending");
    limiter.settle("D1", "o1");
    assert.ok(limiter.admit("D1", "o3", 0));
    limiter.settle("D1", "o2");
    limiter.settle("D1", "o3");
    assert.ok(!limiter.admit("D1", "o4", 10), "burst used up");
    assert.ok(limiter.admit("D2", "p1", 10), "other devices are not affected");
    assert.ok(limiter.admit("D1", "o4", 1010), "refilled");
  });

  it("gives an accepted offer's token back, not a declined or withdrawn one's, and only once", () => {
    const limiter = new OfferLimiter({ burst: 2, refillMs: 60_000, maxPending: 5 });
    assert.ok(limiter.admit("D1", "a", 0));
    assert.ok(limiter.admit("D1", "b", 0));
    limiter.settle("D1", "a"); // declined, withdrawn or expired: the token stays spent
    assert.ok(!limiter.admit("D1", "c", 1), "burst used up");
    limiter.settle("D1", "b", { accepted: true });
    limiter.settle("D1", "b", { accepted: true }); // settled already: no second token
    assert.ok(limiter.admit("D1", "c", 2), "the accepted offer's token is back");
    assert.ok(!limiter.admit("D1", "d", 3), "one token, not two");
    // Accepted offers one after another never run out.
    const steady = new OfferLimiter({ burst: 2, refillMs: 60_000, maxPending: 5 });
    for (let i = 0; i < 10; i++) {
      assert.ok(steady.admit("D2", `t${i}`, i), `offer ${i}`);
      steady.settle("D2", `t${i}`, { accepted: true });
    }
  });
});
