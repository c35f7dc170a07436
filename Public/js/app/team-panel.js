/**
 * The home page's account strip: it loads `/me`, then shows the user, a team switcher, the
 * selected team's members (with a link to the team's admin page for owners) and the sign-out
 * buttons. API tokens and the password live on `/account`. It talks only to the JSON API
 * ({@link module:api}); the rules live in {@link module:shell-state}.
 *
 * Everything shown is set with `textContent` or element properties, never parsed as HTML.
 * Styling is done with classes and attributes only: the CSP forbids inline styles and scripts.
 *
 * For features that plug into the shell: whenever the selected team changes (including the first
 * load), `document` receives a `ferry:team` event whose `detail` is `{ team, me }` (`team` is a
 * TeamSummary or null). `#shell[data-state]` is `loading`, `ready` or `error`.
 *
 * @module app/team-panel
 */

import { ApiProblem, SIGN_IN_URL, createApi, isUnauthenticated } from "../api.js";
import {
  describeProblem,
  initialState,
  permissions,
  roleLabel,
  selectedTeam,
  withMe,
  withMembers,
  withTeam,
  withoutTeam,
} from "../shell-state.js";

/** Where the browser goes after signing out. */
/** Where signing out lands: the sign-in page, with its one-line confirmation (PageNotice). */
const SIGNED_OUT_URL = "/sign-in?done=signed-out";
const SIGNED_OUT_EVERYWHERE_URL = "/sign-in?done=sessions-revoked";
/** The event features listen to for the selected team. */
export const TEAM_EVENT = "ferry:team";

/**
 * @typedef {object} ShellOptions
 * @property {Document} document
 * @property {import("../api.js").Api} api
 * @property {import("../shell-state.js").KeyValueStorage | null} storage remembers the selected team
 * @property {{ assign(url: string): void }} location
 * @property {(question: string) => boolean} [confirm] asked before signing out everywhere (window.confirm)
 */

/**
 * Wires the page and loads it.
 * @param {ShellOptions} options
 * @returns {{ state(): import("../shell-state.js").ShellState, reload(): Promise<void> }}
 */
export function startTeamPanel({ document, api, storage, location, confirm = () => true }) {
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
    signOutForm: /** @type {HTMLFormElement} */ (byId("sign-out-form")),
    signOutEverywhereForm: /** @type {HTMLFormElement} */ (byId("sign-out-everywhere-form")),
    signOut: /** @type {HTMLButtonElement} */ (byId("sign-out")),
    signOutEverywhere: /** @type {HTMLButtonElement} */ (byId("sign-out-everywhere")),
    memberTemplate: /** @type {HTMLTemplateElement} */ (byId("member-row")),
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
    // A choice of one is no choice: the Members card names the one team.
    ui.teamPicker.hidden = state.teams.length < 2;
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
      // A server admin disabled the account: it cannot sign in or receive anything.
      /** @type {HTMLElement} */ (row.querySelector(".member-disabled")).hidden = member.disabled !== true;
      row.dataset.disabled = String(member.disabled === true);
      const badge = /** @type {HTMLElement} */ (row.querySelector(".role-badge"));
      badge.textContent = roleLabel(member.role);
      badge.dataset.role = member.role;
      return row;
    });
    ui.members.replaceChildren(...rows);
    const count = state.members.length;
    ui.membersNote.textContent = count === 1 ? "1 member" : `${count} members`;
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
    await loadMembers();
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

  // ---- sessions

  /**
   * @param {HTMLFormElement} form
   * @param {HTMLButtonElement} button
   * @param {() => Promise<unknown>} call
   * @param {string} message
   * @param {string} to where the page goes once signed out
   * @param {string} [question] asked first (and nothing happens on "Cancel")
   */
  function wireSignOut(form, button, call, message, to, question = "") {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      // Signing out every device (this one included) cannot be undone from here: ask first.
      if (question && !confirm(question)) return;
      button.disabled = true;
      clearError();
      announce(message);
      try {
        await call();
        leave(to);
      } catch (error) {
        // A session that already ended is what was asked for.
        if (isUnauthenticated(error)) {
          leave(to);
          return;
        }
        button.disabled = false;
        announce("");
        fail(error);
      }
    });
  }

  wireSignOut(ui.signOutForm, ui.signOut, api.signOut, "Signing out…", SIGNED_OUT_URL);
  wireSignOut(
    ui.signOutEverywhereForm,
    ui.signOutEverywhere,
    api.signOutEverywhere,
    "Signing out everywhere…",
    SIGNED_OUT_EVERYWHERE_URL,
    "Sign out on every device, this one included? Open pages elsewhere stop at once.",
  );

  void load();

  return {
    state: () => state,
    reload: load,
  };
}
