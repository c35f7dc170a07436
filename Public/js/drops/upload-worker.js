/**
 * Module worker: seals one file and uploads it with tus (drops/encode-source.js, drops/upload.js),
 * so neither the encryption nor the hashing of checksums runs on the page's thread. The page sends
 * `{ op: "upload", file, ikm, salt, path }` and may send `{ op: "pause" }`; the worker posts
 * `{ type: "progress", offset }`, then `{ type: "done", resumedFrom }` or
 * `{ type: "error", message, gone, paused }`.
 *
 * @module drops/upload-worker
 */

import { createHttp } from "../http.js";
import { createEncodeSource } from "./encode-source.js";
import { createTus } from "./tus.js";
import { uploadStream } from "./upload.js";

/** @type {AbortController | null} */
let controller = null;

self.addEventListener("message", async (event) => {
  const message = event.data;
  if (message.op === "pause") {
    controller?.abort(new DOMException("paused", "AbortError"));
    return;
  }
  if (message.op !== "upload") return;
  controller = new AbortController();
  const signal = controller.signal;
  try {
    const tus = createTus(createHttp());
    const source = await createEncodeSource(message.file, message.ikm, message.salt);
    let last = 0;
    const { resumedFrom } = await uploadStream({
      tus,
      path: message.path,
      source,
      signal,
      onProgress: (offset) => {
        last = offset;
        self.postMessage({ type: "progress", offset });
      },
    });
    self.postMessage({ type: "done", resumedFrom, offset: last });
  } catch (error) {
    const anyError = /** @type {any} */ (error);
    self.postMessage({
      type: "error",
      message: anyError?.message ?? String(error),
      gone: anyError?.gone === true,
      paused: signal.aborted,
      status: anyError?.status ?? null,
    });
  }
});
