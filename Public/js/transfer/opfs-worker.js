/**
 * Module worker around transfer/opfs-writer.js: the page sends `{ id, op, part, bytes?, at?, length? }`
 * (for a write, the bytes are `length` bytes at `at` in the transferred buffer `bytes`) and
 * gets `{ id, ok: true, value }` or `{ id, ok: false, message }`; a write's answer also carries
 * `bytes`, the buffer it was given, transferred back to be filled again (transfer/write-batch.js).
 * `op` is open, prefix, write, finish, truncate, close, remove or crc32. Requests run one after another,
 * in arrival order.
 *
 * @module transfer/opfs-worker
 */

import { INCOMING_DIRECTORY, createOpfsWriter } from "./opfs-writer.js";

const writer = navigator.storage.getDirectory().then((root) => root.getDirectoryHandle(INCOMING_DIRECTORY, { create: true })).then(createOpfsWriter);
/** @type {Promise<void>} */
let queue = Promise.resolve();

self.addEventListener("message", (event) => {
  const { id, op, part, bytes, at = 0, length } = event.data;
  queue = queue.then(async () => {
    try {
      const w = /** @type {any} */ (await writer);
      if (!["open", "prefix", "write", "finish", "truncate", "close", "remove", "crc32"].includes(op)) throw new Error(`unknown op ${op}`);
      const value = await w[op](part, bytes === undefined ? undefined : new Uint8Array(bytes, at, length ?? bytes.byteLength - at));
      // The writer is done with the bytes once its write resolved (the digest copies its input).
      if (bytes instanceof ArrayBuffer) self.postMessage({ id, ok: true, value, bytes }, [bytes]);
      else self.postMessage({ id, ok: true, value });
    } catch (error) {
      self.postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  });
});
