/**
 * Client for Ferry's JSON API under `/api/v1` (docs/IDENTITY.md). Every method sends the
 * browser's cookie (`credentials: "same-origin"`), asks for JSON and, for a body, sends JSON.
 *
 * A 2xx answer resolves with its parsed body (`null` for 204); anything else rejects with an
 * {@link ApiProblem} built from the `application/problem+json` body (RFC 9457). A 401 that means
 * "not signed in" is marked {@link ApiProblem#unauthenticated}, so the page can send the user to
 * {@link SIGN_IN_URL}; a 401 for a wrong current password is not.
 *
 * @module api
 */

/** Where the JSON API lives. */
export const API_BASE = "/api/v1";
/** Where the shell sends a visitor whose session is gone. */
export const SIGN_IN_URL = "/sign-in?next=/";

const ACCEPT = "application/json, application/problem+json";

const STATUS_TITLES = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * @typedef {object} FieldError
 * @property {string} pointer a JSON pointer into the request body, such as "/name"
 * @property {string} detail
 */

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
 * A failed API call, shaped like an RFC 9457 problem. `status` is 0 when no HTTP answer was had
 * (no network).
 */
export class ApiProblem extends Error {
  /**
   * @param {object} problem
   * @param {number} problem.status
   * @param {string} problem.title
   * @param {string} [problem.detail]
   * @param {string} [problem.type] the problem's `type` URI, such as "/problems/not-found"
   * @param {string} [problem.slug] its last segment; derived from `type` when not given
   * @param {string} [problem.instance]
   * @param {FieldError[]} [problem.errors]
   * @param {number | null} [problem.retryAfter] seconds, from a Retry-After header
   * @param {unknown} [cause]
   */
  constructor(
    { status, title, detail = "", type = "about:blank", slug, instance = "", errors = [], retryAfter = null },
    cause,
  ) {
    super(detail ? `${title}: ${detail}` : title, cause === undefined ? undefined : { cause });
    this.name = "ApiProblem";
    this.status = status;
    this.type = type;
    this.slug = slug ?? problemSlug(type);
    this.title = title;
    this.detail = detail;
    this.instance = instance;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }

  /**
   * True when the request was refused because nobody is signed in (or the session ended):
   * the page should send the user to sign in. A 401 `wrong-password` is an answer about a form
   * field, not about the session, and is false here.
   */
  get unauthenticated() {
    return this.status === 401 && (this.slug === "unauthenticated" || this.slug === "");
  }
}

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
 * The slug of a problem `type`: its last path segment ("/problems/not-found" → "not-found");
 * "" for "about:blank" or no type.
 * @param {unknown} type
 * @returns {string}
 */
export function problemSlug(type) {
  if (typeof type !== "string" || type === "" || type === "about:blank") return "";
  const path = type.split(/[?#]/)[0];
  const segments = path.split("/").filter((segment) => segment !== "");
  return segments.at(-1) ?? "";
}

/**
 * Seconds to wait from a Retry-After value: delay-seconds, or an HTTP date (counted from `now`).
 * @param {string | null} value
 * @param {number} [now] milliseconds since the epoch
 * @returns {number | null} null when absent or unreadable
 */
export function parseRetryAfter(value, now = Date.now()) {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP date names its day and month; a bare number like "-5" is not one (Date.parse takes it as a year).
  const at = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The media type of a Content-Type value, lowercase and without parameters.
 * @param {string | null} contentType
 */
const mediaType = (contentType) => (contentType ?? "").split(";")[0].trim().toLowerCase();

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads an answer's body: `empty` when there is none, `value` its JSON (undefined when the body
 * is not JSON).
 * @param {Response} response
 * @returns {Promise<{ empty: boolean, value: unknown }>}
 */
async function readBody(response) {
  let text = "";
  try {
    text = await response.text();
  } catch {
    // An unreadable body is handled as a missing one.
  }
  const type = mediaType(response.headers.get("content-type"));
  const isJSON = type === "application/json" || type.endsWith("+json");
  if (text === "" || !isJSON) return { empty: text === "", value: undefined };
  try {
    return { empty: false, value: JSON.parse(text) };
  } catch {
    return { empty: false, value: undefined };
  }
}

/**
 * Builds the problem for an error answer, filling what its body lacks from the HTTP status.
 * @param {Response} response
 * @param {unknown} body
 * @returns {ApiProblem}
 */
export function problemFromResponse(response, body) {
  const problem = isObject(body) ? body : {};
  const fallbackTitle = STATUS_TITLES[response.status] ?? (response.statusText || `HTTP error ${response.status}`);
  const errors = Array.isArray(problem.errors)
    ? problem.errors
        .filter((error) => isObject(error) && typeof error.detail === "string")
        .map((error) => ({
          pointer: typeof error.pointer === "string" ? error.pointer : "",
          detail: /** @type {string} */ (error.detail),
        }))
    : [];
  return new ApiProblem({
    status: response.status,
    type: typeof problem.type === "string" ? problem.type : "about:blank",
    title: typeof problem.title === "string" && problem.title ? problem.title : fallbackTitle,
    detail:
      typeof problem.detail === "string"
        ? problem.detail
        : isObject(body)
          ? ""
          : `The server answered with HTTP status ${response.status}.`,
    instance: typeof problem.instance === "string" ? problem.instance : "",
    errors,
    retryAfter: parseRetryAfter(response.headers.get("retry-after")),
  });
}

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
  const root = base.replace(/\/+$/, "");

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
    const headers = { Accept: ACCEPT };
    /** @type {RequestInit} */
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (signal) init.signal = signal;
    let response;
    try {
      response = await fetchImpl(root + path, init);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new ApiProblem(
        {
          status: 0,
          slug: "network",
          title: "Network error",
          detail: "The server could not be reached. Check the connection and try again.",
        },
        error,
      );
    }
    if (response.status === 204) return null;
    const { empty, value } = await readBody(response);
    if (!response.ok) throw problemFromResponse(response, value);
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
