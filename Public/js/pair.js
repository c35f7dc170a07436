/**
 * Entry module of the guest page `/pair` (`Templates/pair.mustache`): a browser without an
 * account enters a pairing code (prefilled from `#CODE` or `?code=`), makes its device key,
 * claims the code (`POST /api/v1/pairings/claim`, which sets the guest cookie), and then gets the
 * same sharing UI as members, limited to the pairing room by the server.
 *
 * @module pair
 */

import "./secure-context.js";
import { ApiProblem, createApi } from "./api.js";
import { createBrowserPeerClient } from "./peer-client-browser.js";
import { composeApp } from "./app/compose.js";
import { deviceFeature } from "./app/device.js";
import { byId, storageOrNull } from "./app/dom.js";
import { deviceNameFrom } from "./app/home.js";
import { DEVICE_NAME_KEY, codeFromLocation, normalizePairingCode, parseDeviceName } from "./app/model.js";
import { notifyFeature } from "./app/notify.js";
import { offerPrompt } from "./app/offer-prompt.js";
import { peersPanel } from "./app/peers-panel.js";
import { sendFeature } from "./app/send.js";
import { statusFeature } from "./app/status.js";
import { transfersPanel } from "./app/transfers-panel.js";

/** A guest shares, but cannot pair others: no pairing feature, no team panel. */
export const GUEST_FEATURES = [statusFeature, peersPanel, sendFeature, offerPrompt, transfersPanel, notifyFeature, deviceFeature];

/**
 * What to tell the guest when a claim is refused.
 * @param {unknown} error
 */
