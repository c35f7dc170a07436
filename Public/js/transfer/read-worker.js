/**
 * Module worker that reads (and hashes) the files being sent, off the page's thread
 * (transfer/file-reader.js does the work). Requests are answered in order, one at a time:
 *
 * - `{ type: "open", file: Blob, offset }` → `{ type: "opened", prefixSha256 }`
 * - `{ type: "read", maxBytes, give? }` → `{ type: "block", bytes: ArrayBuffer | null, length }`: the
 *   block is the first `length` bytes of `bytes` (transferred). `give` is the buffer of an earlier
 *   block that the page has sent (transferred back), to read into again: fresh memory costs a page
 *   fault per 4 KiB.
 * - `{ type: "digest" }` → `{ type: "digest", sha256 }`
 * - any failure → `{ type: "error", message }`
 *
 * @module transfer/read-worker
 */

import { BlobReader } from "./file-reader.js";

/** @type {BlobReader | null} */
let reader = null;
/** @type {Promise<void>} */
let queue = Promise.resolve();

self.addEventListener("message", (event) => {
  const request = event.data;
  queue = queue.then(async () => {
    try {
      if (request.type === "open") {
        reader = await BlobReader.open(request.file, request.offset);
        self.postMessage({ type: "opened", prefixSha256: reader.prefixSha256 });
      } else if (request.type === "read" && reader) {
        if (request.give instanceof ArrayBuffer) reader.give(request.give);
        const block = await reader.read(request.maxBytes);
        if (block === null) return self.postMessage({ type: "block", bytes: null });
        // A block at offset 0 has its buffer to itself (file-reader.js); any other is copied.
        const buffer = block.byteOffset === 0 ? block.buffer : block.slice().buffer;
        self.postMessage({ type: "block", bytes: buffer, length: block.byteLength }, [buffer]);
      } else if (request.type === "digest" && reader) {
        self.postMessage({ type: "digest", sha256: await reader.sha256() });
      } else {
        self.postMessage({ type: "error", message: "no file open" });
      }
    } catch (error) {
      self.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) });
    }
  });
});
