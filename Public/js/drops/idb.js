/**
 * The drops' IndexedDB: `pending` (interrupted drops, drops/pending.js, keyed by selection) and
 * `owned` (the drops this browser made: id, link secret, metadata key and sealed metadata, so the
 * owner's list shows names without opening — and counting — a download).
 *
 * @module drops/idb
 */

const NAME = "ferry-drops";
const VERSION = 1;

/** @type {Promise<IDBDatabase> | null} */
let opened = null;

function database() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("pending")) db.createObjectStore("pending", { keyPath: "selection" });
      if (!db.objectStoreNames.contains("owned")) db.createObjectStore("owned", { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

/** @param {IDBRequest} request */
const done = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/**
 * A small async store over one object store.
 * @param {"pending" | "owned"} name
 */
export function idbStore(name) {
  /** @param {IDBTransactionMode} mode */
  const store = async (mode) => (await database()).transaction(name, mode).objectStore(name);
  return {
    /** @param {string} key */
    get: async (key) => done((await store("readonly")).get(key)),
    /** @param {any} value */
    put: async (value) => void (await done((await store("readwrite")).put(value))),
    /** @param {string} key */
    delete: async (key) => void (await done((await store("readwrite")).delete(key))),
    all: async () => /** @type {Promise<any[]>} */ (done((await store("readonly")).getAll())),
  };
}
