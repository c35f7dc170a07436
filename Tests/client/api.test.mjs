// Unit tests for Public/js/api.js with a fake fetch and real Response objects.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { fakeFetch, problemOf } from "./fake-fetch.mjs";

import {
  API_BASE,
  ApiProblem,
  SIGN_IN_URL,
  createApi,
  isUnauthenticated,
  parseRetryAfter,
  problemSlug,
  signInURL,
} from "../../Public/js/api.js";

const TEAM = "0b5e6a52-5a8b-4d7e-9d3e-3f1c2b1a0e01";
const USER = "7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5";
const TOKEN = "11111111-2222-4333-8444-555555555555";
const INVITE = "99999999-8888-4777-8666-555555555555";

const me = {
  user: { id: USER, email: "ada@example.com", displayName: "Ada", isAdmin: false, disabled: false, createdAt: "2026-01-01T00:00:00Z" },
  teams: [{ id: TEAM, name: "Crew", role: "owner" }],
  via: "session",
  scopes: ["read", "write", "admin"],
};

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

const problem = (status, slug, extra = {}, headers = {}) =>
  new Response(
    JSON.stringify({ type: `/problems/${slug}`, title: `Title of ${slug}`, status, detail: `Detail of ${slug}`, instance: "/api/v1/x", ...extra }),
    { status, headers: { "Content-Type": "application/problem+json", ...headers } },
  );


describe("createApi requests", () => {
  // [call, method, path, body or undefined, what the fake answers]
  const cases = [
    ["me", (api) => api.me(), "GET", "/me", undefined, () => json(200, me)],
    ["updateMe", (api) => api.updateMe({ displayName: "Ada L." }), "PATCH", "/me", { displayName: "Ada L." }, () => json(200, me)],
    ["signOut", (api) => api.signOut(), "DELETE", "/session", undefined],
    ["signOutEverywhere", (api) => api.signOutEverywhere(), "DELETE", "/me/sessions", undefined],
    [
      "changePassword",
      (api) => api.changePassword({ currentPassword: "old password!", newPassword: "new password!" }),
      "PUT",
      "/me/password",
      { currentPassword: "old password!", newPassword: "new password!" },
    ],
    ["listTokens", (api) => api.listTokens(), "GET", "/me/tokens", undefined, () => json(200, { tokens: [] })],
    [
      "createToken",
      (api) => api.createToken({ name: "ci", scopes: ["read", "write"], expiresInDays: 30 }),
      "POST",
      "/me/tokens",
      { name: "ci", scopes: ["read", "write"], expiresInDays: 30 },
      () => json(201, { id: TOKEN }),
    ],
    ["revokeToken", (api) => api.revokeToken(TOKEN), "DELETE", `/me/tokens/${TOKEN}`, undefined],
    ["listTeams", (api) => api.listTeams(), "GET", "/teams", undefined, () => json(200, { teams: [] })],
    ["team", (api) => api.team(TEAM), "GET", `/teams/${TEAM}`, undefined, () => json(200, { id: TEAM })],
    ["members", (api) => api.members(TEAM), "GET", `/teams/${TEAM}/members`, undefined, () => json(200, { members: [] })],
    ["invites", (api) => api.invites(TEAM), "GET", `/teams/${TEAM}/invites`, undefined, () => json(200, { invites: [] })],
    [
      "createInvite",
      (api) => api.createInvite(TEAM, { role: "member", maxUses: 5, expiresInHours: 48 }),
      "POST",
      `/teams/${TEAM}/invites`,
      { role: "member", maxUses: 5, expiresInHours: 48 },
      () => json(201, { id: INVITE }),
    ],
    ["revokeInvite", (api) => api.revokeInvite(TEAM, INVITE), "DELETE", `/teams/${TEAM}/invites/${INVITE}`, undefined],
    [
      "setRole",
      (api) => api.setRole(TEAM, USER, "owner"),
      "PATCH",
      `/teams/${TEAM}/members/${USER}`,
      { role: "owner" },
      () => json(200, { role: "owner" }),
    ],
    ["removeMember", (api) => api.removeMember(TEAM, USER), "DELETE", `/teams/${TEAM}/members/${USER}`, undefined],
  ];

  for (const [name, call, method, path, body, answer] of cases) {
    it(`${name} sends ${method} ${path}`, async () => {
      const { fetch, calls } = fakeFetch(answer);
      await call(createApi({ fetch }));
      assert.equal(calls.length, 1);
      const [{ url, init }] = calls;
      assert.equal(url, `/api/v1${path}`);
      assert.equal(init.method, method);
      assert.equal(init.credentials, "same-origin");
      assert.match(init.headers.Accept, /^application\/json\b/);
      assert.match(init.headers.Accept, /application\/problem\+json/);
      if (body === undefined) {
        assert.equal(init.body, undefined);
        assert.equal(init.headers["Content-Type"], undefined, "no body, no Content-Type");
      } else {
        assert.equal(init.headers["Content-Type"], "application/json");
        assert.deepEqual(JSON.parse(init.body), body);
      }
    });
  }

  it("uses /api/v1 by default and any other base without doubling slashes", async () => {
    assert.equal(API_BASE, "/api/v1");
    const { fetch, calls } = fakeFetch(() => json(200, me));
    await createApi({ fetch, base: "https://ferry.example/api/v2/" }).me();
    assert.equal(calls[0].url, "https://ferry.example/api/v2/me");
  });

  it("escapes ids in paths", async () => {
    const { fetch, calls } = fakeFetch();
    await createApi({ fetch }).removeMember("a/b", "c?d#e");
    assert.equal(calls[0].url, "/api/v1/teams/a%2Fb/members/c%3Fd%23e");
  });

  it("leaves optional fields out when they are not given", async () => {
    const { fetch, calls } = fakeFetch(() => json(201, {}));
    const api = createApi({ fetch });
    await api.createToken({ name: "forever", scopes: ["read"] });
    await api.createToken({ name: "forever", scopes: ["read"], expiresInDays: null });
    await api.createInvite(TEAM, { role: "owner" });
    assert.deepEqual(JSON.parse(calls[0].init.body), { name: "forever", scopes: ["read"] });
    assert.deepEqual(JSON.parse(calls[1].init.body), { name: "forever", scopes: ["read"] });
    assert.deepEqual(JSON.parse(calls[2].init.body), { role: "owner" });
  });

  it("passes an abort signal through", async () => {
    const controller = new AbortController();
    const { fetch, calls } = fakeFetch(() => json(200, { members: [] }));
    await createApi({ fetch }).members(TEAM, { signal: controller.signal });
    assert.equal(calls[0].init.signal, controller.signal);
  });
});

