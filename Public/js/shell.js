/**
 * Entry module of the signed-in home page (`Templates/app.mustache`): the rich client shell.
 * It loads `/me`, then shows the user, a team switcher, the selected team's members, the user's
 * API tokens (create, show the secret once, revoke) and the sign-out buttons. It talks only to
 * the JSON API ({@link module:api}); the rules live in {@link module:shell-state}.
 *
 * Everything shown is set with `textContent` or element properties, never parsed as HTML.
 * Styling is done with classes and attributes only: the CSP forbids inline styles and scripts.
 *
 * For features that plug into the shell: whenever the selected team changes (including the first
 * load), `document` receives a `ferry:team` event whose `detail` is `{ team, me }` (`team` is a
 * TeamSummary or null). `#shell[data-state]` is `loading`, `ready` or `error`.
 *
 * @module shell
 */

import { ApiProblem, SIGN_IN_URL, createApi, isUnauthenticated } from "./api.js";
import {
  describeProblem,
  fieldForPointer,
  formatExpiry,
  formatScopes,
  initialState,
  isExpired,
  parseTokenForm,
  permissions,
  roleLabel,
  selectedTeam,
  withMe,
  withMembers,
  withTeam,
  withToken,
  withTokens,
  withoutTeam,
  withoutToken,
} from "./shell-state.js";

/** Where the browser goes after signing out. */
const SIGNED_OUT_URL = "/sign-in";
/** The event features listen to for the selected team. */
export const TEAM_EVENT = "ferry:team";

/** Token form fields and the ids of their controls and error lines. */
const TOKEN_FIELDS = {
  name: { control: "token-name", error: "token-name-error" },
  scopes: { control: "token-scopes", error: "token-scopes-error" },
  expiresInDays: { control: "token-expiry", error: "token-expiry-error" },
};

/**
 * @typedef {object} ShellOptions
 * @property {Document} document
 * @property {import("./api.js").Api} api
 * @property {import("./shell-state.js").KeyValueStorage | null} storage remembers the selected team
 * @property {{ assign(url: string): void }} location
 * @property {{ writeText(text: string): Promise<void> } | undefined} [clipboard]
 * @property {() => number} [now]
 */

/**
 * Wires the page and loads it.
 * @param {ShellOptions} options
 * @returns {{ state(): import("./shell-state.js").ShellState, reload(): Promise<void> }}
 */
