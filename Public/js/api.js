/**
 * Client for Ferry's JSON API under `/api/v1` (docs/IDENTITY.md), built on the raw client of
 * http.js. Every method sends the browser's cookie (`credentials: "same-origin"`), asks for JSON
 * and, for a body, sends JSON.
 *
 * A 2xx answer resolves with its parsed body (`null` for 204); anything else rejects with an
 * {@link ApiProblem} built from the `application/problem+json` body (RFC 9457). A 401 that means
 * "not signed in" is marked {@link ApiProblem#unauthenticated}, so the page can send the user to
 * {@link SIGN_IN_URL}; a 401 for a wrong current password is not.
 *
 * @module api
 */

import {
  API_BASE,
  ApiProblem,
  JSON_ACCEPT,
  createHttp,
  parseRetryAfter,
  problemFromResponse,
  problemSlug,
  readJSONBody,
} from "./http.js";

// The problem type and its helpers live in http.js; this module's users import them from here.
export { API_BASE, ApiProblem, parseRetryAfter, problemFromResponse, problemSlug };

/** Where the shell sends a visitor whose session is gone. */
export const SIGN_IN_URL = "/sign-in?next=/";

/** @typedef {import("./http.js").FieldError} FieldError */

/**
 * @typedef {object} User
 * @property {string} id
 * @property {string} email
 * @property {string} displayName
 * @property {boolean} isAdmin
 * @property {boolean} disabled
 * @property {string} createdAt
 */

/**
 * @typedef {"owner" | "member"} Role
 */

/**
 * @typedef {object} TeamSummary
 * @property {string} id
 * @property {string} name
 * @property {Role | null} role the caller's role; null for a server admin who is not a member
 */

/**
 * @typedef {object} Team
 * @property {string} id
 * @property {string} name
 * @property {string} createdAt
 * @property {Role | null} role
 * @property {number} memberCount
 */

/**
 * @typedef {object} Me
 * @property {User} user
 * @property {TeamSummary[]} teams
 * @property {"session" | "token"} via
 * @property {string[]} scopes
 */

/**
 * @typedef {object} Member
 * @property {{ id: string, email: string, displayName: string }} user
 * @property {Role} role
 * @property {string} joinedAt
 */

/**
 * @typedef {"read" | "write" | "admin"} Scope
 */

/**
 * @typedef {object} Token
 * @property {string} id
 * @property {string} name
 * @property {Scope[]} scopes
 * @property {string} prefix
 * @property {string} createdAt
 * @property {string | null} expiresAt
 * @property {string | null} lastUsedAt
 * @property {string} [secret] only in the answer that created it
 */

/**
 * @typedef {object} Invite
 * @property {string} id
 * @property {string} teamID
 * @property {Role} role
 * @property {number} maxUses
 * @property {number} uses
 * @property {string} createdAt
 * @property {string | null} expiresAt
 * @property {string | null} revokedAt
 * @property {string} createdBy
 * @property {string} [code] only in the answer that created it
 * @property {string} [url] only in the answer that created it
 */

/**
 * @param {unknown} error
 * @returns {error is ApiProblem} true for an {@link ApiProblem} that means "sign in again"
 */
export function isUnauthenticated(error) {
  return error instanceof ApiProblem && error.unauthenticated;
}

/**
 * The sign-in page that comes back to `next` (a local path) afterwards.
 * @param {string} [next]
 */
export function signInURL(next = "/") {
  if (!next.startsWith("/") || next.startsWith("//")) next = "/";
  return `/sign-in?next=${encodeURIComponent(next).replaceAll("%2F", "/")}`;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Requires `key` of `body` to be an array and returns it.
 * @template T
 * @param {unknown} body
 * @param {string} key
 * @returns {T[]}
 */
function listOf(body, key) {
  if (isObject(body) && Array.isArray(body[key])) return /** @type {T[]} */ (body[key]);
  throw new ApiProblem({
    status: 200,
    slug: "unexpected-answer",
    title: "Unexpected answer",
    detail: `The server's answer has no “${key}” list.`,
  });
}

/**
 * Drops the members whose value is undefined or null, so optional fields are left out.
 * @param {Record<string, unknown>} fields
 */
function compact(fields) {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null));
}

/**
 * @typedef {object} RequestOptions
 * @property {unknown} [body] sent as JSON
 * @property {AbortSignal} [signal] aborting rejects with the signal's reason, not an ApiProblem
 */

/**
 * Creates the API client.
 *
 * @param {object} [options]
 * @param {typeof fetch} [options.fetch] the `fetch` to use (tests pass a fake)
 * @param {string} [options.base] the API's base path
 */
