/**
 * Module worker of one encode source (drops/encode-source.js): reads a file's plaintext and seals
 * it, span by span, off the thread that hashes and uploads the chunks, so reading, sealing and
 * sending overlap on different threads. The source sends `{ op: "init", file, ikm, salt }` once,
 * then `{ op: "seal", id, first, last }` per span of records; the worker answers
 * `{ id, bytes }` (the sealed records, their buffer transferred) or `{ id, message }`.
 *
 * @module drops/seal-worker
 */

import { RecordSealer } from "./ece.js";
import { sealSpan } from "./encode-source.js";

/** @type {{ file: Blob, sealer: Promise<RecordSealer> } | null} */
let source = null;

self.addEventListener("message", async ({ data }) => {
  if (data.op === "init") {
    const sealer = RecordSealer.create(data.ikm, data.salt);
    sealer.catch(() => {}); // reported with the first span
    source = { file: data.file, sealer };
    return;
  }
  if (data.op !== "seal") return;
  try {
    if (source === null) throw new Error("the seal worker was not given a file");
    const bytes = await sealSpan(source.file, await source.sealer, data.first, data.last);
    self.postMessage({ id: data.id, bytes }, [bytes.buffer]);
  } catch (error) {
    self.postMessage({ id: data.id, message: String(/** @type {any} */ (error)?.message ?? error) });
  }
});