export function startShell({ document, api, storage, location, clipboard, now = Date.now }) {
  /**
   * @template {Element} T
   * @param {string} id
   * @returns {T}
   */
  const byId = (id) => {
    const element = document.getElementById(id);
    if (!element) throw new Error(`The page has no #${id}.`);
    return /** @type {T} */ (element);
  };

  const ui = {
    shell: /** @type {HTMLElement} */ (byId("shell")),
    userName: byId("user-name"),
    userEmail: byId("user-email"),
    teamPicker: byId("team-picker"),
    teamSwitcher: /** @type {HTMLSelectElement} */ (byId("team-switcher")),
    status: byId("shell-status"),
    error: byId("shell-error"),
    teamSection: byId("team-section"),
    teamName: byId("team-name"),
    adminLink: /** @type {HTMLAnchorElement} */ (byId("team-admin-link")),
    members: byId("members"),
    membersNote: byId("members-note"),
    noTeam: byId("no-team"),
    tokensPanel: byId("tokens-panel"),
    tokens: byId("tokens"),
    tokensNote: byId("tokens-note"),
    secretBox: byId("token-secret-box"),
    secretLabel: byId("token-secret-label"),
    secret: /** @type {HTMLInputElement} */ (byId("token-secret")),
    secretCopy: /** @type {HTMLButtonElement} */ (byId("token-secret-copy")),
    secretDismiss: /** @type {HTMLButtonElement} */ (byId("token-secret-dismiss")),
    tokenForm: /** @type {HTMLFormElement} */ (byId("token-form")),
    tokenName: /** @type {HTMLInputElement} */ (byId("token-name")),
    tokenExpiry: /** @type {HTMLInputElement} */ (byId("token-expiry")),
    tokenCreate: /** @type {HTMLButtonElement} */ (byId("token-create")),
    signOutForm: /** @type {HTMLFormElement} */ (byId("sign-out-form")),
    signOutEverywhereForm: /** @type {HTMLFormElement} */ (byId("sign-out-everywhere-form")),
    signOut: /** @type {HTMLButtonElement} */ (byId("sign-out")),
    signOutEverywhere: /** @type {HTMLButtonElement} */ (byId("sign-out-everywhere")),
    memberTemplate: /** @type {HTMLTemplateElement} */ (byId("member-row")),
    tokenTemplate: /** @type {HTMLTemplateElement} */ (byId("token-row")),
  };

  let state = initialState();
  /** @type {AbortController | null} */
  let membersRequest = null;
  /** The team last announced with {@link TEAM_EVENT}, to announce changes only. */
  let announcedTeamID = /** @type {string | null | undefined} */ (undefined);
  let leaving = false;

  // ---- status and errors

  /** @param {string} message */
  const announce = (message) => {
    ui.status.textContent = message;
  };

  /** @param {"loading" | "ready" | "error"} phase */
  const setPhase = (phase) => {
    ui.shell.dataset.state = phase;
    ui.shell.setAttribute("aria-busy", String(phase === "loading"));
  };

  const clearError = () => ui.error.replaceChildren();

  /**
   * Shows a failure in the alert; a lost session sends the user to sign in instead.
   * @param {unknown} error
   */
  function fail(error) {
    if (isUnauthenticated(error)) {
      leave(SIGN_IN_URL);
      return;
    }
    const { title, status, detail, items } = describeProblem(error);
    const box = document.createElement("div");
    box.className = "alert-box";
    const heading = document.createElement("h2");
    heading.className = "alert-title";
    heading.textContent = title;
    if (status > 0) {
      const code = document.createElement("span");
      code.className = "alert-status";
      code.textContent = `HTTP ${status}`;
      heading.append(" ", code);
    }
    box.append(heading);
    if (detail) {
      const paragraph = document.createElement("p");
      paragraph.textContent = detail;
      box.append(paragraph);
    }
    if (items.length > 0) {
      const list = document.createElement("ul");
      for (const item of items) {
        const line = document.createElement("li");
        line.textContent = item;
        list.append(line);
      }
      box.append(list);
    }
    ui.error.replaceChildren(box);
  }

  /** @param {string} url */
  function leave(url) {
    if (leaving) return;
    leaving = true;
    location.assign(url);
  }

  // ---- rendering

  function renderUser() {
    const user = state.me?.user;
    if (!user) return;
    ui.userName.textContent = user.displayName;
    ui.userEmail.textContent = user.email;
    ui.userEmail.hidden = false;
  }

  function renderTeams() {
    const team = selectedTeam(state);
    const options = state.teams.map((summary) => {
      const option = document.createElement("option");
      option.value = summary.id;
      option.textContent = summary.name;
      option.selected = summary.id === state.teamID;
      return option;
    });
    ui.teamSwitcher.replaceChildren(...options);
    if (state.teamID !== null) ui.teamSwitcher.value = state.teamID;
    const hasTeams = state.teams.length > 0;
    ui.teamPicker.hidden = !hasTeams;
    ui.noTeam.hidden = hasTeams || state.me === null;
    ui.teamSection.hidden = team === null;
    ui.teamName.textContent = team ? team.name : "";

    const { adminLink } = permissions(state);
    ui.adminLink.hidden = adminLink === null;
    if (adminLink !== null) ui.adminLink.href = adminLink;
    if (announcedTeamID !== state.teamID) {
      announcedTeamID = state.teamID;
      document.dispatchEvent(new CustomEvent(TEAM_EVENT, { detail: { team, me: state.me } }));
    }
  }

  function renderMembers() {
    const loaded = state.teamID !== null && state.membersTeamID === state.teamID;
    ui.members.setAttribute("aria-busy", String(!loaded && state.teamID !== null));
    if (!loaded) {
      ui.members.replaceChildren();
      ui.membersNote.textContent = state.teamID === null ? "" : "Loading members…";
      return;
    }
    const myID = state.me?.user.id;
    const rows = state.members.map((member) => {
      const fragment = /** @type {DocumentFragment} */ (ui.memberTemplate.content.cloneNode(true));
      const row = /** @type {HTMLLIElement} */ (fragment.querySelector("li"));
      row.dataset.userId = member.user.id;
      row.dataset.role = member.role;
      /** @type {HTMLElement} */ (row.querySelector(".member-name")).textContent = member.user.displayName;
      /** @type {HTMLElement} */ (row.querySelector(".member-email")).textContent = member.user.email;
      /** @type {HTMLElement} */ (row.querySelector(".member-you")).hidden = member.user.id !== myID;
      const badge = /** @type {HTMLElement} */ (row.querySelector(".role-badge"));
      badge.textContent = roleLabel(member.role);
      badge.dataset.role = member.role;
      return row;
    });
    ui.members.replaceChildren(...rows);
    const count = state.members.length;
    ui.membersNote.textContent = count === 1 ? "1 member" : `${count} members`;
  }

  /**
   * @param {string | null} iso
   * @returns {string}
   */
  const shortDate = (iso) => {
    const when = iso ? new Date(iso) : null;
    return when && !Number.isNaN(when.getTime()) ? when.toLocaleDateString() : (iso ?? "");
  };

  function renderTokens() {
    const { manageTokens } = permissions(state);
    ui.tokensPanel.hidden = !manageTokens;
    if (!manageTokens) return;
    const moment = now();
    const rows = state.tokens.map((token) => {
      const fragment = /** @type {DocumentFragment} */ (ui.tokenTemplate.content.cloneNode(true));
      const row = /** @type {HTMLLIElement} */ (fragment.querySelector("li"));
      row.dataset.tokenId = token.id;
      row.dataset.expired = String(isExpired(token.expiresAt, moment));
      /** @type {HTMLElement} */ (row.querySelector(".token-name")).textContent = token.name;
      const prefix = /** @type {HTMLElement} */ (row.querySelector(".token-prefix"));
      prefix.textContent = `${token.prefix}…`;
      prefix.title = "The start of the secret, to recognise it";
      /** @type {HTMLElement} */ (row.querySelector(".token-scopes")).textContent = formatScopes(token.scopes);
      /** @type {HTMLElement} */ (row.querySelector(".token-expiry")).textContent = formatExpiry(token.expiresAt, moment);
      /** @type {HTMLElement} */ (row.querySelector(".token-used")).textContent = token.lastUsedAt
        ? `last used ${shortDate(token.lastUsedAt)}`
        : "never used";
      const revoke = /** @type {HTMLButtonElement} */ (row.querySelector(".token-revoke"));
      revoke.dataset.tokenId = token.id;
      revoke.setAttribute("aria-label", `Revoke token ${token.name}`);
      return row;
    });
    ui.tokens.replaceChildren(...rows);
    ui.tokensNote.textContent = rows.length === 0 ? "No API tokens yet." : "";
  }

  // ---- loading

  async function loadMembers() {
    membersRequest?.abort();
    renderMembers();
    const teamID = state.teamID;
    if (teamID === null) return;
    const controller = new AbortController();
    membersRequest = controller;
    try {
      const members = await api.members(teamID, { signal: controller.signal });
      state = withMembers(state, teamID, members);
      renderMembers();
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ApiProblem && error.status === 404) {
        // The team is gone, or the user left it: drop it and show the next one.
        state = withoutTeam(state, teamID, storage);
        renderTeams();
        fail(error);
        await loadMembers();
        return;
      }
      ui.membersNote.textContent = "";
      fail(error);
    } finally {
      if (membersRequest === controller) membersRequest = null;
    }
  }

  async function loadTokens() {
    if (!permissions(state).manageTokens) return;
    ui.tokensNote.textContent = "Loading tokens…";
    try {
      // Read `state` only after the answer: other answers may have changed it meanwhile.
      const tokens = await api.listTokens();
      state = withTokens(state, tokens);
      renderTokens();
    } catch (error) {
      ui.tokensNote.textContent = "";
      fail(error);
    }
  }

  async function load() {
    setPhase("loading");
    clearError();
    try {
      const me = await api.me();
      state = withMe(state, me, storage);
    } catch (error) {
      fail(error);
      setPhase("error");
      return;
    }
    renderUser();
    renderTeams();
    renderTokens();
    await Promise.all([loadMembers(), loadTokens()]);
    setPhase("ready");
  }

  // ---- team switcher

  ui.teamSwitcher.addEventListener("change", () => {
    const before = state.teamID;
    state = withTeam(state, ui.teamSwitcher.value, storage);
    if (state.teamID === before) return;
    clearError();
    renderTeams();
    announce(`Showing team ${selectedTeam(state)?.name ?? ""}.`);
    void loadMembers();
  });

  // ---- tokens

  /** @param {import("./shell-state.js").FormError[]} errors */
  function showFieldErrors(errors) {
    for (const [field, ids] of Object.entries(TOKEN_FIELDS)) {
      const message = errors.find((error) => error.field === field)?.detail ?? "";
      byId(ids.error).textContent = message;
      const control = byId(ids.control);
      if (message) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
  }

  /**
   * Shows a new token's secret, the only time it is available.
   * @param {import("./api.js").Token} token
   */
  function showSecret(token) {
    ui.secretLabel.textContent = `Secret of the token “${token.name}”`;
    ui.secret.value = token.secret ?? "";
    ui.secretBox.hidden = false;
    ui.secret.focus();
    ui.secret.select();
  }

  function hideSecret() {
    ui.secret.value = "";
    ui.secretBox.hidden = true;
  }

  ui.tokenForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(ui.tokenForm);
    const parsed = parseTokenForm({
      name: String(data.get("name") ?? ""),
      scopes: data.getAll("scopes").map(String),
      expiresInDays: String(data.get("expiresInDays") ?? ""),
    });
    if (!parsed.ok) {
      showFieldErrors(parsed.errors);
      byId(TOKEN_FIELDS[/** @type {keyof typeof TOKEN_FIELDS} */ (parsed.errors[0].field)].control).focus();
      return;
    }
    showFieldErrors([]);
    clearError();
    hideSecret();
    ui.tokenCreate.disabled = true;
    announce("Creating the token…");
    try {
      const token = await api.createToken(parsed.value);
      state = withToken(state, token);
      renderTokens();
      ui.tokenForm.reset();
      announce(`Token “${token.name}” created. Copy its secret now: it is shown only once.`);
      showSecret(token);
    } catch (error) {
      announce("");
      if (error instanceof ApiProblem) {
        showFieldErrors(
          error.errors
            .map(({ pointer, detail }) => ({ field: fieldForPointer(pointer), detail }))
            .filter(({ field }) => field in TOKEN_FIELDS),
        );
      }
      fail(error);
    } finally {
      ui.tokenCreate.disabled = false;
    }
  });

  ui.secretCopy.addEventListener("click", async () => {
    const secret = ui.secret.value;
    if (!secret) return;
    try {
      if (!clipboard) throw new Error("no clipboard");
      await clipboard.writeText(secret);
      announce("Secret copied.");
    } catch {
      // Without the asynchronous clipboard (not a secure context), copy the selection.
      ui.secret.focus();
      ui.secret.select();
      const copied = typeof document.execCommand === "function" && document.execCommand("copy");
      announce(copied ? "Secret copied." : "Press Ctrl+C (⌘C on a Mac) to copy the selected secret.");
    }
  });

  ui.secretDismiss.addEventListener("click", () => {
    hideSecret();
    announce("");
    ui.tokenName.focus();
  });

  ui.tokens.addEventListener("click", async (event) => {
    const target = /** @type {Element} */ (event.target);
    const button = /** @type {HTMLButtonElement | null} */ (target.closest?.("button.token-revoke") ?? null);
    if (!button || button.disabled) return;
    const tokenID = button.dataset.tokenId ?? "";
    const token = state.tokens.find((candidate) => candidate.id === tokenID);
    if (!token) return;
    const row = button.closest("li");
    const next = /** @type {HTMLButtonElement | null} */ (
      row?.nextElementSibling?.querySelector(".token-revoke") ?? row?.previousElementSibling?.querySelector(".token-revoke") ?? null
    );
    button.disabled = true;
    clearError();
    try {
      await api.revokeToken(tokenID);
      state = withoutToken(state, tokenID);
      renderTokens();
      announce(`Token “${token.name}” revoked.`);
      // The focused button is gone: keep keyboard users in the list.
      const nextID = next?.dataset.tokenId;
      const focusable = nextID ? ui.tokens.querySelector(`button[data-token-id="${CSS.escape(nextID)}"]`) : null;
      /** @type {HTMLElement} */ (focusable ?? ui.tokenName).focus();
    } catch (error) {
      button.disabled = false;
      fail(error);
    }
  });

  // ---- sessions

  /**
   * @param {HTMLFormElement} form
   * @param {HTMLButtonElement} button
   * @param {() => Promise<unknown>} call
   * @param {string} message
   */
  function wireSignOut(form, button, call, message) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      clearError();
      announce(message);
      try {
        await call();
        leave(SIGNED_OUT_URL);
      } catch (error) {
        // A session that already ended is what was asked for.
        if (isUnauthenticated(error)) {
          leave(SIGNED_OUT_URL);
          return;
        }
        button.disabled = false;
        announce("");
        fail(error);
      }
    });
  }

  wireSignOut(ui.signOutForm, ui.signOut, api.signOut, "Signing out…");
  wireSignOut(ui.signOutEverywhereForm, ui.signOutEverywhere, api.signOutEverywhere, "Signing out everywhere…");

  void load();

  return {
    state: () => state,
    reload: load,
  };
}

/** `localStorage`, or null where reading it throws (storage disabled). */
function localStorageOrNull() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

if (typeof document !== "undefined" && document.getElementById("shell")) {
  startShell({
    document,
    api: createApi(),
    storage: localStorageOrNull(),
    location: window.location,
    clipboard: navigator.clipboard,
  });
}