export function createApi({ fetch: fetchImpl = (input, init) => globalThis.fetch(input, init), base = API_BASE } = {}) {
  const http = createHttp({ fetch: fetchImpl, base });

  /**
   * One request: the parsed JSON of a 2xx answer, `null` for 204 (or an empty 2xx).
   * @param {string} method
   * @param {string} path below the base, starting with "/"
   * @param {RequestOptions} [options]
   * @returns {Promise<any>}
   * @throws {ApiProblem}
   */
  async function request(method, path, { body, signal } = {}) {
    /** @type {Record<string, string>} */
    const headers = { Accept: JSON_ACCEPT };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await http.send(method, path, {
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (response.status === 204) return null;
    const { empty, value } = await readJSONBody(response);
    if (empty) return null;
    if (value === undefined) {
      throw new ApiProblem({
        status: response.status,
        slug: "unexpected-answer",
        title: "Unexpected answer",
        detail: "The server's answer was not JSON.",
      });
    }
    return value;
  }

  /** @param {string} value */
  const segment = (value) => encodeURIComponent(value);
  /** @param {string} teamID */
  const teamPath = (teamID) => `/teams/${segment(teamID)}`;

  return {
    request,

    /** @returns {Promise<Me>} */
    me: () => request("GET", "/me"),

    /**
     * @param {{ displayName: string }} changes
     * @returns {Promise<Me>}
     */
    updateMe: ({ displayName }) => request("PATCH", "/me", { body: { displayName } }),

    /** Ends this browser's session. @returns {Promise<null>} */
    signOut: () => request("DELETE", "/session"),

    /** Ends every session of the user, this one included. @returns {Promise<null>} */
    signOutEverywhere: () => request("DELETE", "/me/sessions"),

    /**
     * @param {{ currentPassword: string, newPassword: string }} passwords
     * @returns {Promise<null>}
     */
    changePassword: ({ currentPassword, newPassword }) =>
      request("PUT", "/me/password", { body: { currentPassword, newPassword } }),

    /** @returns {Promise<Token[]>} */
    listTokens: async () => listOf(await request("GET", "/me/tokens"), "tokens"),

    /**
     * @param {{ name: string, scopes: Scope[], expiresInDays?: number | null }} token
     * @returns {Promise<Token>} with its `secret`, shown once
     */
    createToken: ({ name, scopes, expiresInDays }) =>
      request("POST", "/me/tokens", { body: compact({ name, scopes, expiresInDays }) }),

    /**
     * @param {string} tokenID
     * @returns {Promise<null>}
     */
    revokeToken: (tokenID) => request("DELETE", `/me/tokens/${segment(tokenID)}`),

    /** @returns {Promise<TeamSummary[]>} */
    listTeams: async () => listOf(await request("GET", "/teams"), "teams"),

    /**
     * @param {string} teamID
     * @returns {Promise<Team>}
     */
    team: (teamID) => request("GET", teamPath(teamID)),

    /**
     * @param {string} teamID
     * @param {RequestOptions} [options]
     * @returns {Promise<Member[]>}
     */
    members: async (teamID, { signal } = {}) =>
      listOf(await request("GET", `${teamPath(teamID)}/members`, { signal }), "members"),

    /**
     * @param {string} teamID
     * @returns {Promise<Invite[]>}
     */
    invites: async (teamID) => listOf(await request("GET", `${teamPath(teamID)}/invites`), "invites"),

    /**
     * @param {string} teamID
     * @param {{ role: Role, maxUses?: number | null, expiresInHours?: number | null }} invite
     * @returns {Promise<Invite>} with its `code` and `url`, shown once
     */
    createInvite: (teamID, { role, maxUses, expiresInHours }) =>
      request("POST", `${teamPath(teamID)}/invites`, { body: compact({ role, maxUses, expiresInHours }) }),

    /**
     * @param {string} teamID
     * @param {string} inviteID
     * @returns {Promise<null>}
     */
    revokeInvite: (teamID, inviteID) => request("DELETE", `${teamPath(teamID)}/invites/${segment(inviteID)}`),

    /**
     * @param {string} teamID
     * @param {string} userID
     * @param {Role} role
     * @returns {Promise<Member>}
     */
    setRole: (teamID, userID, role) =>
      request("PATCH", `${teamPath(teamID)}/members/${segment(userID)}`, { body: { role } }),

    /**
     * @param {string} teamID
     * @param {string} userID
     * @returns {Promise<null>}
     */
    removeMember: (teamID, userID) => request("DELETE", `${teamPath(teamID)}/members/${segment(userID)}`),
  };
}

/** @typedef {ReturnType<typeof createApi>} Api */
