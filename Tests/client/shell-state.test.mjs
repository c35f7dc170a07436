// Unit tests for Public/js/shell-state.js: the team switcher rule, member order, token wording,
// what the page may show, and the token form.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ApiProblem } from "../../Public/js/api.js";
import {
  TEAM_STORAGE_KEY,
  chooseTeam,
  describeProblem,
  fieldForPointer,
  formatExpiry,
  formatScopes,
  initialState,
  isExpired,
  parseTokenForm,
  permissions,
  readStoredTeam,
  roleLabel,
  selectedTeam,
  sortMembers,
  storeTeam,
  teamAdminPath,
  withMe,
  withMembers,
  withTeam,
  withToken,
  withTokens,
  withoutTeam,
  withoutToken,
} from "../../Public/js/shell-state.js";

const crew = { id: "team-crew", name: "Crew", role: "owner" };
const dock = { id: "team-dock", name: "Dock", role: "member" };
const yard = { id: "team-yard", name: "Yard", role: null };

/** @returns {import("../../Public/js/api.js").Me} */
const makeMe = ({ teams = [crew, dock], isAdmin = false, via = "session", scopes = ["read", "write", "admin"] } = {}) => ({
  user: { id: "user-ada", email: "ada@example.com", displayName: "Ada", isAdmin, disabled: false, createdAt: "2026-01-01T00:00:00Z" },
  teams,
  via,
  scopes,
});

/** An in-memory Storage, with a log of writes. */
function memoryStorage(initial = {}) {
  const map = new Map(Object.entries(initial));
  const writes = [];
  return {
    map,
    writes,
    getItem: (key) => (map.has(key) ? map.get(key) : null),
    setItem: (key, value) => {
      writes.push(["set", key, value]);
      map.set(key, String(value));
    },
    removeItem: (key) => {
      writes.push(["remove", key]);
      map.delete(key);
    },
  };
}

const throwingStorage = {
  getItem() {
    throw new DOMException("denied", "SecurityError");
  },
  setItem() {
    throw new DOMException("full", "QuotaExceededError");
  },
  removeItem() {
    throw new DOMException("denied", "SecurityError");
  },
};

const member = (id, displayName, role, email = `${id}@example.com`) => ({
  user: { id, email, displayName },
  role,
  joinedAt: "2026-01-02T00:00:00Z",
});

