// Unit tests for Public/js/receipt-api.js with a fake fetch and real Response objects.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  ApiError,
  DIGESTS_ENDPOINT,
  MAX_FILES,
  buildDigestRequest,
  describePointer,
  mediaType,
  parseReceiptResponse,
  submitDigests,
} from "../../Public/js/receipt-api.js";

const A = "a".repeat(64);
const B = "0123456789abcdef".repeat(4);
const files = [
  { name: "a.txt", size: 123, sha256: A },
  { name: "b.bin", size: 0, sha256: B },
];
const receipt = {
  receipt: "0123456789abcdef0123456789abcdef",
  receivedAt: "2026-11-25T14:00:00.000Z",
  count: 2,
  totalBytes: 123,
  files,
};

const json = (status, body, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });

/** A fetch that records its calls and answers with `answer()`. */
function fakeFetch(answer) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return { fetch, calls };
}

/** Runs `work` and returns the ApiError it must throw. */
async function apiError(work) {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${error}`);
    return error;
  }
  assert.fail("expected an ApiError");
}

describe("buildDigestRequest", () => {
  it("builds a JSON POST with only name, size and sha256 of each file", () => {
    const request = buildDigestRequest([{ ...files[0], lastModified: 5, extra: "x" }, files[1]]);
    assert.equal(request.method, "POST");
    assert.equal(request.headers["Content-Type"], "application/json");
    assert.match(request.headers.Accept, /application\/problem\+json/);
    assert.deepEqual(JSON.parse(request.body), { files });
  });

  it("accepts exactly the limits: 100 files, 255-character names, the largest safe size", () => {
    const many = Array.from({ length: MAX_FILES }, (_, i) => ({ name: `f${i}`, size: i, sha256: A }));
    assert.equal(JSON.parse(buildDigestRequest(many).body).files.length, 100);
    const edge = [{ name: "é".repeat(255), size: Number.MAX_SAFE_INTEGER, sha256: A }];
    assert.deepEqual(JSON.parse(buildDigestRequest(edge).body), { files: edge });
    // Characters are code points: 255 emoji are 510 UTF-16 units and still allowed.
    assert.doesNotThrow(() => buildDigestRequest([{ name: "🚢".repeat(255), size: 1, sha256: A }]));
  });

  it("refuses no files and more than 100 files", async () => {
    const none = await apiError(() => buildDigestRequest([]));
    assert.equal(none.status, 0);
    const tooMany = Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ name: `f${i}`, size: 1, sha256: A }));
    const error = await apiError(() => buildDigestRequest(tooMany));
    assert.equal(error.title, "Too many files");
    assert.match(error.detail, /101/);
    assert.deepEqual(error.errors.map((e) => e.pointer), ["/files"]);
  });

  it("reports every invalid field with a JSON pointer", async () => {
    const error = await apiError(() =>
      buildDigestRequest([
        { name: "", size: -1, sha256: A.toUpperCase() },
        { name: "x".repeat(256), size: 1.5, sha256: "abc" },
        { name: "ok", size: Number.MAX_SAFE_INTEGER + 1, sha256: A },
      ]),
    );
    assert.equal(error.status, 0);
    assert.deepEqual(
      error.errors.map((e) => e.pointer),
      ["/files/0/name", "/files/0/size", "/files/0/sha256", "/files/1/name", "/files/1/size", "/files/1/sha256", "/files/2/size"],
    );
  });
});

describe("submitDigests", () => {
  it("posts to the endpoint and returns the receipt", async () => {
    const { fetch, calls } = fakeFetch(() => json(201, receipt));
    assert.deepEqual(await submitDigests(files, { fetch }), receipt);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].url, DIGESTS_ENDPOINT);
    assert.equal(calls[0].init.method, "POST");
    assert.equal(calls[0].init.headers["Content-Type"], "application/json");
    assert.deepEqual(JSON.parse(calls[0].init.body), { files });
  });

  it("does not call fetch for invalid input", async () => {
    const { fetch, calls } = fakeFetch(() => json(201, receipt));
    await apiError(() => submitDigests([{ name: "a", size: 1, sha256: "nope" }], { fetch }));
    assert.equal(calls.length, 0);
  });

  it("turns a problem+json answer into an ApiError with its fields and pointers", async () => {
    const problem = {
      type: "https://ferry.example/problems/invalid",
      title: "Invalid digests",
      status: 400,
      detail: "One digest is malformed.",
      errors: [{ pointer: "/files/1/sha256", detail: "must be 64 lowercase hex" }, { detail: "no pointer" }, "junk"],
    };
    const { fetch } = fakeFetch(() => json(400, problem, "application/problem+json; charset=utf-8"));
    const error = await apiError(() => submitDigests(files, { fetch }));
    assert.equal(error.status, 400);
    assert.equal(error.title, "Invalid digests");
    assert.equal(error.detail, "One digest is malformed.");
    assert.equal(error.type, problem.type);
    assert.deepEqual(error.errors, [
      { pointer: "/files/1/sha256", detail: "must be 64 lowercase hex" },
      { pointer: "", detail: "no pointer" },
    ]);
    assert.equal(error.message, "Invalid digests: One digest is malformed.");
  });

  it("fills a sparse problem from the HTTP status", async () => {
    for (const [status, title] of [[413, "Content Too Large"], [415, "Unsupported Media Type"]]) {
      const { fetch } = fakeFetch(() => json(status, {}, "application/problem+json"));
      const error = await apiError(() => submitDigests(files, { fetch }));
      assert.equal(error.status, status);
      assert.equal(error.title, title);
      assert.deepEqual(error.errors, []);
    }
  });

  it("explains an error answer that is not JSON, such as a proxy's HTML page", async () => {
    const { fetch } = fakeFetch(
      () => new Response("<html>bad gateway</html>", { status: 502, headers: { "Content-Type": "text/html" } }),
    );
    const error = await apiError(() => submitDigests(files, { fetch }));
    assert.equal(error.status, 502);
    assert.equal(error.title, "Bad Gateway");
    assert.equal(error.detail, "The server answered with HTTP status 502.");
  });

  it("uses statusText or the number for statuses it has no title for", async () => {
    const { fetch } = fakeFetch(() => new Response("", { status: 418, statusText: "I'm a teapot" }));
    assert.equal((await apiError(() => submitDigests(files, { fetch }))).title, "I'm a teapot");
    const bare = fakeFetch(() => new Response("", { status: 499 }));
    assert.equal((await apiError(() => submitDigests(files, { fetch: bare.fetch }))).title, "HTTP error 499");
  });

  it("refuses a success answer that is not a receipt", async () => {
    for (const answer of [
      () => new Response("not json", { status: 201, headers: { "Content-Type": "application/json" } }),
      () => new Response(JSON.stringify(receipt), { status: 201, headers: { "Content-Type": "text/plain" } }),
      () => json(201, { ...receipt, count: "2" }),
      () => json(201, { ...receipt, files: [{ name: "a", size: "1", sha256: A }] }),
      () => json(201, [receipt]),
    ]) {
      const error = await apiError(() => submitDigests(files, { fetch: fakeFetch(answer).fetch }));
      assert.equal(error.title, "Unexpected answer");
      assert.equal(error.status, 201);
    }
  });

  it("keeps only the receipt's known fields", async () => {
    const { fetch } = fakeFetch(() => json(201, { ...receipt, extra: 1, files: [{ ...files[0], more: true }] }));
    const result = await submitDigests(files, { fetch });
    assert.deepEqual(Object.keys(result).sort(), ["count", "files", "receipt", "receivedAt", "totalBytes"]);
    assert.deepEqual(result.files, [files[0]]);
  });

  it("reports a network failure as status 0 with the cause kept", async () => {
    const cause = new TypeError("fetch failed");
    const error = await apiError(() =>
      submitDigests(files, {
        fetch: async () => {
          throw cause;
        },
      }),
    );
    assert.equal(error.status, 0);
    assert.equal(error.title, "Network error");
    assert.equal(error.cause, cause);
  });

  it("rethrows the abort reason, not an ApiError, when the caller aborts", async () => {
    const controller = new AbortController();
    const reason = new DOMException("cancelled", "AbortError");
    const fetch = async (_url, init) => {
      assert.equal(init.signal, controller.signal);
      controller.abort(reason);
      throw reason;
    };
    await assert.rejects(submitDigests(files, { fetch, signal: controller.signal }), (error) => error === reason);
  });
});

describe("parseReceiptResponse and mediaType", () => {
  it("reads media types without parameters, case-insensitively", () => {
    assert.equal(mediaType("Application/Problem+JSON; charset=utf-8"), "application/problem+json");
    assert.equal(mediaType(null), "");
  });

  it("accepts any 2xx with a receipt", async () => {
    assert.deepEqual(await parseReceiptResponse(json(200, receipt)), receipt);
  });
});

describe("describePointer", () => {
  const sent = [{ name: "a.txt" }, { name: "b/c.bin" }];
  it("names the file and the field", () => {
    assert.equal(describePointer("/files/0/sha256", sent), "“a.txt” (file 1): SHA-256");
    assert.equal(describePointer("/files/1/name", sent), "“b/c.bin” (file 2): name");
    assert.equal(describePointer("/files/1/size", sent), "“b/c.bin” (file 2): size");
    assert.equal(describePointer("/files/1", sent), "“b/c.bin” (file 2)");
  });

  it("falls back to numbers, the list, or the pointer itself", () => {
    assert.equal(describePointer("/files/7/sha256", sent), "File 8: SHA-256");
    assert.equal(describePointer("/files/0/owner", sent), "“a.txt” (file 1): owner");
    assert.equal(describePointer("/files"), "File list");
    assert.equal(describePointer(""), "Request");
    assert.equal(describePointer("/files/01/name", sent), "/files/01/name");
    assert.equal(describePointer("/other/0"), "/other/0");
  });

  it("unescapes JSON pointer tokens", () => {
    assert.equal(describePointer("/files/0/a~1b~0c", sent), "“a.txt” (file 1): a/b~c");
  });
});
