/**
 * The rich client shell's state and rules, without the DOM: who is signed in, their teams, the
 * selected team and its members, the API tokens; which team is selected (and remembered), how
 * members are ordered, how tokens are described, and what the page may offer the caller.
 *
 * Every function is pure: the state is never changed in place, a new one is returned. The only
 * side effect is writing the selected team to the injected storage (`localStorage` in the page).
 *
 * @module shell-state
 */

/** @typedef {import("./api.js").Me} Me */
/** @typedef {import("./api.js").TeamSummary} TeamSummary */
/** @typedef {import("./api.js").Member} Member */
/** @typedef {import("./api.js").Token} Token */
/** @typedef {import("./api.js").Role} Role */
/** @typedef {import("./api.js").Scope} Scope */

/** Where the selected team's id is remembered. */
export const TEAM_STORAGE_KEY = "ferry.team";
/** The scopes a token may have, from least to most. */
export const SCOPES = /** @type {const} */ (["read", "write", "admin"]);
/** Longest token name, in characters (the server's limit). */
export const MAX_TOKEN_NAME_LENGTH = 100;

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/**
 * The part of `Storage` the shell uses; `localStorage` fits.
 * @typedef {object} KeyValueStorage
 * @property {(key: string) => string | null} getItem
 * @property {(key: string, value: string) => void} setItem
 * @property {(key: string) => void} removeItem
 */

/**
 * @typedef {object} ShellState
 * @property {Me | null} me null until `/me` answered
 * @property {TeamSummary[]} teams the teams of the switcher, in the server's order
 * @property {string | null} teamID the selected team; null when the user has none
 * @property {Member[]} members the selected team's members, sorted by {@link sortMembers}
 * @property {string | null} membersTeamID the team `members` belong to (null: not loaded yet)
 * @property {Token[]} tokens the user's API tokens, never with a secret
 */

/** @returns {ShellState} */
export function initialState() {
  return { me: null, teams: [], teamID: null, members: [], membersTeamID: null, tokens: [] };
}

/**
 * The remembered team id, or null. A storage that throws (disabled, private mode) counts as empty.
 * @param {KeyValueStorage | null | undefined} storage
 * @returns {string | null}
 */
export function readStoredTeam(storage) {
  try {
    const value = storage?.getItem(TEAM_STORAGE_KEY);
    return typeof value === "string" && value !== "" ? value : null;
  } catch {
    return null;
  }
}

/**
 * Remembers the selected team; null forgets it. A storage that throws is ignored.
 * @param {KeyValueStorage | null | undefined} storage
 * @param {string | null} teamID
 */
export function storeTeam(storage, teamID) {
  try {
    if (teamID === null) storage?.removeItem(TEAM_STORAGE_KEY);
    else storage?.setItem(TEAM_STORAGE_KEY, teamID);
  } catch {
    // Not remembering the team is fine: the first team is selected next time.
  }
}

/**
 * The team switcher rule: the remembered team while the user still has it, else the first team,
 * else none.
 * @param {TeamSummary[]} teams
 * @param {string | null} storedID
 * @returns {string | null}
 */
export function chooseTeam(teams, storedID) {
  if (storedID !== null && teams.some((team) => team.id === storedID)) return storedID;
  return teams[0]?.id ?? null;
}

/**
 * Moves to `teamID`: members of another team are dropped. The choice is remembered.
 * @param {ShellState} state
 * @param {string | null} teamID
 * @param {KeyValueStorage | null | undefined} storage
 * @returns {ShellState}
 */
function select(state, teamID, storage) {
  if (teamID !== null) storeTeam(storage, teamID);
  if (teamID === state.teamID) return state;
  return { ...state, teamID, members: [], membersTeamID: null };
}

/**
 * The state once `/me` answered: the user, their teams, and the team to show.
 * @param {ShellState} state
 * @param {Me} me
 * @param {KeyValueStorage | null | undefined} storage
 * @returns {ShellState}
 */
export function withMe(state, me, storage) {
  const teams = Array.isArray(me.teams) ? me.teams : [];
  const teamID = chooseTeam(teams, readStoredTeam(storage));
  return select({ ...state, me, teams }, teamID, storage);
}

/**
 * The user picked a team in the switcher. An id the user does not have changes nothing.
 * @param {ShellState} state
 * @param {string} teamID
 * @param {KeyValueStorage | null | undefined} storage
 * @returns {ShellState}
 */
export function withTeam(state, teamID, storage) {
  if (!state.teams.some((team) => team.id === teamID)) return state;
  return select(state, teamID, storage);
}

