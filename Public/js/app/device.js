/**
 * This device's name: shown, editable, remembered in localStorage and sent as `rename` (peers
 * see it at once; the server stores it).
 *
 * @module app/device
 */

import { byId } from "./dom.js";
import { DEVICE_NAME_KEY, parseDeviceName } from "./model.js";

/** @param {import("./compose.js").AppContext} app */
export function deviceFeature(app) {
  const { document, storage } = app.env;
  const form = byId(document, "device-form");
  const input = byId(document, "device-name");
  const error = byId(document, "device-name-error");
  input.value = app.env.deviceName ?? "";
  form.addEventListener("submit", (/** @type {Event} */ event) => {
    event.preventDefault();
    const parsed = parseDeviceName(input.value);
    if (!parsed.ok) {
      error.textContent = parsed.error;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    input.value = parsed.value;
    try {
      storage?.setItem(DEVICE_NAME_KEY, parsed.value);
    } catch {
      // Not remembered across reloads; the server still stores it.
    }
    if (app.client.renameDevice(parsed.value)) app.status(`This device is now called “${parsed.value}”.`);
    else app.error("Not connected; the new name is sent when the connection is back.");
  });
}
