/**
 * What lets an interrupted drop continue after a reload or a lost network: for a selection of
 * files (each known by path, size and lastModified, since a picked File cannot be stored by
 * reference across reloads), the drop's secret, its password parameters and verifier, and per
 * file the salt and the tus upload. Picking the same files again finds the record; the same
 * secret and salts give the same ciphertext, so each upload continues from the server's offset.
 *
 * The secret is only as safe as the browser profile, like the owner's list of links; a finished
 * drop's record is deleted.
 *
 * The store is injected: IndexedDB in the browser (drops/idb.js), a Map in tests.
 *
 * @module drops/pending
 */

import { fromBase64Url, toBase64Url } from "../trust/encoding.js";

/**
 * @typedef {object} PendingFile
 * @property {string} key see {@link fileKey}
 * @property {string} salt base64url
 * @property {string | null} upload the tus path, once created
 * @property {number} length the encoded length
 */

/**
 * @typedef {object} PendingDrop
 * @property {string} selection see {@link selectionKey}
 * @property {string} secret base64url
 * @property {{ salt: string, iterations: number } | null} password
 * @property {string} verifier base64url, tells whether a password typed again is the same
 * @property {PendingFile[]} files in the drop's order
 * @property {number} createdAt
 */

/**
 * A file as far as resuming cares: its path in the drop, size and modification time.
 * @param {{ path: string, file: { size: number, lastModified: number } }} entry
 */
export const fileKey = ({ path, file }) => JSON.stringify([path, file.size, file.lastModified]);

/**
 * The key of a whole selection: order does not matter, picking the same files again does.
 * @param {Array<{ path: string, file: { size: number, lastModified: number } }>} entries
 */
export const selectionKey = (entries) => JSON.stringify(entries.map(fileKey).sort());

/**
 * @typedef {object} Store
 * @property {(key: string) => Promise<PendingDrop | undefined>} get
 * @property {(value: PendingDrop) => Promise<void>} put
 * @property {(key: string) => Promise<void>} delete
 */

/**
 * Finds a pending drop for these entries that the password (or no password) fits, or makes a
 * new plan. Returns the plan, whether it resumes, and, when an old plan was dropped because the
 * password differs, the uploads to delete.
 *
 * @param {object} options
 * @param {Store} options.store
 * @param {Array<{ path: string, file: { size: number, lastModified: number } }>} options.entries
 * @param {string} options.password "" for none
 * @param {(secret: Uint8Array, password: { password: string, salt: Uint8Array, iterations: number } | null) => Promise<{ proofVerifier: Uint8Array }>} options.derive
 * @param {(size: number) => number} options.encodedLength
 * @param {(length: number) => Uint8Array} options.random
 * @param {number} options.iterations for a new password drop
 * @param {() => number} [options.now]
 */
export async function planDrop({ store, entries, password, derive, encodedLength, random, iterations, now = Date.now }) {
  const selection = selectionKey(entries);
  const old = await store.get(selection);
  /** @type {string[]} */
  let stale = [];
  if (old && Boolean(old.password) === (password !== "")) {
    const secret = fromBase64Url(old.secret);
    const params = old.password ? { password, salt: fromBase64Url(old.password.salt), iterations: old.password.iterations } : null;
    const keys = await derive(secret, params);
    if (toBase64Url(keys.proofVerifier) === old.verifier) {
      // The drop's order is the new selection's; files are matched by key.
      const byKey = new Map(old.files.map((file) => [file.key, file]));
      const files = entries.map((entry) => /** @type {PendingFile} */ (byKey.get(fileKey(entry))));
      return { plan: { ...old, files }, keys, resumed: true, stale };
    }
  }
  if (old) {
    stale = old.files.map((file) => file.upload).filter((upload) => upload !== null);
    await store.delete(selection);
  }
  const secret = random(16);
  const params = password !== "" ? { password, salt: random(16), iterations } : null;
  const keys = await derive(secret, params);
  /** @type {PendingDrop} */
  const plan = {
    selection,
    secret: toBase64Url(secret),
    password: params ? { salt: toBase64Url(params.salt), iterations } : null,
    verifier: toBase64Url(keys.proofVerifier),
    files: entries.map((entry) => ({ key: fileKey(entry), salt: toBase64Url(random(16)), upload: null, length: encodedLength(entry.file.size) })),
    createdAt: now(),
  };
  await store.put(plan);
  return { plan, keys, resumed: false, stale };
}

/**
 * What a pending drop holds, as far as its record says (each file's key names its path and size):
 * for telling the user which files to pick again.
 * @param {PendingDrop} plan
 * @returns {{ paths: string[], size: number }}
 */
export function describePlan(plan) {
  const paths = [];
  let size = 0;
  for (const file of plan.files) {
    try {
      const [path, bytes] = JSON.parse(file.key);
      if (typeof path === "string") paths.push(path);
      if (Number.isSafeInteger(bytes)) size += bytes;
    } catch {
      // a key of another shape: counted, not named
    }
  }
  return { paths, size };
}