/**
 * A team turned out to be gone (the server answered 404): it leaves the switcher and the
 * selection falls back by the switcher rule.
 * @param {ShellState} state
 * @param {string} teamID
 * @param {KeyValueStorage | null | undefined} storage
 * @returns {ShellState}
 */
export function withoutTeam(state, teamID, storage) {
  const teams = state.teams.filter((team) => team.id !== teamID);
  const next = chooseTeam(teams, state.teamID === teamID ? readStoredTeam(storage) : state.teamID);
  return select({ ...state, teams }, next, storage);
}

/**
 * The members of `teamID` arrived. An answer for a team that is no longer selected (the user
 * switched meanwhile) is ignored.
 * @param {ShellState} state
 * @param {string} teamID
 * @param {Member[]} members
 * @returns {ShellState}
 */
export function withMembers(state, teamID, members) {
  if (teamID !== state.teamID) return state;
  return { ...state, members: sortMembers(members), membersTeamID: teamID };
}

/**
 * A token without its secret, so the state never keeps one.
 * @param {Token} token
 * @returns {Token}
 */
function withoutSecret(token) {
  const { secret: _secret, ...rest } = token;
  return rest;
}

/**
 * @param {ShellState} state
 * @param {Token[]} tokens
 * @returns {ShellState}
 */
export function withTokens(state, tokens) {
  return { ...state, tokens: tokens.map(withoutSecret) };
}

/**
 * A token was created: it joins the list (first), without its secret.
 * @param {ShellState} state
 * @param {Token} token
 * @returns {ShellState}
 */
export function withToken(state, token) {
  return { ...state, tokens: [withoutSecret(token), ...state.tokens.filter((other) => other.id !== token.id)] };
}

/**
 * A token was revoked.
 * @param {ShellState} state
 * @param {string} tokenID
 * @returns {ShellState}
 */
export function withoutToken(state, tokenID) {
  return { ...state, tokens: state.tokens.filter((token) => token.id !== tokenID) };
}

/**
 * @param {ShellState} state
 * @returns {TeamSummary | null}
 */
export function selectedTeam(state) {
  return state.teams.find((team) => team.id === state.teamID) ?? null;
}

/**
 * Members in display order: owners first, then by display name (the user's locale, ignoring
 * case and accents), then by email so the order is stable.
 * @param {Member[]} members
 * @returns {Member[]} a new array
 */
export function sortMembers(members) {
  const rank = (/** @type {Member} */ member) => (member.role === "owner" ? 0 : 1);
  return [...members].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      a.user.displayName.localeCompare(b.user.displayName, undefined, { sensitivity: "base" }) ||
      a.user.displayName.localeCompare(b.user.displayName) ||
      a.user.email.localeCompare(b.user.email),
  );
}

/**
 * @param {Role | null | undefined} role
 * @returns {string}
 */
export function roleLabel(role) {
  if (role === "owner") return "Owner";
  if (role === "member") return "Member";
  return "Not a member";
}

/**
 * A token's scopes in words, least first: "read, write"; "no scopes" when empty.
 * @param {readonly string[]} scopes
 * @returns {string}
 */
export function formatScopes(scopes) {
  const known = SCOPES.filter((scope) => scopes.includes(scope));
  const other = [...new Set(scopes.filter((scope) => !SCOPES.includes(/** @type {Scope} */ (scope))))].sort();
  const all = [...known, ...other];
  return all.length === 0 ? "no scopes" : all.join(", ");
}

/**
 * @param {number} count
 * @param {string} unit
 */
const count = (count, unit) => `${count} ${unit}${count === 1 ? "" : "s"}`;

/**
 * When a token expires, in words: "never expires", "expires in 3 days", "expires in 5 hours",
 * "expires in less than an hour", "expired". Days and hours are rounded to the nearest, so a
 * token made for 3 days still says 3 days a moment later.
 * @param {string | null | undefined} expiresAt RFC 3339
 * @param {number} [now] milliseconds since the epoch
 * @returns {string}
 */
export function formatExpiry(expiresAt, now = Date.now()) {
  if (expiresAt === null || expiresAt === undefined || expiresAt === "") return "never expires";
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return `expires ${expiresAt}`;
  const left = at - now;
  if (left <= 0) return "expired";
  const hours = Math.round(left / HOUR);
  if (hours < 1) return "expires in less than an hour";
  if (hours < 24) return `expires in ${count(hours, "hour")}`;
  return `expires in ${count(Math.round(left / DAY), "day")}`;
}

/**
 * @param {string | null | undefined} expiresAt
 * @param {number} [now]
 */
export function isExpired(expiresAt, now = Date.now()) {
  if (!expiresAt) return false;
  const at = Date.parse(expiresAt);
  return !Number.isNaN(at) && at <= now;
}