export function claimError(error) {
  if (error instanceof ApiProblem) {
    if (error.status === 404) return "That code is wrong, or it was already used. Ask for a new one.";
    if (error.status === 410) return "That code has expired. Ask for a new one.";
    if (error.status === 429) return "Too many tries from this network. Wait a few minutes.";
    return error.detail || error.title || `The server refused (HTTP ${error.status}).`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Set while this tab is paired, so that a page that finds its pairing over can say why: JSON
 * `{member, ended?}`, `ended` being the socket's close reason (docs/SIGNALLING.md: `pairing ended`,
 * `pairing ended by member`, `pairing expired`, `pairing revoked`; `identity` when the server no
 * longer knew the pass) or `ended-here` (this page's "End pairing").
 */
const PAIRED_KEY = "ferry.guest-paired";

/**
 * What the code form says when it comes back after a pairing.
 * @param {{ member?: string, ended?: string } | null} before the tab's PAIRED_KEY record
 */
export function afterPairingNote(before) {
  if (!before) return "";
  const who = before.member || "The member";
  switch (before.ended) {
    case "ended-here":
      return "You ended the pairing. Enter a new code to pair again.";
    case "pairing ended":
      return "The pairing was ended in another tab. Enter a new code to pair again.";
    case "pairing ended by member":
      return `${who} ended the pairing. Ask for a new code to pair again.`;
    case "pairing expired":
      return "Your pairing expired: its page was closed for too long, or its time ran out. Ask for a new code.";
    case "pairing revoked":
      return `Your pairing with ${who} has ended. Ask for a new code.`;
    default:
      return "Your pairing has ended: the server no longer knows it (it may have expired while this page was away). Ask for a new code.";
  }
}

/** The tab's PAIRED_KEY record, or null. */
function pairedRecord() {
  try {
    const record = JSON.parse(sessionValue(PAIRED_KEY) ?? "null");
    return record && typeof record === "object" ? record : null;
  } catch {
    return null;
  }
}

function startGuestPage() {
  const guest = byId(document, "guest");
  const form = byId(document, "pair-form");
  const input = byId(document, "pair-code-input");
  const nameInput = byId(document, "guest-device-name");
  const error = byId(document, "pair-error");
  const submit = byId(document, "pair-submit");
  const pairedTitle = byId(document, "guest-paired-title");
  const pairedLine = byId(document, "guest-paired");
  const endButton = byId(document, "pair-end");
  const storage = storageOrNull("localStorage");
  const api = createApi();
  input.value = codeFromLocation(window.location) ?? "";
  nameInput.value = deviceNameFrom(storage);
  // The server renders the member's name when this browser's guest pass is still live (a reload,
  // or back within the grace time): the page connects again without a code.
  const pairedWith = guest.dataset.pairedWith ?? "";
  const before = pairedRecord();
  setSessionValue(PAIRED_KEY, null);

  const client = createBrowserPeerClient({ api, deviceName: nameInput.value });
  /** The pairing's id: rendered for a live pass, else known from the room once connected. */
  const pairing = () => guest.dataset.pairing || Object.keys(client.signal?.presence.rooms ?? {}).find((id) => id.startsWith("pairing:"))?.slice("pairing:".length) || null;
  // Composed before the claim so that no event of the first connection is missed.
  const app = composeApp({
    client,
    features: GUEST_FEATURES,
    env: {
      document, window, navigator, storage, api, deviceName: nameInput.value, origin: window.location.origin,
      // The tab's kept transfer rows are this pairing's only.
      historyOwner: () => (pairing() ? `guest:${pairing()}` : null),
    },
  });

  let ending = false;
  /** The pairing ended by the other side while something received was on the page. */
  let finished = false;
  let member = pairedWith;
  /**
   * The pairing is over (ended here, or by the server): a fresh page asks for a code and says
   * why. Ended by the member or the server while the page shows what it received, the page stays
   * as it is until the guest leaves it ("Pair again"), so a text just received can still be
   * copied; only the tab's kept copy goes at once (it may be a shared computer).
   * @param {string} why
   */
  const over = (why) => {
    app.events.emit("forget-history");
    setSessionValue(PAIRED_KEY, JSON.stringify({ member, ended: why }));
    const received = document.querySelectorAll("#transfers li.transfer").length > 0;
    if (why === "ended-here" || !received) return window.location.replace("/pair");
    finished = true;
    guest.dataset.state = "ended";
    pairedTitle.textContent = "The pairing has ended";
    pairedLine.textContent = `${afterPairingNote({ member, ended: why })} What you received stays below until you leave this page: copy what you need.`;
    document.querySelector("section.send")?.setAttribute("hidden", "");
    endButton.textContent = "Pair again";
    endButton.disabled = false;
    pairedTitle.setAttribute("tabindex", "-1");
    pairedTitle.focus();
  };
  client.on("ended", (/** @type {{ reason: string }} */ { reason }) => {
    if (!ending) over(reason);
  });

  /** @param {string} name the member's */
  const showSharing = (name) => {
    member = name;
    // A code in the address is spent (or not needed): drop it so a reload does not offer it again.
    history.replaceState(null, "", "/pair");
    byId(document, "pair-entry").hidden = true;
    byId(document, "guest-sharing").hidden = false;
    guest.dataset.state = "paired";
    pairedTitle.textContent = `Sharing with ${name}`;
    pairedLine.textContent = `Only ${name} sees you. Nothing is received without your “Accept”.`;
    setSessionValue(PAIRED_KEY, JSON.stringify({ member: name }));
  };

  endButton.addEventListener("click", async () => {
    if (finished) return window.location.replace("/pair");
    ending = true;
    endButton.disabled = true;
    try {
      await client.endPairing();
    } catch (failure) {
      // Already over (its time ran out, or its member lost access): say so, not "sign in first".
      const status = /** @type {any} */ (failure)?.status;
      if (status === 401 || status === 404) return over("identity");
      ending = false;
      endButton.disabled = false;
      app.error(claimError(failure));
      return;
    }
    over("ended-here");
  });

  // A pairing link opened in this tab again (the address bar, a QR scanner) changes only the
  // fragment: the page stays, so the new code is taken here.
  window.addEventListener("hashchange", () => {
    const code = codeFromLocation(window.location);
    if (!code) return;
    if (!byId(document, "pair-entry").hidden) {
      input.value = code;
      input.removeAttribute("aria-invalid");
      error.textContent = "";
      submit.disabled = false;
      nameInput.focus();
    } else if (finished) {
      window.location.reload(); // the pairing is over: the fresh page takes the code
    } else {
      app.status(`This page is paired with ${member || "a member"}. “End pairing” first to use another code.`);
    }
  });

  if (pairedWith && !input.value) {
    showSharing(pairedWith);
    app.status(`Still paired with ${pairedWith}.`);
    client.start({ register: false }).catch((failure) => app.error(claimError(failure)));
    return;
  }
  error.textContent = input.value ? "" : afterPairingNote(before);
  (input.value ? nameInput : input).focus();

  form.addEventListener("submit", async (/** @type {Event} */ event) => {
    event.preventDefault();
    const code = normalizePairingCode(input.value);
    if (!code) {
      error.textContent = "A code has 8 letters and digits, like ABCD-2345.";
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    const name = parseDeviceName(nameInput.value);
    const deviceName = name.ok ? name.value : deviceNameFrom(storage);
    client.renameDevice(deviceName); // not connected yet: only sets the name the claim registers
    try {
      storage?.setItem(DEVICE_NAME_KEY, deviceName); // the next pairing (and Rename) starts from it
    } catch {
      // storage refused: the name is only this pairing's
    }
    byId(document, "device-name").value = deviceName;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    submit.disabled = true;
    let memberName = "";
    try {
      memberName = (await client.claimPairing(code))?.member?.name ?? "the member";
      await client.start({ register: false });
    } catch (failure) {
      error.textContent = claimError(failure);
      submit.disabled = false;
      input.focus();
      return;
    }
    showSharing(memberName);
    const reload = guest.dataset.keepsOnReload === "yes" ? " Reloading this page keeps the pairing;" : "";
    app.status(`Paired. ${memberName} is under “Online now”.${reload} “End pairing” ends it.`);
  });
}

/** @param {string} key */
function sessionValue(key) {
  return storageOrNull("sessionStorage")?.getItem(key) ?? null;
}

/** @param {string} key @param {string | null} value */
function setSessionValue(key, value) {
  const store = storageOrNull("sessionStorage");
  try {
    if (value === null) store?.removeItem(key);
    else store?.setItem(key, value);
  } catch {
    // over quota: the note after a reload is lost, nothing else
  }
}

if (typeof document !== "undefined" && document.getElementById("pair-form")) startGuestPage();
