/**
 * Entry module of the guest page `/pair` (`Templates/pair.mustache`): a browser without an
 * account enters a pairing code (prefilled from `#CODE` or `?code=`), makes its device key,
 * claims the code (`POST /api/v1/pairings/claim`, which sets the guest cookie), and then gets the
 * same sharing UI as members, limited to the pairing room by the server.
 *
 * @module pair
 */

import { ApiProblem, createApi } from "./api.js";
import { createBrowserPeerClient } from "./peer-client-browser.js";
import { composeApp } from "./app/compose.js";
import { deviceFeature } from "./app/device.js";
import { byId } from "./app/dom.js";
import { deviceNameFrom } from "./app/home.js";
import { codeFromLocation, normalizePairingCode, parseDeviceName } from "./app/model.js";
import { notifyFeature } from "./app/notify.js";
import { offerPrompt } from "./app/offer-prompt.js";
import { peersPanel } from "./app/peers-panel.js";
import { sendFeature } from "./app/send.js";
import { statusFeature } from "./app/status.js";
import { localStorageOrNull } from "./app/team-panel.js";
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

/** Set while this tab is paired: a reload ends the pairing (it lives as long as the page's socket). */
const PAIRED_KEY = "ferry.guest-paired";

function startGuestPage() {
  const guest = byId(document, "guest");
  const form = byId(document, "pair-form");
  const input = byId(document, "pair-code-input");
  const nameInput = byId(document, "guest-device-name");
  const error = byId(document, "pair-error");
  const submit = byId(document, "pair-submit");
  const storage = localStorageOrNull();
  const api = createApi();
  input.value = codeFromLocation(window.location) ?? "";
  nameInput.value = deviceNameFrom(storage);
  if (sessionValue(PAIRED_KEY) !== null) {
    // This tab was paired before it reloaded: say why the code is asked for again (not when it
    // came with a new code to use).
    if (!input.value) error.textContent = "Your pairing ended when this page reloaded: a pairing lasts while the page stays open. Ask for a new code.";
    setSessionValue(PAIRED_KEY, null);
  }
  (input.value ? nameInput : input).focus();

  const client = createBrowserPeerClient({ api, deviceName: nameInput.value });
  // Composed before the claim so that no event of the first connection is missed.
  const app = composeApp({ client, features: GUEST_FEATURES, env: { document, window, navigator, storage, api, deviceName: nameInput.value, origin: window.location.origin } });

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
    byId(document, "device-name").value = deviceName;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    submit.disabled = true;
    try {
      await client.claimPairing(code);
      await client.start({ register: false });
    } catch (failure) {
      error.textContent = claimError(failure);
      submit.disabled = false;
      input.focus();
      return;
    }
    // The code is spent: drop it from the address so a reload does not offer it again.
    history.replaceState(null, "", "/pair");
    byId(document, "pair-entry").hidden = true;
    byId(document, "guest-sharing").hidden = false;
    guest.dataset.state = "paired";
    setSessionValue(PAIRED_KEY, "yes");
    app.status("Paired. The member who gave you the code is under “Online now”. Keep this page open: reloading or closing it ends the pairing.");
  });
}

/** @param {string} key */
function sessionValue(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/** @param {string} key @param {string | null} value */
function setSessionValue(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // storage refused: the note after a reload is lost, nothing else
  }
}

if (typeof document !== "undefined" && document.getElementById("pair-form")) startGuestPage();
