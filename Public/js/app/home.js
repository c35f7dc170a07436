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
  const panel = startTeamPanel({ document, api, storage, location: window.location, confirm: (question) => window.confirm(question) });
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
  followMemberships(app, () => client.signal?.presence ?? null, () => void panel.reload());
  // A role changed elsewhere (made owner, or not any more) reaches the panel when the tab is
  // looked at again.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void panel.reload();
  });
  client.start().catch((error) => app.error(`Sharing is not available: ${error instanceof Error ? error.message : String(error)}`));
}

/**
 * Memberships change under an open page (removed from a team, added to one): the signalling
 * socket's team rooms say so. The team panel is loaded again, and the change is said in the
 * status line, instead of a page that still lists a team its member is no longer in.
 * @param {import("./compose.js").AppContext} app
 * @param {() => { you: unknown, rooms: Record<string, { id: string, kind: string, name: string }> } | null} presence
 * @param {() => void} reload
 */
export function followMemberships(app, presence, reload) {
  /** @type {Map<string, string> | null} team room id → name, at the last presence while connected */
  let teams = null;
  app.events.on("peers", () => {
    const now = presence();
    if (!now?.you) return; // not connected: the rooms come back with the next welcome
    const current = new Map(Object.values(now.rooms).filter((room) => room.kind === "team").map((room) => [room.id, room.name]));
    const before = teams;
    teams = current;
    if (!before) return;
    const left = [...before].filter(([id]) => !current.has(id)).map(([, name]) => name);
    const joined = [...current].filter(([id]) => !before.has(id)).map(([, name]) => name);
    if (left.length === 0 && joined.length === 0) return;
    reload();
    for (const name of left) app.status(`You are no longer a member of ${name}.`);
    for (const name of joined) app.status(`You are now a member of ${name}.`);
  });
}
