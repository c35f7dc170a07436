/**
 * The peer client wired to the browser: WebSocket, RTCPeerConnection (when present; without it
 * every transfer is relayed, encrypted), localStorage, the device key in IndexedDB, and the file
 * workers. The page calls this; tests call createPeerClient with fakes.
 *
 * ```js
 * import { createApi } from "./api.js";
 * import { createBrowserPeerClient } from "./peer-client-browser.js";
 * const client = createBrowserPeerClient({ api: createApi(), deviceName: "Ann's laptop" });
 * await client.start();
 * ```
 *
 * @module peer-client-browser
 */

import { createPeerClient } from "./peer-client.js";
import { createIndexedDbKeyStore } from "./trust/device-key.js";
import { createBrowserFiles } from "./transfer/browser-files.js";

/**
 * @param {object} options
 * @param {{ request: (method: string, path: string, options?: any) => Promise<any> }} options.api
 * @param {string} options.deviceName
 * @param {number} [options.iceTimeoutMs]
 */
export function createBrowserPeerClient({ api, deviceName, iceTimeoutMs }) {
  const files = createBrowserFiles({
    // import.meta.resolve applies the page's import map (fingerprinted URLs).
    makeReadWorker: () => new Worker(import.meta.resolve("./transfer/read-worker.js"), { type: "module" }),
    makeWriteWorker: () => new Worker(import.meta.resolve("./transfer/opfs-worker.js"), { type: "module" }),
  });
  /** @type {import("./shell-state.js").KeyValueStorage | null} */
  let storage = null;
  try {
    storage = globalThis.localStorage;
  } catch {
    storage = null; // storage disabled: nothing is remembered across reloads
  }
  const client = createPeerClient({
    api,
    deviceName,
    files,
    location: globalThis.location,
    WebSocket: globalThis.WebSocket,
    RTCPeerConnection: globalThis.RTCPeerConnection ?? null,
    storage,
    keyStore: createIndexedDbKeyStore(),
    iceTimeoutMs,
  });
  void files.prune(client.book).catch(() => {});
  return client;
}
