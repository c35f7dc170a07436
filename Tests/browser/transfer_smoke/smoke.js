// Two peer clients in one page, joined by the in-memory signalling server of the node tests
// (Tests/client/fake-hub.mjs), with the real browser pieces: RTCPeerConnection (or none, for the
// relay), the read and OPFS workers, WebCrypto and the download. Query: ?direct=1&mb=64, or
// ?pick=1 to send the file put into the page's file input (a disk-backed File) instead of one made
// in memory. The page sets window.__result = {expected, mode, secs} or window.__error.

// The fake hub schedules with setImmediate, which browsers lack.
if (!globalThis.setImmediate) {
  const channel = new MessageChannel();
  const queue = [];
  channel.port1.onmessage = () => queue.shift()?.();
  globalThis.setImmediate = (fn) => {
    queue.push(fn);
    channel.port2.postMessage(0);
  };
}

const root = "/repo/";
const { createPeerClient } = await import(`${root}Public/js/peer-client.js`);
const { createBrowserFiles } = await import(`${root}Public/js/transfer/browser-files.js`);
const { Sha256 } = await import(`${root}Public/js/sha256.js`);
const { Hub } = await import(`${root}Tests/client/fake-hub.mjs`);

const params = new URLSearchParams(location.search);
const direct = params.get("direct") === "1";
const size = Number(params.get("mb") ?? 16) * 1024 * 1024;

const memoryStorage = () => {
  const map = new Map();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) };
};
const memoryKeys = () => {
  const map = new Map();
  return { get: async (k) => map.get(k), put: async (k, v) => void map.set(k, v) };
};
const worker = (path) => () => new Worker(new URL(`${root}Public/js/transfer/${path}`, location.href), { type: "module" });

async function run() {
  const hub = new Hub();
  const start = async (name) => {
    const client = createPeerClient({
      api: hub.api({ id: `u-${name}`, name }),
      deviceName: `${name}'s browser`,
      files: createBrowserFiles({ makeReadWorker: worker("read-worker.js"), makeWriteWorker: worker("opfs-worker.js") }),
      location,
      WebSocket: hub.WebSocket,
      RTCPeerConnection: direct ? RTCPeerConnection : null,
      storage: memoryStorage(),
      keyStore: memoryKeys(),
      iceTimeoutMs: 8000,
    });
    await client.start();
    return client;
  };
  const ann = await start("Ann");
  const bob = await start("Bob");
  while (ann.peers().length === 0 || bob.peers().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));

  const picked = params.get("pick") === "1";
  const file = picked ? await pickedFile() : madeFile();
  const expected = picked ? null : madeFile.hash;

  const offered = new Promise((resolve) => bob.on("offer", resolve));
  const started = performance.now();
  await ann.sendFiles([ann.peers()[0].id], [file]);
  const offer = await offered;
  const done = new Promise((resolve, reject) => {
    bob.on("transfer-done", resolve);
    bob.on("transfer-failed", ({ reason }) => reject(new Error(reason)));
  });
  window.__accepted = true;
  await bob.accept(offer.offerId, { kind: "download" });
  const result = await done;
  window.__result = { expected, mode: result.transfer.mode, secs: (performance.now() - started) / 1000 };
}

function pickedFile() {
  const input = /** @type {HTMLInputElement} */ (document.getElementById("pick"));
  window.__ready = true;
  return new Promise((resolve) => input.addEventListener("change", () => resolve(input.files[0]), { once: true }));
}

/** Pseudo-random content made in memory, hashed while it is made. */
function madeFile() {
  const parts = [];
  const hash = new Sha256();
  let seed = 1;
  for (let made = 0; made < size; ) {
    const piece = new Uint8Array(Math.min(1 << 20, size - made));
    for (let i = 0; i < piece.length; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      piece[i] = seed >>> 24;
    }
    hash.update(piece);
    parts.push(piece);
    made += piece.length;
  }
  madeFile.hash = hash.hex();
  return new File(parts, "big file.bin", { type: "application/octet-stream" });
}

run().catch((error) => {
  window.__error = String(error?.stack ?? error);
});
