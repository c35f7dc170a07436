// Unit tests for Public/js/http.js with a fake fetch and real Response objects.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { fakeFetch, problemOf } from "./fake-fetch.mjs";

import { ApiProblem as ApiProblemFromApi } from "../../Public/js/api.js";
import {
  API_BASE,
  ApiProblem,
  JSON_ACCEPT,
  createHttp,
  isJSONMediaType,
  mediaType,
  readJSONBody,
  readProblem,
} from "../../Public/js/http.js";


describe("createHttp requests", () => {
  it("sends bytes as they are, with the caller's headers and the cookie", async () => {
    const { fetch, calls } = fakeFetch(() => new Response(null, { status: 204, headers: { "Upload-Offset": "5" } }));
    const chunk = new Uint8Array([1, 2, 3, 4, 5]);
    const headers = { "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0", "Tus-Resumable": "1.0.0" };
    const response = await createHttp({ fetch }).send("PATCH", "/uploads/abc", { headers, body: chunk });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get("upload-offset"), "5");
    const [{ url, init }] = calls;
    assert.equal(url, "/api/v1/uploads/abc");
    assert.equal(init.method, "PATCH");
    assert.equal(init.credentials, "same-origin");
    assert.equal(init.body, chunk, "the very bytes, not a copy or JSON");
    assert.deepEqual(init.headers, headers);
    assert.notEqual(init.headers, headers, "the caller's object is not handed to fetch");
    assert.equal(init.duplex, undefined);
  });

  it("sends a stream half-duplex, as fetch requires", async () => {
    const { fetch, calls } = fakeFetch(() => new Response(null, { status: 204 }));
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array([9]));
        controller.close();
      },
    });
    await createHttp({ fetch }).send("POST", "/uploads", { body });
    assert.equal(calls[0].init.body, body);
    assert.equal(calls[0].init.duplex, "half");
  });

  it("sends no body and no headers it was not given", async () => {
    const { fetch, calls } = fakeFetch();
    await createHttp({ fetch }).send("DELETE", "/uploads/abc");
    assert.equal(calls[0].init.body, undefined);
    assert.deepEqual(calls[0].init.headers, {});
  });

  it("uses /api/v1 by default and any other base without doubling slashes", async () => {
    assert.equal(API_BASE, "/api/v1");
    const { fetch, calls } = fakeFetch();
    const http = createHttp({ fetch, base: "https://ferry.example/api/v2/" });
    await http.send("GET", "/health");
    assert.equal(calls[0].url, "https://ferry.example/api/v2/health");
    assert.equal(http.base, "https://ferry.example/api/v2");
  });

  it("hands back the response unread, so a download can stream it", async () => {
    const bytes = new Uint8Array([0, 255, 1, 254]);
    const { fetch } = fakeFetch(
      () => new Response(bytes, { status: 206, headers: { "Content-Type": "application/octet-stream", "Content-Range": "bytes 0-3/10" } }),
    );
    const response = await createHttp({ fetch }).send("GET", "/files/x", { headers: { Range: "bytes=0-3" } });
    assert.equal(response.bodyUsed, false);
    assert.equal(response.headers.get("content-range"), "bytes 0-3/10");
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), bytes);
  });

  it("passes an abort signal through, and rejects with its reason when aborted", async () => {
    const controller = new AbortController();
    const { fetch, calls } = fakeFetch(() => {
      controller.abort(new Error("stopped by the user"));
      throw new DOMException("aborted", "AbortError");
    });
    await assert.rejects(createHttp({ fetch }).send("GET", "/x", { signal: controller.signal }), /stopped by the user/);
    assert.equal(calls[0].init.signal, controller.signal);
  });
});