describe("team switcher rule", () => {
  it("uses the key ferry.team", () => {
    assert.equal(TEAM_STORAGE_KEY, "ferry.team");
  });

  it("keeps the stored team while the user still has it", () => {
    const storage = memoryStorage({ "ferry.team": dock.id });
    const state = withMe(initialState(), makeMe(), storage);
    assert.equal(state.teamID, dock.id);
    assert.deepEqual(selectedTeam(state), dock);
    assert.equal(storage.map.get("ferry.team"), dock.id);
  });

  it("falls back to the first team when the stored one is gone, and remembers that", () => {
    const storage = memoryStorage({ "ferry.team": "team-deleted" });
    const state = withMe(initialState(), makeMe(), storage);
    assert.equal(state.teamID, crew.id);
    assert.equal(storage.map.get("ferry.team"), crew.id);
  });

  it("selects the first team when nothing is stored", () => {
    assert.equal(withMe(initialState(), makeMe({ teams: [dock, crew] }), memoryStorage()).teamID, dock.id);
  });

  it("selects no team when the user has none, and leaves the storage alone", () => {
    const storage = memoryStorage({ "ferry.team": crew.id });
    const state = withMe(initialState(), makeMe({ teams: [] }), storage);
    assert.equal(state.teamID, null);
    assert.equal(selectedTeam(state), null);
    assert.deepEqual(state.teams, []);
    assert.deepEqual(storage.writes, []);
  });

  it("chooseTeam is the rule on its own", () => {
    assert.equal(chooseTeam([crew, dock], dock.id), dock.id);
    assert.equal(chooseTeam([crew, dock], "gone"), crew.id);
    assert.equal(chooseTeam([crew, dock], null), crew.id);
    assert.equal(chooseTeam([], crew.id), null);
  });

  it("works with a storage that throws or is missing", () => {
    assert.equal(readStoredTeam(throwingStorage), null);
    assert.doesNotThrow(() => storeTeam(throwingStorage, crew.id));
    assert.equal(withMe(initialState(), makeMe(), throwingStorage).teamID, crew.id);
    assert.equal(withMe(initialState(), makeMe(), null).teamID, crew.id);
    assert.equal(readStoredTeam(memoryStorage({ "ferry.team": "" })), null);
  });

  it("switching stores the team and drops the other team's members", () => {
    const storage = memoryStorage();
    let state = withMe(initialState(), makeMe(), storage);
    state = withMembers(state, crew.id, [member("u1", "Bo", "member")]);
    assert.equal(state.membersTeamID, crew.id);
    state = withTeam(state, dock.id, storage);
    assert.equal(state.teamID, dock.id);
    assert.deepEqual(state.members, []);
    assert.equal(state.membersTeamID, null);
    assert.equal(storage.map.get("ferry.team"), dock.id);
  });

  it("ignores a switch to a team the user does not have", () => {
    const storage = memoryStorage();
    const before = withMe(initialState(), makeMe(), storage);
    const after = withTeam(before, "team-other", storage);
    assert.equal(after, before);
    assert.equal(storage.map.get("ferry.team"), crew.id);
  });

  it("ignores members that arrive for a team no longer selected", () => {
    const storage = memoryStorage();
    let state = withMe(initialState(), makeMe(), storage);
    state = withTeam(state, dock.id, storage);
    const stale = withMembers(state, crew.id, [member("u1", "Bo", "owner")]);
    assert.equal(stale, state);
    const fresh = withMembers(state, dock.id, [member("u2", "Cy", "member")]);
    assert.deepEqual(fresh.members.map((m) => m.user.id), ["u2"]);
    assert.equal(fresh.membersTeamID, dock.id);
  });

  it("a team that is gone leaves the switcher and the selection falls back", () => {
    const storage = memoryStorage({ "ferry.team": dock.id });
    let state = withMe(initialState(), makeMe({ teams: [crew, dock, yard] }), storage);
    assert.equal(state.teamID, dock.id);
    state = withoutTeam(state, dock.id, storage);
    assert.deepEqual(state.teams.map((t) => t.id), [crew.id, yard.id]);
    assert.equal(state.teamID, crew.id);
    assert.equal(storage.map.get("ferry.team"), crew.id);
    // Removing another team keeps the selection.
    state = withoutTeam(state, yard.id, storage);
    assert.equal(state.teamID, crew.id);
    // Removing the last one leaves none.
    state = withoutTeam(state, crew.id, storage);
    assert.equal(state.teamID, null);
    assert.deepEqual(state.teams, []);
  });

  it("never changes the state it is given", () => {
    const storage = memoryStorage();
    const start = initialState();
    const frozen = Object.freeze({ ...start, teams: Object.freeze([]) });
    const next = withMe(frozen, makeMe(), storage);
    assert.notEqual(next, frozen);
    assert.equal(frozen.me, null);
    assert.equal(frozen.teamID, null);
  });
});

describe("sortMembers", () => {
  it("puts owners first, then orders by display name in the locale", () => {
    const sorted = sortMembers([
      member("u1", "zoë", "member"),
      member("u2", "Émile", "member"),
      member("u3", "Yann", "owner"),
      member("u4", "adam", "member"),
      member("u5", "Bea", "owner"),
    ]);
    assert.deepEqual(
      sorted.map((m) => m.user.displayName),
      ["Bea", "Yann", "adam", "Émile", "zoë"],
    );
  });

  it("breaks ties by email and leaves the input alone", () => {
    const input = [member("u1", "Sam", "member", "sam.b@example.com"), member("u2", "Sam", "member", "sam.a@example.com")];
    const sorted = sortMembers(input);
    assert.deepEqual(sorted.map((m) => m.user.email), ["sam.a@example.com", "sam.b@example.com"]);
    assert.deepEqual(input.map((m) => m.user.id), ["u1", "u2"]);
    assert.notEqual(sorted, input);
  });

  it("is applied when members arrive", () => {
    const storage = memoryStorage();
    const state = withMembers(withMe(initialState(), makeMe(), storage), crew.id, [
      member("u1", "Ana", "member"),
      member("u2", "Zed", "owner"),
    ]);
    assert.deepEqual(state.members.map((m) => m.user.displayName), ["Zed", "Ana"]);
  });

  it("labels roles", () => {
    assert.equal(roleLabel("owner"), "Owner");
    assert.equal(roleLabel("member"), "Member");
    assert.equal(roleLabel(null), "Not a member");
  });
});

