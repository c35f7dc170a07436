/**
 * Module worker that hashes files off the main thread, one after the other, so the page stays
 * responsive whatever the sizes.
 *
 * Protocol. In: `{ files: File[] }`, once per worker. Out, in this order for each file `index`:
 * - `{ type: "progress", index, bytes }` after each slice read (bytes done in that file);
 * - `{ type: "hashed", index, sha256 }` when the file is done;
 * then `{ type: "done" }` — or `{ type: "error", index, message }`, after which nothing more comes.
 * To cancel, the page terminates the worker: hashing stops at once, wherever it is.
 *
 * @module hash-worker
 */

import { hashBlob } from "./sha256.js";

self.addEventListener("message", async (event) => {
  /** @type {File[]} */
  const files = event.data?.files ?? [];
  for (const [index, file] of files.entries()) {
    try {
      const sha256 = await hashBlob(file, {
        onProgress: (bytes) => self.postMessage({ type: "progress", index, bytes }),
      });
      self.postMessage({ type: "hashed", index, sha256 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      self.postMessage({ type: "error", index, message });
      return;
    }
  }
  self.postMessage({ type: "done" });
});