/**
 * The server-rendered admin page of a team.
 * @param {string} teamID
 */
export function teamAdminPath(teamID) {
  return `/teams/${encodeURIComponent(teamID)}/admin`;
}

/**
 * @typedef {object} Permissions
 * @property {boolean} manageTeam invite, change roles, remove members: an owner of the selected
 *   team, or a server admin
 * @property {string | null} adminLink the team's admin page, when `manageTeam`
 * @property {boolean} manageTokens list and create API tokens: a session, or an `admin`-scoped token
 * @property {boolean} serverAdmin
 */

/**
 * What the page may offer the caller. Hiding a control is a courtesy; the server decides.
 * @param {ShellState} state
 * @returns {Permissions}
 */
export function permissions(state) {
  const me = state.me;
  const team = selectedTeam(state);
  const serverAdmin = me?.user.isAdmin === true;
  const manageTeam = team !== null && (team.role === "owner" || serverAdmin);
  const manageTokens = me !== null && (me.via === "session" || (me.scopes ?? []).includes("admin"));
  return { manageTeam, adminLink: manageTeam && team ? teamAdminPath(team.id) : null, manageTokens, serverAdmin };
}

/**
 * @typedef {object} TokenFormInput what the form holds, as typed
 * @property {string} name
 * @property {Iterable<string>} scopes the checked boxes' values
 * @property {string} expiresInDays "" for a token that never expires
 */

/**
 * @typedef {object} FormError
 * @property {string} field the form field it is about ("name", "scopes", "expiresInDays"), "" for the whole form
 * @property {string} detail
 */

/**
 * Checks the token form before sending it; the server checks again.
 * @param {TokenFormInput} input
 * @returns {{ ok: true, value: { name: string, scopes: Scope[], expiresInDays: number | null } } | { ok: false, errors: FormError[] }}
 */
export function parseTokenForm({ name, scopes, expiresInDays }) {
  /** @type {FormError[]} */
  const errors = [];
  const trimmed = name.trim();
  if (trimmed === "" || [...trimmed].length > MAX_TOKEN_NAME_LENGTH) {
    errors.push({ field: "name", detail: `Give the token a name of 1 to ${MAX_TOKEN_NAME_LENGTH} characters.` });
  }
  const checked = new Set(scopes);
  const chosen = SCOPES.filter((scope) => checked.has(scope));
  if (chosen.length === 0) errors.push({ field: "scopes", detail: "Choose at least one scope." });
  let days = null;
  const daysText = expiresInDays.trim();
  if (daysText !== "") {
    days = /^\d+$/.test(daysText) ? Number(daysText) : NaN;
    if (!Number.isSafeInteger(days) || days < 1) {
      errors.push({ field: "expiresInDays", detail: "Enter a whole number of days, or leave it empty." });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { name: trimmed, scopes: chosen, expiresInDays: days } };
}

/**
 * The form field a problem's JSON pointer is about: "/name" → "name", "/scopes/1" → "scopes";
 * "" for the whole body.
 * @param {string} pointer
 */
export function fieldForPointer(pointer) {
  const first = pointer.split("/")[1] ?? "";
  return first.replaceAll("~1", "/").replaceAll("~0", "~");
}

/**
 * @param {number} seconds
 */
function waitText(seconds) {
  if (seconds < 60) return count(seconds, "second");
  return count(Math.ceil(seconds / 60), "minute");
}

/**
 * What to show for a failed call: a title, a line of detail, and one line per field error.
 * @param {unknown} error an ApiProblem or any Error
 * @returns {{ title: string, status: number, detail: string, items: string[] }}
 */
export function describeProblem(error) {
  if (!(error instanceof Error)) return { title: "Something went wrong", status: 0, detail: String(error), items: [] };
  const problem = /** @type {Error & { status?: number, title?: string, detail?: string, errors?: { pointer: string, detail: string }[], retryAfter?: number | null }} */ (
    error
  );
  const status = typeof problem.status === "number" ? problem.status : 0;
  const title = typeof problem.title === "string" && problem.title ? problem.title : "Something went wrong";
  let detail = typeof problem.detail === "string" ? problem.detail : error.message;
  if (typeof problem.retryAfter === "number") {
    const wait = `Try again in ${waitText(problem.retryAfter)}.`;
    detail = detail ? `${detail} ${wait}` : wait;
  }
  const items = (problem.errors ?? []).map(({ pointer, detail: fieldDetail }) => {
    const field = fieldForPointer(pointer);
    return field ? `${field}: ${fieldDetail}` : fieldDetail;
  });
  return { title, status, detail, items };
}