describe("token wording", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  const later = (ms) => new Date(now + ms).toISOString();
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;

  it("formats scopes least first, whatever the order given", () => {
    assert.equal(formatScopes(["admin", "read", "write"]), "read, write, admin");
    assert.equal(formatScopes(["write"]), "write");
    assert.equal(formatScopes(["read", "read"]), "read");
    assert.equal(formatScopes(["zeta", "read"]), "read, zeta");
    assert.equal(formatScopes([]), "no scopes");
  });

  it("formats expiry", () => {
    assert.equal(formatExpiry(null, now), "never expires");
    assert.equal(formatExpiry(undefined, now), "never expires");
    assert.equal(formatExpiry(later(3 * DAY), now), "expires in 3 days");
    // A moment after creation a 3-day token still says 3 days.
    assert.equal(formatExpiry(later(3 * DAY - 5000), now), "expires in 3 days");
    assert.equal(formatExpiry(later(DAY), now), "expires in 1 day");
    assert.equal(formatExpiry(later(30 * DAY), now), "expires in 30 days");
    assert.equal(formatExpiry(later(5 * HOUR), now), "expires in 5 hours");
    assert.equal(formatExpiry(later(HOUR), now), "expires in 1 hour");
    assert.equal(formatExpiry(later(10 * 60_000), now), "expires in less than an hour");
    assert.equal(formatExpiry(later(0), now), "expired");
    assert.equal(formatExpiry(later(-DAY), now), "expired");
    assert.equal(formatExpiry("not a date", now), "expires not a date");
  });

  it("tells expired tokens apart", () => {
    assert.equal(isExpired(null, now), false);
    assert.equal(isExpired(later(1000), now), false);
    assert.equal(isExpired(later(0), now), true);
    assert.equal(isExpired(later(-1000), now), true);
  });

  it("never keeps a secret in the state", () => {
    let state = withTokens(initialState(), [{ id: "t1", name: "old", scopes: ["read"], secret: "ferry_leak" }]);
    assert.equal("secret" in state.tokens[0], false);
    state = withToken(state, { id: "t2", name: "new", scopes: ["read"], secret: "ferry_shown_once" });
    assert.deepEqual(state.tokens.map((t) => t.id), ["t2", "t1"]);
    assert.ok(state.tokens.every((t) => !("secret" in t)));
    state = withoutToken(state, "t1");
    assert.deepEqual(state.tokens.map((t) => t.id), ["t2"]);
  });
});