describe("createApi answers", () => {
  it("returns the parsed body of a 2xx answer", async () => {
    const { fetch } = fakeFetch(() => json(200, me));
    assert.deepEqual(await createApi({ fetch }).me(), me);
  });

  it("returns null for 204 and for an empty 2xx", async () => {
    const api204 = createApi({ fetch: fakeFetch(() => new Response(null, { status: 204 })).fetch });
    assert.equal(await api204.signOut(), null);
    assert.equal(await api204.revokeToken(TOKEN), null);
    const empty = createApi({ fetch: fakeFetch(() => new Response("", { status: 200 })).fetch });
    assert.equal(await empty.signOutEverywhere(), null);
  });

  it("unwraps the lists", async () => {
    const tokens = [{ id: TOKEN, name: "ci" }];
    const teams = [{ id: TEAM, name: "Crew", role: "member" }];
    const members = [{ user: { id: USER }, role: "owner" }];
    const invites = [{ id: INVITE }];
    const api = createApi({
      fetch: fakeFetch((url) => {
        if (url.endsWith("/me/tokens")) return json(200, { tokens });
        if (url.endsWith("/members")) return json(200, { members });
        if (url.endsWith("/invites")) return json(200, { invites });
        return json(200, { teams });
      }).fetch,
    });
    assert.deepEqual(await api.listTokens(), tokens);
    assert.deepEqual(await api.listTeams(), teams);
    assert.deepEqual(await api.members(TEAM), members);
    assert.deepEqual(await api.invites(TEAM), invites);
  });

  it("refuses a list answer without its list", async () => {
    const api = createApi({ fetch: fakeFetch(() => json(200, { teams: "nope" })).fetch });
    const error = await problemOf(() => api.listTeams());
    assert.equal(error.slug, "unexpected-answer");
  });

  it("refuses a 2xx answer that is not JSON", async () => {
    const api = createApi({
      fetch: fakeFetch(() => new Response("<html></html>", { status: 200, headers: { "Content-Type": "text/html" } })).fetch,
    });
    const error = await problemOf(() => api.me());
    assert.equal(error.status, 200);
    assert.equal(error.slug, "unexpected-answer");
    assert.equal(error.unauthenticated, false);
  });
});

