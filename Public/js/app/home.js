/**
 * Entry module of the signed-in home page (`Templates/app.mustache`): the account strip (user,
 * team, members, sign-out) and the sharing UI composed from feature modules over the peer
 * client. docs/CLIENT.md describes the composition.
 *
 * @module app/home
 */

import "../secure-context.js";
import { createApi } from "../api.js";
import { createBrowserPeerClient } from "../peer-client-browser.js";
import { composeApp } from "./compose.js";
import { deviceFeature } from "./device.js";
import { storageOrNull } from "./dom.js";
import { DEVICE_NAME_KEY, defaultDeviceName } from "./model.js";
import { notifyFeature } from "./notify.js";
import { offerPrompt } from "./offer-prompt.js";
import { pairingFeature } from "./pairing.js";
import { peersPanel } from "./peers-panel.js";
import { sendFeature } from "./send.js";
import { statusFeature } from "./status.js";
import { startTeamPanel } from "./team-panel.js";
import { transfersPanel } from "./transfers-panel.js";

/** The features of the member's page, in the order they are wired. */
export const MEMBER_FEATURES = [statusFeature, peersPanel, sendFeature, offerPrompt, transfersPanel, notifyFeature, deviceFeature, pairingFeature];

/**
 * The remembered device name, or one made from the browser.
 * @param {import("../shell-state.js").KeyValueStorage | null} storage
 */
export function deviceNameFrom(storage) {
  try {
    const stored = storage?.getItem(DEVICE_NAME_KEY);
    if (stored) return stored;
  } catch {
    // storage disabled: a fresh name each time
  }
  return defaultDeviceName(globalThis.navigator?.userAgent ?? "");
}

if (typeof document !== "undefined" && document.getElementById("shell") && document.getElementById("sharing")) {
  const storage = storageOrNull("localStorage");
  const api = createApi();
  startTeamPanel({ document, api, storage, location: window.location });
  const deviceName = deviceNameFrom(storage);
  const client = createBrowserPeerClient({ api, deviceName });
  const app = composeApp({
    client,
    features: MEMBER_FEATURES,
    env: {
      document, window, navigator, storage, api, deviceName, origin: window.location.origin,
      // The tab's kept transfer rows are this user's only.
      historyOwner: () => `user:${document.getElementById("shell")?.dataset.userId ?? ""}`,
    },
  });
  client.start().catch((error) => app.error(`Sharing is not available: ${error instanceof Error ? error.message : String(error)}`));
}