describe("permissions", () => {
  const withTeams = (options, teamID) => {
    const storage = memoryStorage(teamID ? { "ferry.team": teamID } : {});
    return permissions(withMe(initialState(), makeMe(options), storage));
  };

  it("lets an owner manage the team and links its admin page", () => {
    const allowed = withTeams({}, crew.id);
    assert.equal(allowed.manageTeam, true);
    assert.equal(allowed.adminLink, "/teams/team-crew/admin");
  });

  it("hides team controls from a plain member", () => {
    const member = withTeams({}, dock.id);
    assert.equal(member.manageTeam, false);
    assert.equal(member.adminLink, null);
    assert.equal(member.serverAdmin, false);
  });

  it("lets a server admin manage any team, even without a role in it", () => {
    const admin = withTeams({ isAdmin: true, teams: [dock, yard] }, yard.id);
    assert.equal(admin.manageTeam, true);
    assert.equal(admin.adminLink, "/teams/team-yard/admin");
    assert.equal(admin.serverAdmin, true);
  });

  it("offers nothing for a team when there is none", () => {
    const none = withTeams({ teams: [] });
    assert.equal(none.manageTeam, false);
    assert.equal(none.adminLink, null);
    assert.equal(permissions(initialState()).manageTokens, false);
  });

  it("lets a session, or an admin-scoped token, manage API tokens", () => {
    assert.equal(withTeams({ via: "session" }).manageTokens, true);
    assert.equal(withTeams({ via: "token", scopes: ["read", "write", "admin"] }).manageTokens, true);
    assert.equal(withTeams({ via: "token", scopes: ["read", "write"] }).manageTokens, false);
  });

  it("escapes the team id in the admin path", () => {
    assert.equal(teamAdminPath("a/b c"), "/teams/a%2Fb%20c/admin");
  });
});

describe("parseTokenForm", () => {
  it("accepts a trimmed name, known scopes in order, and whole days", () => {
    assert.deepEqual(parseTokenForm({ name: "  ci  ", scopes: ["admin", "read"], expiresInDays: " 30 " }), {
      ok: true,
      value: { name: "ci", scopes: ["read", "admin"], expiresInDays: 30 },
    });
  });

  it("sends no expiry for an empty days field", () => {
    const parsed = parseTokenForm({ name: "forever", scopes: ["read"], expiresInDays: "" });
    assert.equal(parsed.ok, true);
    assert.equal(parsed.value.expiresInDays, null);
  });

  it("reports each bad field", () => {
    const parsed = parseTokenForm({ name: "   ", scopes: ["bogus"], expiresInDays: "1.5" });
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.errors.map((e) => e.field), ["name", "scopes", "expiresInDays"]);
    for (const days of ["0", "-3", "abc", "1e3"]) {
      const result = parseTokenForm({ name: "x", scopes: ["read"], expiresInDays: days });
      assert.equal(result.ok, false, days);
      assert.deepEqual(result.errors.map((e) => e.field), ["expiresInDays"]);
    }
  });

  it("counts the name in characters, up to 100", () => {
    assert.equal(parseTokenForm({ name: "🚢".repeat(100), scopes: ["read"], expiresInDays: "" }).ok, true);
    assert.equal(parseTokenForm({ name: "x".repeat(101), scopes: ["read"], expiresInDays: "" }).ok, false);
  });
});

describe("problems for the page", () => {
  it("maps pointers to form fields", () => {
    assert.equal(fieldForPointer("/name"), "name");
    assert.equal(fieldForPointer("/scopes/1"), "scopes");
    assert.equal(fieldForPointer("/expiresInDays"), "expiresInDays");
    assert.equal(fieldForPointer(""), "");
    assert.equal(fieldForPointer("/a~1b"), "a/b");
  });

  it("describes an ApiProblem with its field errors and the wait", () => {
    const problem = new ApiProblem({
      status: 429,
      type: "/problems/too-many-attempts",
      title: "Too many attempts",
      detail: "Slow down.",
      retryAfter: 90,
      errors: [{ pointer: "/name", detail: "is taken" }, { pointer: "", detail: "whole body" }],
    });
    assert.deepEqual(describeProblem(problem), {
      title: "Too many attempts",
      status: 429,
      detail: "Slow down. Try again in 2 minutes.",
      items: ["name: is taken", "whole body"],
    });
    const soon = new ApiProblem({ status: 429, title: "Too many attempts", retryAfter: 1 });
    assert.equal(describeProblem(soon).detail, "Try again in 1 second.");
  });

  it("describes any other error by its message", () => {
    assert.deepEqual(describeProblem(new TypeError("boom")), {
      title: "Something went wrong",
      status: 0,
      detail: "boom",
      items: [],
    });
    assert.equal(describeProblem("plain").detail, "plain");
  });
});
