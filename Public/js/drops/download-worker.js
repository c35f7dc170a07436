/**
 * Module worker: downloads a drop's files in ranges, opens them record by record
 * (drops/decode-stream.js) and writes the plaintext straight to disk, so no file is ever whole in
 * memory. Three targets:
 *
 * - `each`: one file of the origin private file system per drop file (sync access handle); the
 *   page then offers each as a download (an object URL of the OPFS file streams from disk);
 * - `zip`: one OPFS file holding a zip of them all (drops/zip.js, STORE, ZIP64 past 4 GiB);
 * - `folder`: files written into a folder the user picked (File System Access API), the drop's
 *   folders kept.
 *
 * A damaged stream deletes what this run wrote for that output: nothing unverified stays where
 * the user looks. In `each` mode another failure (the network, a reload) keeps the file's
 * verified prefix in the OPFS, and the next download of it continues from there. Messages in: `{ op: "download", id, proof, ticket, ikm,
 * files: [{ index, path, salt, size, length }], mode, folder? }`; out: `progress`, `resumed`, `file-done`
 * (each), `zip-done`, `folder-done`, `error` (`damaged` says whether it was damage).
 *
 * @module drops/download-worker
 */

import { createHttp } from "../http.js";
import { Crc32 } from "./crc32.js";
import { decodeStream } from "./decode-stream.js";
import { createDropsApi } from "./drops-api.js";
import { DamagedError } from "./ece.js";
import { PLAINTEXT_PER_RECORD, recordCount } from "./sizes.js";
import { ZipWriter } from "./zip.js";

export const OUT_DIRECTORY = "ferry-drops-out";
const FLUSH_BYTES = 8 * 1024 * 1024;
const RANGE_RETRIES = 3;

const api = createDropsApi(createHttp());

/**
 * Writing, closing and discarding an OPFS file through its sync access handle, from `at`; the
 * one body of both OPFS outputs below.
 * @param {FileSystemDirectoryHandle} root @param {string} name
 * @param {FileSystemSyncAccessHandle} handle @param {number} at
 */
function syncHandleSink(root, name, handle, at) {
  let unflushed = 0;
  return {
    name,
    /** @param {Uint8Array} bytes */
    write(bytes) {
      let written = 0;
      while (written < bytes.length) written += handle.write(bytes.subarray(written), { at: at + written });
      at += bytes.length;
      unflushed += bytes.length;
      if (unflushed >= FLUSH_BYTES) {
        handle.flush();
        unflushed = 0;
      }
    },
    async close() {
      handle.flush();
      handle.close();
    },
    /** Damage (or a plain output given up): nothing of it may stay. */
    async discard() {
      try {
        handle.close();
      } catch {
        // already closed
      }
      await root.removeEntry(name).catch(() => {});
    },
  };
}

/** A new OPFS output file, written with a sync access handle. */
async function opfsSink() {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUT_DIRECTORY, { create: true });
  const name = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("") + ".out";
  const handle = await (await root.getFileHandle(name, { create: true })).createSyncAccessHandle();
  return syncHandleSink(root, name, handle, 0);
}

/**
 * A resumable OPFS output for one drop file: named after the drop, the file's index and salt, so
 * a reload finds it again. It keeps whole records only (every one was verified before it was
 * written), and the last record is always fetched again, so its end-of-stream mark is checked.
 * @param {string} id @param {{ index: number, salt: Uint8Array, size: number }} file
 */