describe("ApiProblem mapping", () => {
  it("carries the problem's fields, the slug and the field errors", async () => {
    const { fetch } = fakeFetch(() =>
      problem(400, "invalid-request", {
        errors: [{ pointer: "/name", detail: "must be 1 to 100 characters" }, { detail: "no pointer" }, "junk", { pointer: "/x" }],
      }),
    );
    const error = await problemOf(() => createApi({ fetch }).createToken({ name: "", scopes: ["read"] }));
    assert.equal(error.status, 400);
    assert.equal(error.type, "/problems/invalid-request");
    assert.equal(error.slug, "invalid-request");
    assert.equal(error.title, "Title of invalid-request");
    assert.equal(error.detail, "Detail of invalid-request");
    assert.equal(error.instance, "/api/v1/x");
    assert.deepEqual(error.errors, [
      { pointer: "/name", detail: "must be 1 to 100 characters" },
      { pointer: "", detail: "no pointer" },
    ]);
    assert.equal(error.retryAfter, null);
    assert.equal(error.unauthenticated, false);
    assert.equal(error.message, "Title of invalid-request: Detail of invalid-request");
    assert.ok(error instanceof Error);
  });

  it("reads Retry-After in seconds", async () => {
    const { fetch } = fakeFetch(() => problem(429, "too-many-attempts", {}, { "Retry-After": "120" }));
    const error = await problemOf(() => createApi({ fetch }).me());
    assert.equal(error.status, 429);
    assert.equal(error.slug, "too-many-attempts");
    assert.equal(error.retryAfter, 120);
  });

  it("reads Retry-After as an HTTP date", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    assert.equal(parseRetryAfter("Sun, 01 Mar 2026 12:01:30 GMT", now), 90);
    assert.equal(parseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now), 0);
    assert.equal(parseRetryAfter(" 7 ", now), 7);
    assert.equal(parseRetryAfter("soon", now), null);
    assert.equal(parseRetryAfter("-5", now), null);
    assert.equal(parseRetryAfter(null, now), null);
  });

  it("marks a 401 unauthenticated, and only that 401", async () => {
    const signedOut = await problemOf(() => createApi({ fetch: fakeFetch(() => problem(401, "unauthenticated")).fetch }).me());
    assert.equal(signedOut.status, 401);
    assert.equal(signedOut.unauthenticated, true);
    assert.equal(isUnauthenticated(signedOut), true);

    // A bare 401 (a proxy, no problem body) also means the session is gone.
    const bare = await problemOf(() => createApi({ fetch: fakeFetch(() => new Response("", { status: 401 })).fetch }).me());
    assert.equal(bare.unauthenticated, true);
    assert.equal(bare.title, "Unauthorized");

    // A wrong current password is a form error, not a lost session.
    const wrong = await problemOf(() =>
      createApi({ fetch: fakeFetch(() => problem(401, "wrong-password")).fetch }).changePassword({
        currentPassword: "x",
        newPassword: "y",
      }),
    );
    assert.equal(wrong.status, 401);
    assert.equal(wrong.unauthenticated, false);
    assert.equal(isUnauthenticated(wrong), false);

    const forbidden = await problemOf(() => createApi({ fetch: fakeFetch(() => problem(403, "forbidden")).fetch }).invites(TEAM));
    assert.equal(forbidden.unauthenticated, false);
    assert.equal(isUnauthenticated(new Error("401")), false);
    assert.equal(SIGN_IN_URL, "/sign-in?next=/");
  });

  it("fills a sparse or non-JSON error answer from the status", async () => {
    const sparse = await problemOf(() =>
      createApi({ fetch: fakeFetch(() => new Response("{}", { status: 409, headers: { "Content-Type": "application/problem+json" } })).fetch }).me(),
    );
    assert.equal(sparse.title, "Conflict");
    assert.equal(sparse.slug, "");
    assert.equal(sparse.detail, "");
    const html = await problemOf(() =>
      createApi({ fetch: fakeFetch(() => new Response("<h1>bad</h1>", { status: 502, headers: { "Content-Type": "text/html" } })).fetch }).me(),
    );
    assert.equal(html.title, "Bad Gateway");
    assert.equal(html.detail, "The server answered with HTTP status 502.");
    assert.equal(html.type, "about:blank");
  });

  it("turns a network failure into status 0 and keeps the cause", async () => {
    const cause = new TypeError("fetch failed");
    const error = await problemOf(() =>
      createApi({
        fetch: async () => {
          throw cause;
        },
      }).me(),
    );
    assert.equal(error.status, 0);
    assert.equal(error.slug, "network");
    assert.equal(error.cause, cause);
    assert.equal(error.unauthenticated, false);
  });

  it("rethrows the abort reason when the caller aborts", async () => {
    const controller = new AbortController();
    const reason = new DOMException("switched team", "AbortError");
    const fetch = async () => {
      controller.abort(reason);
      throw reason;
    };
    await assert.rejects(createApi({ fetch }).members(TEAM, { signal: controller.signal }), (error) => error === reason);
  });
});

describe("problemSlug and signInURL", () => {
  it("takes the last segment of the type", () => {
    assert.equal(problemSlug("/problems/last-owner"), "last-owner");
    assert.equal(problemSlug("https://ferry.example/problems/csrf"), "csrf");
    assert.equal(problemSlug("/problems/not-found/"), "not-found");
    assert.equal(problemSlug("/problems/x?lang=en#top"), "x");
    assert.equal(problemSlug("about:blank"), "");
    assert.equal(problemSlug(""), "");
    assert.equal(problemSlug(undefined), "");
  });

  it("builds a sign-in link back to a local path only", () => {
    assert.equal(signInURL(), "/sign-in?next=/");
    assert.equal(signInURL("/teams/a b?x=1"), "/sign-in?next=/teams/a%20b%3Fx%3D1");
    assert.equal(signInURL("//evil.example/"), "/sign-in?next=/");
    assert.equal(signInURL("https://evil.example/"), "/sign-in?next=/");
  });
});