describe("createHttp answers", () => {
  it("turns an error answer into its problem, with the answer's headers", async () => {
    const { fetch } = fakeFetch(
      () =>
        new Response(
          JSON.stringify({ type: "/problems/offset-mismatch", title: "Conflict", status: 409, detail: "The upload is at 5." }),
          { status: 409, headers: { "Content-Type": "application/problem+json", "Upload-Offset": "5" } },
        ),
    );
    const error = await problemOf(() => createHttp({ fetch }).send("PATCH", "/uploads/abc", { body: "x" }));
    assert.equal(error.status, 409);
    assert.equal(error.slug, "offset-mismatch");
    assert.equal(error.detail, "The upload is at 5.");
    assert.equal(error.headers.get("upload-offset"), "5");
    assert.ok(error instanceof ApiProblemFromApi, "api.js and http.js share one problem type");
  });

  it("gives a problem from the status when the error answer is not a problem", async () => {
    const { fetch } = fakeFetch(() => new Response("checksum mismatch", { status: 460, headers: { "Content-Type": "text/plain" } }));
    const error = await problemOf(() => createHttp({ fetch }).send("PATCH", "/uploads/abc"));
    assert.equal(error.status, 460);
    assert.equal(error.title, "Checksum Mismatch");
    assert.equal(error.slug, "");
    assert.match(error.detail, /460/);
  });

  it("reads Retry-After into the problem", async () => {
    const { fetch } = fakeFetch(
      () => new Response("{}", { status: 429, headers: { "Content-Type": "application/problem+json", "Retry-After": "7" } }),
    );
    const error = await problemOf(() => createHttp({ fetch }).send("POST", "/session"));
    assert.equal(error.retryAfter, 7);
    assert.equal(error.title, "Too Many Requests");
  });

  it("answers statuses the caller accepts instead of rejecting", async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 404 }));
    const response = await createHttp({ fetch }).send("HEAD", "/uploads/gone", { accept: (status) => status === 404 || status < 300 });
    assert.equal(response.status, 404);
  });

  it("rejects with a network problem when there is no answer", async () => {
    const cause = new TypeError("Failed to fetch");
    const error = await problemOf(() =>
      createHttp({
        fetch: async () => {
          throw cause;
        },
      }).send("GET", "/x"),
    );
    assert.equal(error.status, 0);
    assert.equal(error.slug, "network");
    assert.equal(error.cause, cause);
    assert.equal(error.headers, null);
  });
});

describe("http helpers", () => {
  it("reads media types without parameters, in lower case", () => {
    assert.equal(mediaType("Application/Problem+JSON; charset=utf-8"), "application/problem+json");
    assert.equal(mediaType(null), "");
    assert.ok(isJSONMediaType("application/json"));
    assert.ok(isJSONMediaType("application/problem+json"));
    assert.ok(!isJSONMediaType("application/offset+octet-stream"));
    assert.ok(!isJSONMediaType("text/html"));
  });

  it("reads a JSON body, an empty one, and one that is not JSON", async () => {
    const json = (text, type = "application/json") => new Response(text, { headers: { "Content-Type": type } });
    assert.deepEqual(await readJSONBody(json('{"a":1}')), { empty: false, value: { a: 1 } });
    assert.deepEqual(await readJSONBody(json("")), { empty: true, value: undefined });
    assert.deepEqual(await readJSONBody(json("{nope")), { empty: false, value: undefined });
    assert.deepEqual(await readJSONBody(json('{"a":1}', "text/plain")), { empty: false, value: undefined });
  });

  it("reads a problem with its field errors", async () => {
    const response = new Response(
      JSON.stringify({
        type: "/problems/invalid-request",
        title: "Bad Request",
        status: 400,
        detail: "The request has 2 invalid members.",
        errors: [{ pointer: "/name", detail: "Too long." }, { detail: "No pointer." }, "junk"],
      }),
      { status: 400, headers: { "Content-Type": "application/problem+json" } },
    );
    const problem = await readProblem(response);
    assert.equal(problem.slug, "invalid-request");
    assert.deepEqual(problem.errors, [
      { pointer: "/name", detail: "Too long." },
      { pointer: "", detail: "No pointer." },
    ]);
  });

  it("asks for JSON or a problem", () => {
    assert.match(JSON_ACCEPT, /^application\/json\b/);
    assert.match(JSON_ACCEPT, /application\/problem\+json/);
  });
});