async function partSink(id, file) {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUT_DIRECTORY, { create: true });
  const label = new TextEncoder().encode(`${id}\n${file.index}\n${[...file.salt].join(",")}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", label));
  const name = [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("") + ".part";
  const handle = await (await root.getFileHandle(name, { create: true })).createSyncAccessHandle();
  const fromRecord = Math.min(Math.floor(handle.getSize() / PLAINTEXT_PER_RECORD), recordCount(file.size) - 1);
  const at = fromRecord * PLAINTEXT_PER_RECORD;
  handle.truncate(at);
  return {
    ...syncHandleSink(root, name, handle, at),
    fromRecord,
    /** Anything else (the network, the ticket): the verified prefix stays for a resume. */
    async keep() {
      try {
        handle.flush();
        handle.close();
      } catch {
        // already closed
      }
    },
  };
}

/** A file in a picked folder, through a writable stream (written to a swap file until closed). */
async function folderSink(/** @type {FileSystemDirectoryHandle} */ folder, /** @type {string} */ path) {
  const segments = path.split("/");
  const name = /** @type {string} */ (segments.pop());
  let dir = folder;
  for (const segment of segments) dir = await dir.getDirectoryHandle(segment, { create: true });
  const existed = await dir.getFileHandle(name).then(() => true, () => false);
  const file = await dir.getFileHandle(name, { create: true });
  const writable = await file.createWritable();
  return {
    name: path,
    write: (/** @type {Uint8Array} */ bytes) => writable.write(bytes),
    close: () => writable.close(),
    async discard() {
      await writable.abort().catch(() => {});
      if (!existed) await dir.removeEntry(name).catch(() => {});
    },
  };
}

/** One range, retried a few times when the network drops (a ticket is not counted again). */
async function fetchRange(message, index, start, end) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.range(message.id, index, message.proof, message.ticket, start, end);
    } catch (error) {
      if (/** @type {any} */ (error)?.status !== 0 || attempt >= RANGE_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
    }
  }
}

self.addEventListener("message", async (event) => {
  const message = event.data;
  if (message.op !== "download") return;
  const total = message.files.reduce((sum, file) => sum + file.size, 0);
  let before = 0;
  /** @type {{ discard: () => Promise<void> } | null} */
  let current = null;
  const progress = (done) => self.postMessage({ type: "progress", done: before + done, total });
  /** @param {any} file @param {(bytes: Uint8Array) => unknown} write @param {number} [fromRecord] */
  const decode = (file, write, fromRecord = 0) =>
    decodeStream({
      fromRecord,
      fetchRange: (start, end) => fetchRange(message, file.index, start, end),
      length: file.length,
      size: file.size,
      salt: file.salt,
      ikm: message.ikm,
      write: /** @type {any} */ (write),
      onProgress: progress,
    });
  try {
    if (message.mode === "zip") {
      const sink = await opfsSink();
      current = sink;
      const zip = new ZipWriter();
      for (const file of message.files) {
        sink.write(zip.begin(file.path, file.size));
        const crc = new Crc32();
        await decode(file, (bytes) => {
          crc.update(bytes);
          sink.write(bytes);
          zip.wrote(bytes.length);
        });
        sink.write(zip.end(crc.value));
        before += file.size;
      }
      sink.write(zip.finish());
      await sink.close();
      self.postMessage({ type: "zip-done", name: sink.name });
      return;
    }
    for (const file of message.files) {
      const sink = message.mode === "folder" ? await folderSink(message.folder, file.path) : await partSink(message.id, file);
      current = sink;
      const fromRecord = "fromRecord" in sink ? sink.fromRecord : 0;
      if (fromRecord > 0) self.postMessage({ type: "resumed", index: file.index, bytes: fromRecord * PLAINTEXT_PER_RECORD });
      await decode(file, (bytes) => sink.write(bytes), fromRecord);
      await sink.close();
      current = null;
      before += file.size;
      self.postMessage({ type: "file-done", index: file.index, path: file.path, name: sink.name });
    }
    self.postMessage({ type: "all-done" });
  } catch (error) {
    if (error instanceof DamagedError || !current || !("keep" in current)) await current?.discard();
    else await /** @type {any} */ (current).keep();
    const failure = /** @type {any} */ (error);
    self.postMessage({
      type: "error",
      damaged: error instanceof DamagedError,
      message: failure?.detail || failure?.message || String(error),
      slug: failure?.slug ?? "",
    });
  }
});
